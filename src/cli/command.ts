// What a maintainer CLI command is: a name of one or more words, a summary, and a run function over
// the same services the server uses.
import type { Logger } from "pino";
import type { AppConfig } from "../config.js";
import type { Services } from "../services.js";

export interface CliOutput {
  /** A line of normal output. */
  line(text: string): void;
  /** A progress line that overwrites itself on a terminal. */
  progress(text: string): void;
  /** Machine-readable output when --json is given. */
  json(value: unknown): void;
}

export interface CliCommand {
  /** e.g. "keys rotate" */
  name: string;
  summary: string;
  /** Options accepted, for node:util parseArgs; `json` is always accepted. */
  options?: Record<string, { type: "string" | "boolean"; short?: string; default?: string | boolean; description: string }>;
  run?(context: { services: Services; values: Record<string, string | boolean | undefined>; output: CliOutput }): Promise<number | void>;
  /**
   * Instead of `run`, for commands that must work when the database does not (doctor): given the
   * configuration only, nothing opened or migrated.
   */
  runWithoutServices?(context: { config: AppConfig; log: Logger; values: Record<string, string | boolean | undefined>; output: CliOutput }): Promise<number | void>;
}
