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

export class InvalidCursorError extends Error {
  constructor() {
    super("The cursor is not one this API handed out.");
    this.name = "InvalidCursorError";
  }
}
