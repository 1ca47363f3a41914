// What the migration engine's operations can refuse with; the admin API maps these to HTTP once
// (src/http/admin-errors.ts), the CLI prints their messages.

export class BatchNotFoundError extends Error {
  constructor(readonly batchId: number) {
    super(`No migration batch with id ${batchId}.`);
    this.name = "BatchNotFoundError";
  }
}

/** Cleanup asked for before it is allowed (deprecation date not passed, confirmation missing…). */
export class CleanupRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CleanupRefusedError";
  }
}

/** The operation needs configuration that is not set (e.g. the legacy OAuth App's credentials). */
export class MigrationNotConfiguredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationNotConfiguredError";
  }
}

/** A readiness scan was asked for while one is running (one runs at a time, across instances). */
export class ReadinessScanRunningError extends Error {
  constructor(readonly progress: { state: string; done: number; total: number }) {
    super(`A readiness scan is already running (${progress.done} of ${progress.total} users checked).`);
    this.name = "ReadinessScanRunningError";
  }
}

export class UnknownUsersError extends Error {
  constructor(readonly githubIds: number[]) {
    super(`No user with github_id ${githubIds.slice(0, 20).join(", ")}${githubIds.length > 20 ? ` (and ${githubIds.length - 20} more)` : ""} is known here.`);
    this.name = "UnknownUsersError";
  }
}

/** A user whose access was never checked. */
export class AccessNotCheckedError extends Error {
  constructor(readonly githubId: number) {
    super(`The access of user ${githubId} has not been checked yet; start a readiness scan for them.`);
    this.name = "AccessNotCheckedError";
  }
}

/** Raising the rollout percent while the rollout guard is tripped, without confirming an override. */
export class RolloutGuardTrippedError extends Error {
  constructor(readonly guardReason: string) {
    super(`The rollout guard is tripped (${guardReason}); raising the rollout percent needs a confirmed override, or clear the guard first.`);
    this.name = "RolloutGuardTrippedError";
  }
}
