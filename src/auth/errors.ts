// What signing in can end in besides a session; the page routes map these to HTML once, in
// http/pages/auth-error-pages.ts.

/** Why a callback's `state` was refused. None of these writes anything. */
type OAuthStateProblem = "missing" | "unknown" | "expired" | "reused" | "other_browser";

export class OAuthStateError extends Error {
  constructor(readonly problem: OAuthStateProblem) {
    super(`OAuth state refused: ${problem}`);
    this.name = "OAuthStateError";
  }
}

/** A `return_to` that could lead anywhere but one of our own paths. */
export class ReturnPathError extends Error {
  constructor(readonly reason: string) {
    super(`return_to refused: ${reason}`);
    this.name = "ReturnPathError";
  }
}

export class InvalidConsentLinkError extends Error {
  constructor(readonly problem: "malformed" | "expired") {
    super(`consent link refused: ${problem}`);
    this.name = "InvalidConsentLinkError";
  }
}

/** GitHub sent the user back with `?error=` (access_denied, redirect_uri_mismatch, application_suspended…). */
export class AuthorizationDeniedError extends Error {
  constructor(
    readonly code: string,
    /** Where "try again" leads: a fresh /auth/login for the same purpose. */
    readonly retryPath: string,
  ) {
    super(`GitHub did not authorize: ${code}`);
    this.name = "AuthorizationDeniedError";
  }
}

/** A consent link bound to one GitHub account was completed by another. Nothing was stored. */
export class IdentityMismatchError extends Error {
  constructor(
    readonly signedInAs: string,
    readonly expectedAccount: string,
    /** False when revoking the token GitHub had just issued failed; operators see it in the log. */
    readonly issuedTokenRevoked: boolean,
  ) {
    super(`signed in as ${signedInAs}, but the link was issued for ${expectedAccount}`);
    this.name = "IdentityMismatchError";
  }
}

/** The callback carried a valid state but no code (and no error): nothing to exchange. */
export class MissingAuthorizationCodeError extends Error {
  constructor() {
    super("the callback carried no authorization code");
    this.name = "MissingAuthorizationCodeError";
  }
}
