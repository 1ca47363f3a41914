// GitHub's answers classified where they arise, so callers decide on a type, never on a status code.

export class GitHubError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    /** GitHub's `error` field (OAuth endpoints) when there was one. */
    readonly code: string | null,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The credential is dead for good (e.g. `bad_refresh_token`): retrying cannot help. */
export class TerminalTokenError extends GitHubError {}

/**
 * Whether GitHub may have carried out the request although we did not read a success: `not_done`
 * when its answer (429, a rate-limited 403, a readable error body) or the failure (connection
 * refused) proves nothing happened; `unknown` when the request may have arrived and been acted on
 * (our timeout after sending, a connection reset mid-answer, a gateway 5xx). For a refresh this is
 * the difference between "the pair still works" and "the pair may be dead".
 */
export type RequestOutcome = "not_done" | "unknown";

/** Network failure, timeout, 5xx, 429 or a rate-limited 403: the same call may work later. */
export class TransientGitHubError extends GitHubError {
  constructor(
    message: string,
    status: number | null,
    code: string | null,
    /** Seconds GitHub asked us to wait (Retry-After or the rate-limit reset), when it said. */
    readonly retryAfterSeconds: number | null = null,
    readonly outcome: RequestOutcome = "unknown",
  ) {
    super(message, status, code);
  }
}

/** GitHub refused the request as made (bad code, wrong redirect URI, bad client credentials…). */
export class GitHubRequestRejectedError extends GitHubError {}

/** The OAuth error codes that mean a refresh token (or the grant behind it) is gone. */
export const TERMINAL_REFRESH_ERRORS = new Set(["bad_refresh_token", "invalid_grant", "unauthorized_client"]);

/**
 * GitHub rejects an OAuth client's id and secret (`incorrect_client_credentials`). A configuration
 * fault, not a verdict on any token: nothing may be marked dead or wiped because of it.
 */
export class ClientCredentialsError extends GitHubRequestRejectedError {
  constructor(
    /** The environment variable to fix, e.g. LEGACY_OAUTH_CLIENT_SECRET. */
    readonly variable: string,
    message: string,
  ) {
    super(message, null, "incorrect_client_credentials");
  }
}

/** GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET are not configured, so nobody can sign in. */
export class SignInUnavailableError extends Error {
  constructor() {
    super("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are required for signing in with GitHub");
    this.name = "SignInUnavailableError";
  }
}
