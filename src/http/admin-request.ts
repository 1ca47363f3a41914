// What every admin API route shares: the admin key, the acting maintainer's name, how a route
// describes itself in the API document, and the mapping of the migration engine's errors to HTTP.
import type { Context, MiddlewareHandler } from "hono";
import { describeRoute, type DescribeRouteOptions } from "hono-openapi";
import { ClientCredentialsError, TransientGitHubError } from "../github/errors.js";
import { BatchNotFoundError, CleanupRefusedError, MigrationNotConfiguredError } from "../migration/errors.js";
import { InvalidFlagValueError, UnknownFlagError } from "../users/errors.js";
import { GITHUB_LOGIN_PATTERN, githubLogin } from "../users/input-rules.js";
import { ConcurrentTransitionError, IllegalTransitionError } from "../users/status-machine.js";
import type { MaintainerAccess } from "../auth/maintainer-access.js";
import type { SessionCookies } from "../auth/session-cookies.js";
import { errorAnswers, SERVER_ERRORS, type ErrorAnswer } from "./api-description.js";
import { requireApiKey } from "./api-key-auth.js";
import { HttpError, type ErrorTranslator } from "./errors.js";

export const ADMIN_API_PREFIX = "/api/v1/admin";
/** The actor recorded for admin-key calls that name no maintainer. */
const DEFAULT_ACTOR = "admin-api";

/** Who may call the admin API: the admin key, or a signed-in maintainer (DESIGN "HTTP surface"). */
export interface AdminAccess {
  adminApiToken: string;
  sessions: Pick<SessionCookies, "read">;
  maintainers: Pick<MaintainerAccess, "check">;
  /** This service's public URL: a maintainer's session may change things only from our own pages. */
  baseUrl: string;
}

const READ_ONLY_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** The maintainer behind a session-authenticated request, recorded as its actor. */
const sessionActors = new WeakMap<Request, string>();

/**
 * A request with an Authorization header is judged by the admin key alone. Without one, a session
 * cookie of a login in ADMIN_GITHUB_LOGINS is accepted; its writes must carry our own Origin, since
 * a browser sends the cookie whoever asks it to.
 */
export function requireAdmin(access: AdminAccess): MiddlewareHandler {
  const requireKey = requireApiKey({ expectedKey: access.adminApiToken, realm: "admin" });
  const ourOrigin = new URL(access.baseUrl).origin;
  return async (c, next) => {
    if (c.req.header("authorization") !== undefined) return requireKey(c, next);
    const session = await access.sessions.read(c);
    if (!session) return requireKey(c, next);
    const check = await access.maintainers.check(session.githubId);
    if (check.kind === "not_maintainer") {
      throw new HttpError(403, "forbidden", `${check.login} is not one of this service's maintainers (ADMIN_GITHUB_LOGINS).`);
    }
    if (check.kind === "unknown_user") return requireKey(c, next);
    if (!READ_ONLY_METHODS.has(c.req.method) && c.req.header("origin") !== ourOrigin) {
      throw new HttpError(403, "forbidden", "With a maintainer's session, changes are accepted only from this service's own pages.");
    }
    sessionActors.set(c.req.raw, check.login);
    await next();
  };
}

/**
 * Who is acting, for the audit trail: the signed-in maintainer, or for admin-key calls the
 * `X-Actor: <login>` header naming the maintainer behind it.
 */
export function actorOf(c: Context): string {
  const maintainer = sessionActors.get(c.req.raw);
  if (maintainer !== undefined) return maintainer;
  const header = c.req.header("x-actor");
  if (header === undefined) return DEFAULT_ACTOR;
  const parsed = githubLogin.safeParse(header.trim());
  if (!parsed.success) throw new HttpError(400, "invalid_request", "X-Actor must be a GitHub login.");
  return parsed.data;
}

export interface AdminRouteDescription {
  tag: "admin: migration" | "admin: readiness" | "admin: users" | "admin: flags" | "admin: installations";
  summary: string;
  /** A body other than JSON (JSON bodies are described by validInput). */
  requestBody?: DescribeRouteOptions["requestBody"];
  /** The success answers (jsonAnswer). */
  answers: NonNullable<DescribeRouteOptions["responses"]>;
  /** The route's own error answers, by status, with the codes each may carry. */
  errors?: Record<number, string | ErrorAnswer>;
  /** A change, recorded with its actor: the X-Actor header applies. */
  records?: boolean;
}

/** An admin API route's description: its own answers plus what every admin route may answer. */
export function describeAdminRoute({ tag, summary, requestBody, answers, errors = {}, records = false }: AdminRouteDescription): MiddlewareHandler {
  return describeRoute({
    tags: [tag],
    summary,
    ...(requestBody && { requestBody }),
    security: [{ adminKey: [] }, { maintainerSession: [] }],
    ...(records && {
      parameters: [
        {
          name: "X-Actor",
          in: "header",
          required: false,
          description: `With the admin key: the maintainer's GitHub login, recorded as the actor (default ${DEFAULT_ACTOR})`,
          schema: { type: "string", pattern: GITHUB_LOGIN_PATTERN.source },
        },
      ],
    }),
    responses: {
      ...answers,
      ...errorAnswers({
        401: { description: "`unauthorized`: missing or wrong admin key", headers: { "WWW-Authenticate": 'Bearer realm="admin"' } },
        403: "`forbidden`: the session's login is not in ADMIN_GITHUB_LOGINS, or a session's change came from another Origin",
        ...SERVER_ERRORS,
        ...(records ? { ...errors, 400: withActorRefusal(errors[400]) } : errors),
      }),
    },
  });
}

const ACTOR_REFUSAL = "X-Actor is not a GitHub login";

function withActorRefusal(answer: string | ErrorAnswer | undefined): string | ErrorAnswer {
  if (answer === undefined) return `\`invalid_request\`: ${ACTOR_REFUSAL}`;
  if (typeof answer === "string") return `${answer}; or ${ACTOR_REFUSAL}`;
  return { ...answer, description: `${answer.description}; or ${ACTOR_REFUSAL}` };
}

export const migrationErrorTranslator: ErrorTranslator = (error) => {
  if (error instanceof UnknownFlagError) return new HttpError(404, "unknown_flag", error.message);
  if (error instanceof InvalidFlagValueError) return new HttpError(400, "invalid_request", error.message);
  if (error instanceof BatchNotFoundError) return new HttpError(404, "batch_not_found", error.message);
  if (error instanceof CleanupRefusedError) return new HttpError(409, "cleanup_refused", error.message);
  if (error instanceof MigrationNotConfiguredError) return new HttpError(409, "not_configured", error.message);
  if (error instanceof IllegalTransitionError) {
    return new HttpError(409, "illegal_transition", error.message, { from: error.from, to: error.to });
  }
  if (error instanceof ConcurrentTransitionError) return new HttpError(409, "conflict", error.message);
  if (error instanceof ClientCredentialsError) {
    return new HttpError(409, "client_credentials_rejected", error.message, { variable: error.variable });
  }
  if (error instanceof TransientGitHubError) {
    const retryAfter = String(error.retryAfterSeconds ?? 30);
    return new HttpError(503, "github_unavailable", "GitHub could not answer just now; try again later.", {}, { "Retry-After": retryAfter });
  }
  return undefined;
};
