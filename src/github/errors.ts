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

/** Network failure, timeout, 5xx, 429 or a rate-limited 403: the same call may work later. */
export class TransientGitHubError extends GitHubError {
  constructor(
    message: string,
    status: number | null,
    code: string | null,
    /** Seconds GitHub asked us to wait (Retry-After or the rate-limit reset), when it said. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message, status, code);
  }
}

/** GitHub refused the request as made (bad code, wrong redirect URI, bad client credentials…). */
export class GitHubRequestRejectedError extends GitHubError {}

/** The OAuth error codes that mean a refresh token (or the grant behind it) is gone. */
export const TERMINAL_REFRESH_ERRORS = new Set(["bad_refresh_token", "invalid_grant", "unauthorized_client"]);

/** GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET are not configured, so nobody can sign in. */
export class SignInUnavailableError extends Error {
  constructor() {
    super("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are required for signing in with GitHub");
    this.name = "SignInUnavailableError";
  }
}
