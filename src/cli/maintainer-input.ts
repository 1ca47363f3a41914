// Options the commands share: who is acting, and which user (by GitHub id or by login).
import type { Services } from "../services.js";
import { batchSizeText, githubLogin, positiveIdText } from "../users/input-rules.js";
import type { CliCommand, CliOptionValues } from "./command.js";
import { CliInputError } from "./failures.js";

export const ACTOR_OPTION: NonNullable<CliCommand["options"]> = {
  actor: { type: "string", description: "Your GitHub login, recorded in the audit trail (default: cli)" },
};

/** --github-id or --login: every command that names one user takes either. */
export const USER_OPTIONS: NonNullable<CliCommand["options"]> = {
  "github-id": { type: "string", description: "The user's GitHub id" },
  login: { type: "string", description: "The user's GitHub login (instead of --github-id)" },
};

export function actorFrom(values: CliOptionValues): string {
  if (typeof values.actor !== "string") return "cli";
  const parsed = githubLogin.safeParse(values.actor);
  if (!parsed.success) throw new CliInputError("--actor must be a GitHub login");
  return parsed.data;
}

export function githubIdFrom(value: string | boolean | undefined, option: string): number {
  const parsed = positiveIdText(option).safeParse(value);
  if (!parsed.success) throw new CliInputError(`--${option} must be a GitHub user id (a positive whole number)`);
  return parsed.data;
}

/** `--size`: users a migration batch claims; absent means the user_migration_batch_size flag. */
export function batchSizeFrom(value: string | boolean | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = batchSizeText.safeParse(typeof value === "string" ? value : "");
  if (!parsed.success || parsed.data === undefined) throw new CliInputError(`--${option} must be a whole number from 1 to 10000`);
  return parsed.data;
}

/** Whether the user options name a user at all. */
export function namesUser(values: CliOptionValues): boolean {
  return values["github-id"] !== undefined || values.login !== undefined;
}

/** The GitHub id the user options name: --github-id as given, or --login looked up among our users. */
export async function githubIdOfUser(values: CliOptionValues, services: Services): Promise<number> {
  if ((values["github-id"] === undefined) === (values.login === undefined)) {
    throw new CliInputError("give exactly one of --github-id <id> or --login <login>");
  }
  if (values["github-id"] !== undefined) return githubIdFrom(values["github-id"], "github-id");
  const parsed = githubLogin.safeParse(values.login);
  if (!parsed.success) throw new CliInputError("--login must be a GitHub login");
  const githubId = await services.dashboardFigures.githubIdOf(parsed.data);
  if (githubId === null) throw new CliInputError(`No user with the GitHub login ${parsed.data} is known here.`, "user_not_found");
  return githubId;
}
