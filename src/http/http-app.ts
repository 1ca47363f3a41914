// The root HTTP app: limits and headers shared by every route, route groups mounted under it.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import type { Logger } from "pino";
import { serveApiDocument } from "./api-document.js";
import { createErrorResponder, HttpError, type ErrorTranslator } from "./errors.js";

export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpAppOptions {
  routeGroups: Hono[];
  errorTranslators: ErrorTranslator[];
  log: Logger;
  /** Probot's webhook path, which the API document describes beside our own routes. */
  webhookPath: string;
}

export function buildHttpApp({ routeGroups, errorTranslators, log, webhookPath }: HttpAppOptions): Hono {
  const app = new Hono();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: "no-referrer",
    }),
  );
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
