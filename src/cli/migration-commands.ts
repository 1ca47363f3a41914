// `migration status|batch|run|rollback|reenable|cleanup`: the migration engine from a terminal,
// over the same services as the admin API.
import type { BatchView } from "../migration/batches.js";
import { CLEANUP_CONFIRMATION } from "../migration/cleanup.js";
import { CleanupRefusedError, MigrationNotConfiguredError } from "../migration/errors.js";
import { migrationOverview } from "../migration/overview.js";
import { IllegalTransitionError } from "../users/status-machine.js";
import { UserNotFoundError } from "../users/errors.js";
import type { Services } from "../services.js";
import type { CliCommand, CliOutput } from "./command.js";
import { ACTOR_OPTION, actorFrom, CliInputError, githubIdFrom, reportingRefusals } from "./maintainer-input.js";

const REFUSALS = [CleanupRefusedError, MigrationNotConfiguredError, IllegalTransitionError, UserNotFoundError];

function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? "nothing yet" : entries.map(([key, value]) => `${key} ${value}`).join(", ");
}

function progressLine(output: CliOutput) {
  return (batch: BatchView) => output.progress(`batch ${batch.id} ${batch.state}: ${describeCounts(batch.counts)}`);
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
      user: { type: "string", description: "The user's GitHub id" },
      all: { type: "boolean", default: false, description: allDescription },
      reason: { type: "string", description: "Why, for the audit trail (with --user)" },
      ...ACTOR_OPTION,
    },
    async run({ services, values, output }) {
      return reportingRefusals(
        output,
        async () => {
          const actor = actorFrom(values);
          if ((values.user === undefined) === (values.all !== true)) throw new CliInputError("give exactly one of --user <id> or --all");
          const reason = typeof values.reason === "string" ? values.reason : undefined;
          const result = values.all
            ? await forAll({ services, actor })
            : await forUser({ services, actor, githubId: githubIdFrom(values.user, "user"), reason });
          output.line(result.text);
          output.json(result.json);
        },
        REFUSALS,
      );
    },
  };
}

export const migrationCommands: CliCommand[] = [
  {
    name: "migration status",
    summary: "Users per status, share migrated, flags and recent batches.",
    async run({ services, output }) {
      const overview = await migrationOverview({ models: services.models, flags: services.flags, batches: services.migrationBatches });
      output.line(`users: ${overview.total_users}, migrated: ${overview.percent_migrated}%`);
      for (const [status, count] of Object.entries(overview.by_status)) output.line(`  ${status.padEnd(17)} ${count}`);
      output.line("flags:");
      for (const flag of overview.flags) output.line(`  ${flag.name} = ${JSON.stringify(flag.value)} (${flag.source})`);
      output.line("recent batches:");
      for (const batch of overview.recent_batches) {
        output.line(`  #${batch.id} ${batch.state}${batch.dryRun ? " (dry run)" : ""} by ${batch.requestedBy}: ${describeCounts(batch.counts)}`);
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
      return reportingRefusals(
        output,
        async () => {
          const actor = actorFrom(values);
          const size = values.size === undefined ? undefined : Number(values.size);
          if (size !== undefined && !(Number.isInteger(size) && size >= 1 && size <= 10_000)) {
            throw new CliInputError("--size must be a whole number from 1 to 10000");
          }
          if (values["until-done"] && values["dry-run"]) throw new CliInputError("--until-done and --dry-run do not go together");
          const onProgress = progressLine(output);
          const batches = values["until-done"]
            ? await services.migrationBatches.runToCompletion({ size, actor, onProgress })
            : [await services.migrationBatches.run({ size, dryRun: values["dry-run"] === true, actor, onProgress })];
          for (const batch of batches) {
            output.line(`batch ${batch.id} ${batch.state}${batch.dryRun ? " (dry run)" : ""}: ${describeCounts(batch.counts)}`);
          }
          output.json(batches);
          return batches.some((batch) => batch.state === "failed") ? 1 : 0;
        },
        REFUSALS,
      );
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
      return reportingRefusals(
        output,
        async () => {
          const days = Number(values["validated-within-days"]);
          if (!Number.isInteger(days) || days < 1 || days > 365) throw new CliInputError("--validated-within-days must be 1 to 365");
          const report = await services.legacyCleanup.run({
            dryRun: values.confirm !== true,
            confirm: values.confirm === true ? CLEANUP_CONFIRMATION : undefined,
            actor: actorFrom(values),
            validatedWithinDays: days,
          });
          output.line(`${report.dry_run ? "dry run — would clean" : "cleaned"}: ${report.cleaned_count}, left alone: ${report.not_cleaned_count}, failed: ${report.failed_count}`);
          for (const entry of report.not_cleaned) output.line(`  kept ${entry.github_id} (${entry.login}): ${entry.reason}`);
          for (const entry of report.failed) output.line(`  FAILED ${entry.github_id} (${entry.login}): ${entry.reason}`);
          output.json(report);
          return report.failed_count > 0 ? 1 : 0;
        },
        REFUSALS,
      );
    },
  },
];
