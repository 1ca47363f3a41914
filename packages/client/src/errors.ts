// What getToken can end in besides a token. Every error is a TokenServiceError, so one catch covers
// them all; none of them ever carries a token or the service key.

export class TokenServiceError extends Error {
  constructor(
    message: string,
    /** The token service's HTTP status, when it answered. */
    readonly status: number | null = null,
    /** The token service's error code (`{"error": code}`), when it answered with one. */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "TokenServiceError";
  }
}

/** The user has no usable token: send them to `consentUrl` to authorize the GitHub App (again). */
export class ReauthRequiredError extends TokenServiceError {
  constructor(
    readonly githubId: number,
    readonly consentUrl: string,
    message = `User ${githubId} has no usable token and must authorize the GitHub App again.`,
  ) {
    super(message, 409, "reauth_required");
    this.name = "ReauthRequiredError";
  }
}

/** The token service does not know this GitHub id (the user was never imported or signed in). */
export class UserNotFoundError extends TokenServiceError {
  constructor(
    readonly githubId: number,
    message = `No user with GitHub id ${githubId} is known to the token service.`,
  ) {
    super(message, 404, "user_not_found");
    this.name = "UserNotFoundError";
  }
}

/**
 * The token service could not give a token just now (GitHub failing, the service down or slow) and
 * the retries allowed did not help. `retryAfterSeconds` is the service's own advice when it gave one.
 */
export class TokenServiceUnavailableError extends TokenServiceError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number | null,
    status: number | null = null,
    code: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, status, code);
    this.name = "TokenServiceUnavailableError";
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The token service refused the service key: SERVICE_API_TOKEN and `serviceToken` differ. */
export class TokenServiceAuthError extends TokenServiceError {
  constructor(message: string, status: number) {
    super(message, status, "unauthorized");
    this.name = "TokenServiceAuthError";
  }
}
