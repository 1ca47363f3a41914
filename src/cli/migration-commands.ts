// `migration status|batch|run|rollback|reenable|cleanup`: the migration engine from a terminal,
// over the same services as the admin API.
import { ClientCredentialsError, TransientGitHubError } from "../github/errors.js";
import type { BatchView } from "../migration/batches.js";
import { CLEANUP_CONFIRMATION } from "../migration/cleanup.js";
import { migrationOverview } from "../migration/overview.js";
import type { Services } from "../services.js";
import type { CliCommand, CliOutput } from "./command.js";
import { CliInputError, EXIT_FAILED } from "./failures.js";
import { ACTOR_OPTION, actorFrom, batchSizeFrom, githubIdOfUser, namesUser, USER_OPTIONS } from "./maintainer-input.js";

function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? "nothing yet" : entries.map(([key, value]) => `${key} ${value}`).join(", ");
}

/** Outcome keys that mean one user was dealt with (the others are sub-counts). */
const PROCESSED_KEYS = ["migrated", "consent_required", "failed", "deferred", "skipped", "errors"];

function progressBar(output: CliOutput) {
  return (batch: BatchView) => {
    if (batch.state !== "running" && batch.state !== "paused") return;
    const processed = PROCESSED_KEYS.reduce((sum, key) => sum + (batch.counts[key] ?? 0), 0);
    const paused = batch.state === "paused" ? " (paused by the rollout guard)" : "";
    output.progress(`batch #${batch.id}${paused}: ${describeCounts(batch.counts)}`, { done: processed, total: batch.size });
  };
}

/** A batch's closing lines: its state and counts, then who hit an error and why. */
function describeBatch(output: CliOutput, batch: BatchView): void {
  const users = (count: number) => `${count} user${count === 1 ? "" : "s"}`;
  if (batch.dryRun) {
    output.line(`dry run #${batch.id} (nothing changed): ${users(batch.counts.candidates ?? 0)} would be taken: ${describeCounts(batch.counts)}`);
    return;
  }
  output.line(`batch #${batch.id} ${batch.state.replaceAll("_", " ")}: ${describeCounts(batch.counts)}${batch.error ? ` — ${batch.error}` : ""}`);
  for (const failure of batch.userErrors) output.line(`  error for ${failure.login} (${failure.github_id}): ${failure.error}`);
}

interface UserOrAllCommand {
  name: string;
  summary: string;
  allDescription: string;
  forAll(context: { services: Services; actor: string }): Promise<{ text: string; json: unknown }>;
  forUser(context: { services: Services; actor: string; githubId: number; reason?: string }): Promise<{ text: string; json: unknown }>;
}

/** A command acting on one user (--user <id>) or on everyone (--all), never both. */
function userOrAllCommand({ name, summary, allDescription, forAll, forUser }: UserOrAllCommand): CliCommand {
  return {
    name,
    summary,
    options: {
      ...USER_OPTIONS,
      all: { type: "boolean", default: false, description: allDescription },
      reason: { type: "string", description: "Why, for the audit trail (for one user)" },
      ...ACTOR_OPTION,
    },
    async run({ services, values, output }) {
      const actor = actorFrom(values);
      if (namesUser(values) === (values.all === true)) throw new CliInputError("give exactly one of --github-id <id>, --login <login> or --all");
      const reason = typeof values.reason === "string" ? values.reason : undefined;
      const result = values.all
        ? await forAll({ services, actor })
        : await forUser({ services, actor, githubId: await githubIdOfUser(values, services), reason });
      output.line(result.text);
      output.json(result.json);
    },
  };
}

export const migrationCommands: CliCommand[] = [
  {
    name: "migration status",
    summary: "Users per status, share migrated, flags and recent batches.",
    async run({ services, output }) {
      const overview = await migrationOverview({
        models: services.models,
        flags: services.flags,
        batches: services.migrationBatches,
        trends: services.campaignTrends,
      });
      output.line(`users: ${overview.total_users}, migrated: ${overview.percent_migrated}%`);
      for (const [status, count] of Object.entries(overview.by_status)) output.line(`  ${status.padEnd(17)} ${count}`);
      const { this_hour: thisHour, last_24_hours: lastDay } = overview.oauth_fallbacks;
      output.line(`OAuth fallbacks (every instance): ${thisHour.total} this hour, ${lastDay.total} in the last 24 hours`);
      output.line("flags:");
      for (const flag of overview.flags) output.line(`  ${flag.name} = ${JSON.stringify(flag.value)} (${flag.source})`);
      output.line("recent batches:");
      for (const batch of overview.recent_batches) {
        output.line(`  #${batch.id} ${batch.dryRun ? "dry run" : batch.state.replaceAll("_", " ")} by ${batch.requestedBy}: ${describeCounts(batch.counts)}`);
      }
      output.json(overview);
    },
  },
  {
    name: "migration batch",
    summary: "Run one migration batch in the foreground, with a progress line.",
    options: {
      size: { type: "string", description: "Users to claim (default: the user_migration_batch_size flag)" },
      "dry-run": { type: "boolean", default: false, description: "Report what would happen; change nothing" },
      "until-done": { type: "boolean", default: false, description: "Keep running batches until nobody is left to claim" },
      ...ACTOR_OPTION,
    },
    async run({ services, values, output }) {
      const actor = actorFrom(values);
      const size = batchSizeFrom(values.size, "size");
      if (values["until-done"] && values["dry-run"]) throw new CliInputError("--until-done and --dry-run do not go together");
      const onProgress = progressBar(output);
      const batches = values["until-done"]
        ? await services.migrationBatches.runToCompletion({ size, actor, onProgress })
        : [await services.migrationBatches.run({ size, dryRun: values["dry-run"] === true, actor, onProgress })];
      for (const batch of batches) describeBatch(output, batch);
      output.json(batches);
      return batches.some((batch) => batch.state !== "finished") ? EXIT_FAILED : 0;
    },
  },
  userOrAllCommand({
    name: "migration rollback",
    summary: "Serve legacy OAuth tokens again: to one user (--user) or to everyone (--all).",
    allDescription: "Global rollback (github_app_tokens_enabled=false)",
    forAll: async ({ services, actor }) => {
      const change = await services.migrationRollback.rollbackAll({ actor });
      return { text: `github_app_tokens_enabled: ${JSON.stringify(change.oldValue)} → false; every user is served OAuth tokens`, json: change };
    },
    forUser: async ({ services, actor, githubId, reason }) => {
      const user = await services.migrationRollback.rollbackUser(githubId, { actor, reason });
      return { text: `user ${user.githubId} (${user.login}) is rolled_back; resolution serves the OAuth token`, json: { github_id: user.githubId, status: user.tokenMigrationStatus } };
    },
  }),
  userOrAllCommand({
    name: "migration reenable",
    summary: "Undo a rollback: one user back to pending (--user), or App tokens on for everyone (--all).",
    allDescription: "github_app_tokens_enabled=true",
    forAll: async ({ services, actor }) => {
      const change = await services.migrationRollback.reenableAll({ actor });
      return { text: "github_app_tokens_enabled → true", json: change };
    },
    forUser: async ({ services, actor, githubId, reason }) => {
      const user = await services.migrationRollback.reenableUser(githubId, { actor, reason });
      return { text: `user ${user.githubId} (${user.login}) is pending again`, json: { github_id: user.githubId, status: user.tokenMigrationStatus } };
    },
  }),
  {
    name: "migration cleanup",
    summary: "Revoke legacy grants and drop legacy tokens of recently validated migrated users (a dry run unless --confirm).",
    options: {
      confirm: { type: "boolean", default: false, description: "Act: revoke at GitHub and drop the tokens listed" },
      "validated-within-days": { type: "string", default: "7", description: "Only users whose App token validated this recently" },
      ...ACTOR_OPTION,
    },
    async run({ services, values, output }) {
      const days = Number(values["validated-within-days"]);
      if (!Number.isInteger(days) || days < 1 || days > 365) throw new CliInputError("--validated-within-days must be 1 to 365");
      const report = await services.legacyCleanup.run({
        dryRun: values.confirm !== true,
        confirm: values.confirm === true ? CLEANUP_CONFIRMATION : undefined,
        actor: actorFrom(values),
        validatedWithinDays: days,
      });
      output.line(
        report.dry_run
          ? `dry run — would revoke: ${report.cleaned_count}, left alone: ${report.not_cleaned_count}`
          : `revoked: ${report.revoked_count}, already dead: ${report.already_dead_count}, left alone: ${report.not_cleaned_count}, failed: ${report.failed_count}`,
      );
      for (const entry of report.cleaned) output.line(`  ${entry.outcome!.replace("_", " ")} ${entry.github_id} (${entry.login})`);
      for (const entry of report.not_cleaned) output.line(`  kept ${entry.github_id} (${entry.login}): ${entry.reason}`);
      for (const entry of report.failed) output.line(`  FAILED ${entry.github_id} (${entry.login}), token kept for the next run: ${entry.reason}`);
      if (report.stopped) output.line(`stopped early: ${report.stopped}`);
      output.json(report);
      return report.failed_count > 0 ? EXIT_FAILED : 0;
    },
  },
];
