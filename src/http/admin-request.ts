// What every admin API route shares: the admin key, the acting maintainer's name, and the mapping
// of the migration engine's errors to HTTP.
import type { Context, MiddlewareHandler } from "hono";
import { TransientGitHubError } from "../github/errors.js";
import {
  BatchNotFoundError,
  CleanupRefusedError,
  InvalidCursorError,
  InvalidFlagValueError,
  MigrationNotConfiguredError,
  UnknownFlagError,
} from "../migration/errors.js";
import { githubLogin } from "../migration/github-login.js";
import { ConcurrentTransitionError, IllegalTransitionError } from "../migration/status-machine.js";
import { requireApiKey } from "./api-key-auth.js";
import { HttpError, type ErrorTranslator } from "./errors.js";

export const ADMIN_API_PREFIX = "/api/v1/admin";
/** The actor recorded for admin-key calls that name no maintainer. */
const DEFAULT_ACTOR = "admin-api";

export function requireAdminKey(adminApiToken: string): MiddlewareHandler {
  return requireApiKey({ expectedKey: adminApiToken, realm: "admin" });
}

/** `X-Actor: <login>` names the maintainer behind an admin-key call in the audit trail. */
export function actorOf(c: Context): string {
  const header = c.req.header("x-actor");
  if (header === undefined) return DEFAULT_ACTOR;
  const parsed = githubLogin.safeParse(header.trim());
  if (!parsed.success) throw new HttpError(400, "invalid_request", "X-Actor must be a GitHub login.");
  return parsed.data;
}

export const migrationErrorTranslator: ErrorTranslator = (error) => {
  if (error instanceof UnknownFlagError) return new HttpError(404, "unknown_flag", error.message);
  if (error instanceof InvalidFlagValueError || error instanceof InvalidCursorError) {
    return new HttpError(400, "invalid_request", error.message);
  }
  if (error instanceof BatchNotFoundError) return new HttpError(404, "batch_not_found", error.message);
  if (error instanceof CleanupRefusedError) return new HttpError(409, "cleanup_refused", error.message);
  if (error instanceof MigrationNotConfiguredError) return new HttpError(409, "not_configured", error.message);
  if (error instanceof IllegalTransitionError) {
    return new HttpError(409, "illegal_transition", error.message, { from: error.from, to: error.to });
  }
  if (error instanceof ConcurrentTransitionError) return new HttpError(409, "conflict", error.message);
  if (error instanceof TransientGitHubError) {
    const retryAfter = String(error.retryAfterSeconds ?? 30);
    return new HttpError(503, "github_unavailable", "GitHub could not answer just now; try again later.", {}, { "Retry-After": retryAfter });
  }
  return undefined;
};
