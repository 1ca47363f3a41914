// What a maintainer CLI command is: a name of one or more words, a summary, and a run function over
// the same services the server uses. A command throws to refuse (CliInputError for bad input, or
// the domain's own errors); cli.ts reports every failure the same way.
import type { Logger } from "pino";
import type { AppConfig } from "../config.js";
import type { Services } from "../services.js";
import type { CliOutput } from "./output.js";

export type { CliOutput } from "./output.js";

export type CliOptionValues = Record<string, string | boolean | undefined>;

export interface CliCommand {
  /** e.g. "keys rotate" */
  name: string;
  summary: string;
  /** Options accepted, for node:util parseArgs; `json` and `help` are always accepted. */
  options?: Record<string, { type: "string" | "boolean"; short?: string; default?: string | boolean; description: string }>;
  run?(context: { services: Services; values: CliOptionValues; output: CliOutput }): Promise<number | void>;
  /**
   * Instead of `run`, for commands that must work when the database does not (doctor): given the
   * configuration only, nothing opened or migrated.
   */
  runWithoutServices?(context: { config: AppConfig; log: Logger; values: CliOptionValues; output: CliOutput }): Promise<number | void>;
}
