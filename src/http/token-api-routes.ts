// The service token API: GET /api/v1/users/{github_id}/token answers the user's token as token
// resolution decides, for the application's services holding SERVICE_API_TOKEN.
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { ReauthRequiredError, TokenTemporarilyUnavailableError } from "../tokens/errors.js";
import { UserNotFoundError } from "../users/errors.js";
import { FALLBACK_REASONS, type TokenResolver } from "../tokens/resolution.js";
import { errorAnswers, errorBody, jsonAnswer, SERVER_ERRORS, timestamp } from "./api-description.js";
import { requireApiKey } from "./api-key-auth.js";
import { HttpError, type ErrorTranslator } from "./errors.js";
import { githubIdParam, parseInput, validInput } from "./input.js";

/** Longer than this would force a refresh on every call, tokens living 8 hours. */
const MAX_MIN_VALID_SECONDS = 3600;

const querySchema = z.strictObject(
  {
    min_valid_seconds: z
      .string()
      .regex(/^\d+$/, { error: "min_valid_seconds must be a whole number of seconds" })
      .transform(Number)
      .pipe(z.number().max(MAX_MIN_VALID_SECONDS, { error: `min_valid_seconds must be at most ${MAX_MIN_VALID_SECONDS}` }))
      .optional()
      .meta({ description: `Refresh first when the App token expires sooner than this (0-${MAX_MIN_VALID_SECONDS} seconds)` }),
  },
);

/** The service key's realm, named in its 401 answers. */
export const SERVICE_REALM = "service";

const resolvedTokenJson = z
  .object({
    token: z.string().meta({ description: "The token to call GitHub with, for this user" }),
    type: z.enum(["github_app_user", "oauth"]).meta({ description: "github_app_user: the App's user token; oauth: the legacy OAuth token (fallback)" }),
    expires_at: timestamp.nullable().meta({ description: "When the token stops working; null for a legacy token without expiry" }),
    login: z.string(),
    fallback_reason: z
      .enum(FALLBACK_REASONS)
      .optional()
      .meta({
        description:
          "Only with type oauth: why the legacy token was served. app_tokens_disabled (the global switch is off), not_in_rollout, " +
          "rolled_back (a maintainer rolled this user back), no_app_token (the user has not authorized the App), " +
          "app_token_unavailable (the App token could not be refreshed just now)",
      }),
  })
  .meta({ id: "ResolvedToken" });

const reauthRequiredBody = errorBody
  .extend({ consent_url: z.string().meta({ description: "Send the user here to authorize the GitHub App" }) })
  .meta({ id: "ReauthRequiredError" });

export function tokenApiRoutes({ resolver, serviceApiToken }: { resolver: TokenResolver; serviceApiToken: string }): Hono {
  const routes = new Hono();
  // Tokens must never sit in a cache, and neither should the answers saying why there is none.
  routes.use("/api/v1/users/*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });
  routes.use("/api/v1/users/*", requireApiKey({ expectedKey: serviceApiToken, realm: SERVICE_REALM }));
  routes.get(
    "/api/v1/users/:github_id/token",
    describeRoute({
      tags: ["token API"],
      summary: "Resolve the user's token (App token, OAuth fallback, or reauth_required)",
      security: [{ serviceKey: [] }],
      responses: {
        200: jsonAnswer("The token to use, which kind it is, its expiry and the login", resolvedTokenJson),
        ...errorAnswers({
          400: "`invalid_request`: the message names the parameter",
          401: { description: "`unauthorized`: missing or wrong service key", headers: { "WWW-Authenticate": 'Bearer realm="service"' } },
          404: "`user_not_found`: no user with this GitHub id",
          409: { description: "`reauth_required`: the user must authorize the GitHub App", schema: reauthRequiredBody },
          ...SERVER_ERRORS,
          503: {
            description: "`github_unavailable`: GitHub could not refresh the token just now; or `database_unavailable`",
            headers: { "Retry-After": "Seconds to wait" },
          },
        }),
      },
    }),
    validInput("param", githubIdParam),
    validInput("query", querySchema),
    async (c) => {
      const { github_id: githubId } = c.req.valid("param");
      const { min_valid_seconds: minValidSeconds } = c.req.valid("query");
      return c.json(await resolveTokenAnswer(resolver, githubId, minValidSeconds));
    },
  );
  return routes;
}

/**
 * The route's work once authenticated, shared with its fast path (http/token-api-fast-path.ts):
 * validates the path parameter and the query, resolves, and shapes the answer.
 */
export async function answerTokenRequest(resolver: TokenResolver, params: Record<string, string>, query: Record<string, string>): Promise<Record<string, unknown>> {
  const { github_id: githubId } = parseInput(githubIdParam, params);
  const { min_valid_seconds: minValidSeconds } = parseInput(querySchema, query, "query parameter");
  return resolveTokenAnswer(resolver, githubId, minValidSeconds);
}

async function resolveTokenAnswer(
  resolver: TokenResolver,
  githubId: number,
  minValidSeconds: number | undefined,
): Promise<z.input<typeof resolvedTokenJson>> {
  const resolved = await resolver.resolveUserToken(githubId, { minValidSeconds });
  return {
    token: resolved.token,
    type: resolved.type,
    expires_at: resolved.expiresAt?.toISOString() ?? null,
    login: resolved.login,
    ...(resolved.type === "oauth" ? { fallback_reason: resolved.fallbackReason } : {}),
  };
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
