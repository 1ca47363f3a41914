// What a maintainer CLI command is: a name of one or more words, a summary, and a run function over
// the same services the server uses.
import type { Services } from "../services.js";
import type { ProgressFraction } from "./progress-bar.js";

export type CliOptionValues = Record<string, string | boolean | undefined>;

export interface CliOutput {
  /** A line of normal output. */
  line(text: string): void;
  /** A progress line that overwrites itself on a terminal; with a fraction, behind a bar (cli/progress-bar.ts). */
  progress(text: string, fraction?: ProgressFraction): void;
  /** Machine-readable output when --json is given. */
  json(value: unknown): void;
}

export interface CliCommand {
  /** e.g. "keys rotate" */
  name: string;
  summary: string;
  /** Options accepted, for node:util parseArgs; `json` is always accepted. */
  options?: Record<string, { type: "string" | "boolean"; short?: string; default?: string | boolean; description: string }>;
  run(context: { services: Services; values: Record<string, string | boolean | undefined>; output: CliOutput }): Promise<number | void>;
}
