// How a CLI command ends when it cannot do what was asked: one line on stderr (or, under --json, one
// `{"error","message"}` object on stdout) and a non-zero exit code. Expected failures (bad input, a
// refusal, GitHub or the database unavailable) never print a stack; the domain's errors get the
// same codes as the HTTP API, through the same translators.
import { ConfigError } from "../config.js";
import { GitHubError } from "../github/errors.js";
import { readinessErrorTranslator } from "../http/admin-readiness-routes.js";
import { migrationErrorTranslator } from "../http/admin-request.js";
import { rolloutGuardErrorTranslator } from "../http/admin-rollout-guard-routes.js";
import { databaseUnavailableTranslator, type ErrorTranslator } from "../http/errors.js";
import { tokenErrorTranslator } from "../http/token-api-routes.js";
import { LegacyQueryError } from "../migration/legacy-query-source.js";
import type { OutputStreams } from "./output.js";

/** Exit codes: 2 for input the command refuses (or a refusal of the domain), 1 for anything else. */
export const EXIT_REFUSED = 2;
export const EXIT_FAILED = 1;

/** Bad input on the command line: a missing or malformed option. */
export class CliInputError extends Error {
  readonly code: string;
  constructor(message: string, code = "invalid_input") {
    super(message);
    this.name = "CliInputError";
    this.code = code;
  }
}

export interface CliFailure {
  code: string;
  message: string;
  exitCode: number;
  /** Unexpected failures only: the stack, shown with LOG_LEVEL=debug. */
  stack?: string;
}

const TRANSLATORS: ErrorTranslator[] = [
  tokenErrorTranslator,
  migrationErrorTranslator,
  readinessErrorTranslator,
  rolloutGuardErrorTranslator,
  databaseUnavailableTranslator,
];

export function describeFailure(error: unknown): CliFailure {
  if (error instanceof CliInputError) return { code: error.code, message: error.message, exitCode: EXIT_REFUSED };
  if (error instanceof ConfigError) return { code: "invalid_configuration", message: error.message, exitCode: EXIT_REFUSED };
  if (error instanceof LegacyQueryError) return { code: "legacy_query_failed", message: error.message, exitCode: EXIT_REFUSED };
  for (const translate of TRANSLATORS) {
    const translated = translate(error);
    if (translated) {
      return { code: translated.code, message: translated.message, exitCode: translated.status < 500 ? EXIT_REFUSED : EXIT_FAILED };
    }
  }
  if (error instanceof GitHubError) return { code: "github_refused", message: error.message, exitCode: EXIT_FAILED };
  const systemError = error as NodeJS.ErrnoException | undefined;
  if (systemError?.code === "ENOENT" || systemError?.code === "EACCES" || systemError?.code === "EISDIR") {
    return { code: "file_unreadable", message: systemError.message, exitCode: EXIT_REFUSED };
  }
  const message = error instanceof Error ? error.message : `non-error thrown: ${String(error)}`;
  return {
    code: "internal_error",
    message: `${message || (error as Error)?.name || "unknown error"} (unexpected; LOG_LEVEL=debug shows where)`,
    exitCode: EXIT_FAILED,
    stack: error instanceof Error ? error.stack : undefined,
  };
}

/** Prints a failure the one way the CLI does and returns its exit code. */
export function reportFailure(
  failure: CliFailure,
  { json, showStack, streams = process }: { json: boolean; showStack: boolean; streams?: OutputStreams },
): number {
  if (json) streams.stdout.write(`${JSON.stringify({ error: failure.code, message: failure.message })}\n`);
  else streams.stderr.write(`error: ${failure.message.replaceAll("\n", " ")}\n`);
  if (showStack && failure.stack) streams.stderr.write(`${failure.stack}\n`);
  return failure.exitCode;
}
