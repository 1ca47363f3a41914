// The root HTTP app: limits and headers shared by every route, route groups mounted under it.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import type { Logger } from "pino";
import { createErrorResponder, HttpError, type ErrorTranslator } from "./errors.js";

const MAX_BODY_BYTES = 64 * 1024;

interface HttpAppOptions {
  routeGroups: Hono[];
  errorTranslators: ErrorTranslator[];
  log: Logger;
}

export function buildHttpApp({ routeGroups, errorTranslators, log }: HttpAppOptions): Hono {
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
  app.notFound((c) => c.json({ error: "not_found", message: `No route for ${c.req.method} ${c.req.path}.` }, 404));
  app.onError(createErrorResponder(errorTranslators, log));
  return app;
}
