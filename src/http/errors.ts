// Every error a route can end in becomes `{ "error": code, "message": text }` here, and only here.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import { isDatabaseUnreachable } from "../db/database-unreachable.js";

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/**
 * Domain errors know nothing of HTTP; each capability that raises its own typed errors registers
 * a translator here once, so routes simply throw.
 */
export type ErrorTranslator = (error: unknown) => HttpError | undefined;

export function createErrorResponder(translators: ErrorTranslator[], log: Logger) {
  return (error: unknown, c: Context) => {
    const httpError = toHttpError(error, translators, log, { path: c.req.path, method: c.req.method });
    for (const [name, value] of Object.entries(httpError.headers)) c.header(name, value);
    return c.json(errorBody(httpError), httpError.status);
  };
}

/** Any error as the answer it becomes; an error no translator knows is logged and becomes a 500. */
export function toHttpError(error: unknown, translators: ErrorTranslator[], log: Logger, request: { path: string; method: string }): HttpError {
  const httpError = error instanceof HttpError ? error : translate(translators, error);
  if (httpError) return httpError;
  log.error({ err: error, ...request }, "unhandled error in HTTP route");
  return new HttpError(500, "internal_error", "Something went wrong on our side; it has been logged.");
}

export function errorBody(httpError: HttpError): Record<string, unknown> {
  return { error: httpError.code, message: httpError.message, ...httpError.details };
}

/**
 * The database being unreachable is a passing outage: an honest 503 the caller may retry, like
 * readiness says, not a 500 "our bug".
 */
export const databaseUnavailableTranslator: ErrorTranslator = (error) => {
  if (!isDatabaseUnreachable(error)) return undefined;
  return new HttpError(503, "database_unavailable", "The database cannot be reached just now; try again shortly.", {}, { "Retry-After": "5" });
};

function translate(translators: ErrorTranslator[], error: unknown): HttpError | undefined {
  for (const translator of translators) {
    const translated = translator(error);
    if (translated) return translated;
  }
  return undefined;
}
