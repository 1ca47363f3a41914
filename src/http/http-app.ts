// The root HTTP app: limits and headers shared by every route, route groups mounted under it.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import type { Logger } from "pino";
import { serveApiDocument } from "./api-document.js";
import { createErrorResponder, HttpError, type ErrorTranslator } from "./errors.js";

const MAX_BODY_BYTES = 64 * 1024;

/** Every answer's security headers: a strict CSP and Hono's secure defaults. */
const secureHeadersMiddleware = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
  referrerPolicy: "no-referrer",
});

/**
 * The security headers as name → value, for answers written without Hono (the token API's fast
 * path, http/token-api-fast-path.ts): asked of the same middleware, so both stay the same.
 */
export async function securityHeaderValues(): Promise<Record<string, string>> {
  const probe = new Hono();
  probe.use(secureHeadersMiddleware);
  probe.get("/", (c) => c.body(null, 204));
  const response = await probe.request("/");
  return Object.fromEntries(response.headers.entries());
}

interface HttpAppOptions {
  routeGroups: Hono[];
  errorTranslators: ErrorTranslator[];
  log: Logger;
  /** Probot's webhook path, which the API document describes beside our own routes. */
  webhookPath: string;
}

export function buildHttpApp({ routeGroups, errorTranslators, log, webhookPath }: HttpAppOptions): Hono {
  const app = new Hono();
  app.use(secureHeadersMiddleware);
  // Enforced on the declared length and while streaming, before any handler parses the body.
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new HttpError(413, "payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  );
  for (const group of routeGroups) app.route("/", group);
  serveApiDocument(app, { webhookPath });
  app.notFound((c) => c.json({ error: "not_found", message: `No route for ${c.req.method} ${c.req.path}.` }, 404));
  app.onError(createErrorResponder(errorTranslators, log));
  return app;
}
