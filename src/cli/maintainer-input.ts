// Options the migration, user and flag commands share: who is acting, and which user.
import { githubLogin } from "../users/github-login.js";
import type { CliCommand } from "./command.js";

export const ACTOR_OPTION: NonNullable<CliCommand["options"]> = {
  actor: { type: "string", description: "Your GitHub login, recorded in the audit trail (default: cli)" },
};

export class CliInputError extends Error {}

export function actorFrom(values: Record<string, string | boolean | undefined>): string {
  if (typeof values.actor !== "string") return "cli";
  const parsed = githubLogin.safeParse(values.actor);
  if (!parsed.success) throw new CliInputError("--actor must be a GitHub login");
  return parsed.data;
}

export function githubIdFrom(value: string | boolean | undefined, option: string): number {
  if (typeof value !== "string" || !/^[1-9]\d{0,15}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new CliInputError(`--${option} must be a GitHub user id (a positive whole number)`);
  }
  return Number(value);
}

/** Runs a command body, printing input and domain refusals as one line with exit code 2. */
export async function reportingRefusals(
  output: { line(text: string): void },
  work: () => Promise<number | void>,
  refusals: Array<new (...args: never[]) => Error>,
): Promise<number | void> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CliInputError || refusals.some((type) => error instanceof type)) {
      output.line(`error: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}
