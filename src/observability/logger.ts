// The one pino logger of the process, handed to Probot so its own lines are redacted too.
import { getTransformStream } from "@probot/pino";
import { pino, type Logger } from "pino";
import type { LogLevel } from "../config.js";
import { maskTokens, maskTokensDeep, REDACTED_LOG_PATHS } from "./redact.js";

interface CreateLoggerOptions {
  level: LogLevel;
  format?: "json" | "pretty";
  /** Where lines go; stdout by default. Tests pass a stream they can read back. */
  destination?: NodeJS.WritableStream;
}

export async function createLogger({ level, format = "json", destination }: CreateLoggerOptions): Promise<Logger> {
  const options = {
    level,
    name: "github-app-user-tokens",
    redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" },
    formatters: { log: (object: Record<string, unknown>) => maskTokensDeep(withoutStatusOnlyError(object)) as Record<string, unknown> },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...values: unknown[]) => void) {
        method.apply(this, args.map((arg) => (typeof arg === "string" ? maskTokens(arg) : arg)));
      },
    },
  };
  if (destination) return pino(options, destination);
  const transform = await getTransformStream({ logFormat: format });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino(options, transform);
}

/**
 * Probot's HTTP logger attaches a made-up `Error("failed with status code 503")` to every 5xx
 * answer: a stack trace that says nothing the status does not. An expected 503 (database down,
 * GitHub unavailable) stays one info line; a real failure is logged where it happened, with its own error.
 */
function withoutStatusOnlyError(object: Record<string, unknown>): Record<string, unknown> {
  const error = object.err;
  if (!(error instanceof Error) || !/^failed with status code \d{3}$/.test(error.message)) return object;
  const { err: _statusOnly, ...rest } = object;
  return rest;
}
