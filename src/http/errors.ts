// Every error a route can end in becomes `{ "error": code, "message": text }` here, and only here.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import { ConnectionError, DatabaseError } from "sequelize";

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
 * The database being unreachable (refused, pool acquire timed out, connection cut or silent mid-query) is a
 * passing outage: an honest 503 the caller may retry, like readiness says, not a 500 "our bug".
 */
export const databaseUnavailableTranslator: ErrorTranslator = (error) => {
  if (!(error instanceof ConnectionError) && !(error instanceof DatabaseError && connectionLost(error))) return undefined;
  return new HttpError(503, "database_unavailable", "The database cannot be reached just now; try again shortly.", {}, { "Retry-After": "5" });
};

/**
 * Socket failures, and Postgres's own "connection exception" (class 08) and "operator intervention"
 * (57P: shutdown, crash, cannot connect now) codes: the query failed because the connection did.
 */
const CONNECTION_LOST_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "57P01", "57P02", "57P03"]);

function connectionLost(error: DatabaseError): boolean {
  const code = String((error.original as { code?: unknown } | undefined)?.code ?? "");
  return (
    CONNECTION_LOST_CODES.has(code) ||
    code.startsWith("08") ||
    /Connection terminated|connection (is )?closed|Query read timeout|ECONNRESET/i.test(error.message)
  );
}

function translate(translators: ErrorTranslator[], error: unknown): HttpError | undefined {
  for (const translator of translators) {
    const translated = translator(error);
    if (translated) return translated;
  }
  return undefined;
}
