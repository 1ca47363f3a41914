// Users per migration status without counting the users table: triggers of migration 0022 add a row
// of changes to user_status_counts for every status a statement adds or removes users from (an
// import, a transition, a delete), so a count is a sum over a few rows. Reading folds the rows into
// one per status once they pile up, one reader at a time.
import { QueryTypes } from "sequelize";
import { MIGRATION_STATUSES, type MigrationStatus, type Models } from "../db/models/index.js";

/** Rows of changes a read sums before it folds them. */
const FOLD_ABOVE_ROWS = 1_000;

export async function usersByStatus(models: Models): Promise<Record<MigrationStatus, number>> {
  const rows = await models.sequelize.query<{ status: MigrationStatus; count: number; rows: number }>(
    "SELECT status, sum(users)::int AS count, count(*)::int AS rows FROM user_status_counts GROUP BY status",
    { type: QueryTypes.SELECT },
  );
  if (rows.reduce((sum, row) => sum + row.rows, 0) > FOLD_ABOVE_ROWS) await foldStatusCounts(models);
  const byStatus = Object.fromEntries(MIGRATION_STATUSES.map((status) => [status, 0])) as Record<MigrationStatus, number>;
  for (const row of rows) byStatus[row.status] = row.count;
  return byStatus;
}

/**
 * Replaces the rows of changes by one row per status, in one statement. A fold that finds another
 * one running skips: two folds at once would each delete rows the other then sums into rows of its
 * own, and a reader between them would see neither.
 */
async function foldStatusCounts(models: Models): Promise<void> {
  await models.sequelize.query(
    `WITH folding AS (SELECT pg_try_advisory_xact_lock(hashtext('github-app-user-tokens:user-status-counts')) AS alone),
          folded AS (DELETE FROM user_status_counts WHERE (SELECT alone FROM folding) RETURNING status, users)
     INSERT INTO user_status_counts (status, users)
     SELECT status, sum(users) FROM folded GROUP BY status HAVING sum(users) <> 0`,
  );
}
