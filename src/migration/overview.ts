// The migration at a glance, for the admin API, the CLI and the dashboard: users per status,
// the share migrated, OAuth fallbacks served (every instance's, from the database), the flags and
// the latest batches.
import { QueryTypes } from "sequelize";
import { MIGRATION_STATUSES, type MigrationStatus, type Models } from "../db/models/index.js";
import type { BatchView, MigrationBatches } from "./batches.js";
import type { CampaignTrends, FallbackFigures } from "./trends.js";
import type { FeatureFlags, FlagState } from "../users/flags.js";

export interface MigrationOverview {
  total_users: number;
  by_status: Record<MigrationStatus, number>;
  percent_migrated: number;
  /** Legacy OAuth tokens served instead of App tokens by every instance, by reason: this hour and the last 24 hours. */
  oauth_fallbacks: FallbackFigures;
  flags: FlagState[];
  recent_batches: BatchView[];
}

export async function migrationOverview({
  models,
  flags,
  batches,
  trends,
}: {
  models: Models;
  flags: FeatureFlags;
  batches: MigrationBatches;
  trends: Pick<CampaignTrends, "fallbacks">;
}): Promise<MigrationOverview> {
  const rows = await models.sequelize.query<{ status: MigrationStatus; count: number }>(
    "SELECT token_migration_status AS status, count(*)::int AS count FROM users GROUP BY token_migration_status",
    { type: QueryTypes.SELECT },
  );
  const byStatus = Object.fromEntries(MIGRATION_STATUSES.map((status) => [status, 0])) as Record<MigrationStatus, number>;
  for (const row of rows) byStatus[row.status] = row.count;
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  return {
    total_users: total,
    by_status: byStatus,
    percent_migrated: total === 0 ? 0 : Math.round((byStatus.migrated / total) * 1000) / 10,
    oauth_fallbacks: await trends.fallbacks(),
    flags: await flags.list(),
    recent_batches: await batches.recent(10),
  };
}
