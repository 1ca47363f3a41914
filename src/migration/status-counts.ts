// Users per status, and how many hold a legacy token and no App token, without counting the users
// table: triggers of migration 0022 add a row of changes to user_status_counts for every (status,
// legacy-only) a statement adds users to or removes them from (an import, a transition, a token
// issued or wiped, a delete), so a count is a sum over a few rows. Reading folds the rows into one
// per (status, legacy-only) once they pile up, one reader at a time.
import { QueryTypes } from "sequelize";
import { MIGRATION_STATUSES, type MigrationStatus, type Models } from "../db/models/index.js";

/** Rows of changes a read sums before it folds them. */
const FOLD_ABOVE_ROWS = 1_000;

export async function usersByStatus(models: Models): Promise<Record<MigrationStatus, number>> {
  const byStatus = Object.fromEntries(MIGRATION_STATUSES.map((status) => [status, 0])) as Record<MigrationStatus, number>;
  for (const row of await keptCounts(models)) byStatus[row.status] += row.count;
  return byStatus;
}

/** Users holding a legacy OAuth token and no App token: whom the OAuth fallback serves today. */
export async function legacyTokenOnlyUsers(models: Models): Promise<number> {
  return (await keptCounts(models)).filter((row) => row.legacy_only).reduce((sum, row) => sum + row.count, 0);
}

async function keptCounts(models: Models): Promise<Array<{ status: MigrationStatus; legacy_only: boolean; count: number }>> {
  const rows = await models.sequelize.query<{ status: MigrationStatus; legacy_only: boolean; count: number; rows: number }>(
    "SELECT status, legacy_only, sum(users)::int AS count, count(*)::int AS rows FROM user_status_counts GROUP BY status, legacy_only",
    { type: QueryTypes.SELECT },
  );
  if (rows.reduce((sum, row) => sum + row.rows, 0) > FOLD_ABOVE_ROWS) await foldCounts(models);
  return rows;
}

/**
 * Replaces the rows of changes by one row per (status, legacy-only), in one statement. A fold that
 * finds another one running skips: two folds at once would each delete rows the other then sums into
 * rows of its own, and a reader between them would see neither.
 */
async function foldCounts(models: Models): Promise<void> {
  await models.sequelize.query(
    `WITH folding AS (SELECT pg_try_advisory_xact_lock(hashtext('github-app-user-tokens:user-status-counts')) AS alone),
          folded AS (DELETE FROM user_status_counts WHERE (SELECT alone FROM folding) RETURNING status, legacy_only, users)
     INSERT INTO user_status_counts (status, legacy_only, users)
     SELECT status, legacy_only, sum(users) FROM folded GROUP BY status, legacy_only HAVING sum(users) <> 0`,
  );
}
