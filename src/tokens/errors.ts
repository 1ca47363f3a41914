// What token resolution can end in besides a token (an unknown user: users/errors.ts); the token API
// maps these to HTTP once.

/** No usable token: the user has to authorize the GitHub App (again) at `consentUrl`. */
export class ReauthRequiredError extends Error {
  constructor(
    readonly githubId: number,
    readonly consentUrl: string,
    message = `User ${githubId} has no usable token and must authorize the GitHub App again.`,
  ) {
    super(message);
    this.name = "ReauthRequiredError";
  }
}

/** GitHub could not refresh the token just now and the stored one is no longer valid: try again later. */
export class TokenTemporarilyUnavailableError extends Error {
  constructor(
    readonly githubId: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`GitHub could not refresh the token of user ${githubId} just now; try again in ${retryAfterSeconds} seconds.`);
    this.name = "TokenTemporarilyUnavailableError";
  }
}
