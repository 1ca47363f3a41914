// The service token API: GET /api/v1/users/{github_id}/token answers the user's token as token
// resolution decides, for the application's services holding SERVICE_API_TOKEN.
import { Hono } from "hono";
import { z } from "zod";
import { ReauthRequiredError, TokenTemporarilyUnavailableError } from "../tokens/errors.js";
import { UserNotFoundError } from "../users/errors.js";
import type { TokenResolver } from "../tokens/resolution.js";
import { requireApiKey } from "./api-key-auth.js";
import { HttpError, type ErrorTranslator } from "./errors.js";
import { githubIdParam, parseInput } from "./input.js";

/** Longer than this would force a refresh on every call, tokens living 8 hours. */
const MAX_MIN_VALID_SECONDS = 3600;

const querySchema = z.strictObject(
  {
    min_valid_seconds: z
      .string()
      .regex(/^\d+$/, { error: "min_valid_seconds must be a whole number of seconds" })
      .transform(Number)
      .pipe(z.number().max(MAX_MIN_VALID_SECONDS, { error: `min_valid_seconds must be at most ${MAX_MIN_VALID_SECONDS}` }))
      .optional(),
  },
);

export function tokenApiRoutes({ resolver, serviceApiToken }: { resolver: TokenResolver; serviceApiToken: string }): Hono {
  const routes = new Hono();
  // Tokens must never sit in a cache, and neither should the answers saying why there is none.
  routes.use("/api/v1/users/*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });
  routes.use("/api/v1/users/*", requireApiKey({ expectedKey: serviceApiToken, realm: "service" }));
  routes.get("/api/v1/users/:github_id/token", async (c) => {
    const { github_id: githubId } = parseInput(githubIdParam, c.req.param());
    const { min_valid_seconds: minValidSeconds } = parseInput(querySchema, c.req.query(), "query parameter");
    const resolved = await resolver.resolveUserToken(githubId, { minValidSeconds });
    return c.json({
      token: resolved.token,
      type: resolved.type,
      expires_at: resolved.expiresAt?.toISOString() ?? null,
      login: resolved.login,
    });
  });
  return routes;
}

export const tokenErrorTranslator: ErrorTranslator = (error) => {
  if (error instanceof UserNotFoundError) return new HttpError(404, "user_not_found", error.message);
  if (error instanceof ReauthRequiredError) {
    return new HttpError(409, "reauth_required", error.message, { consent_url: error.consentUrl });
  }
  if (error instanceof TokenTemporarilyUnavailableError) {
    return new HttpError(503, "github_unavailable", error.message, {}, { "Retry-After": String(error.retryAfterSeconds) });
  }
  return undefined;
};
