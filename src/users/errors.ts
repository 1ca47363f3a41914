// What the rules every service obeys can refuse with: an unknown user, an unknown flag, a flag value
// outside its rule. The token API and the admin API map these to HTTP once; the CLI prints them.

export class UserNotFoundError extends Error {
  constructor(readonly githubId: number) {
    super(`No user with GitHub id ${githubId} is known here.`);
    this.name = "UserNotFoundError";
  }
}

export class UnknownFlagError extends Error {
  constructor(readonly flagName: string, readonly known: readonly string[]) {
    super(`There is no flag named "${flagName}"; the flags are ${known.join(", ")}.`);
    this.name = "UnknownFlagError";
  }
}

export class InvalidFlagValueError extends Error {
  constructor(readonly flagName: string, readonly accepts: string, reason: string) {
    super(`Flag ${flagName} accepts ${accepts} (${reason}).`);
    this.name = "InvalidFlagValueError";
  }
}
