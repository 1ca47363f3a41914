// Issue 20: the maintainers' console at 100,000 users and 1,000,000 audit events answers from
// indexes and a kept count, not scans (docs/benchmarks.md, row 7; test/integration/dashboard/
// console-query-plans.test.ts): the overview's users per status and on the legacy token only,
// its last-hour figures, and the readiness report's checks that found something to report. The users list's
// indexes (by last change, within a status or failure class, by login prefix) are 0023's.
import type { MigrationFn } from "umzug";
import type { QueryInterface } from "sequelize";

export const up: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  // Last-hour figures: tokens issued or renewed (any App token, with or without a refresh token:
  // this replaces 0001's users_refresh_idle_idx, which only held refreshable ones and no query
  // read), and refreshes that failed for good.
  await sql(`CREATE INDEX users_token_refreshed_idx ON users (github_app_token_refreshed_at)`);
  await sql(`DROP INDEX users_refresh_idle_idx`);
  await sql(`CREATE INDEX users_refresh_failed_idx ON users (refresh_failed_at) WHERE refresh_failure_class IS NOT NULL`);
  // Readiness: the accounts missing the App come from the few checks that found some, and the
  // rate-limit drops in the order shown (the expression's statistics also tell the planner how few
  // they are, which a comparison of two columns cannot).
  await sql(`CREATE INDEX user_access_checks_missing_idx ON user_access_checks (user_id) WHERE missing <> '[]'::jsonb`);
  await sql(`CREATE INDEX user_access_checks_rate_limit_drop_idx ON user_access_checks ((legacy_rate_limit - app_rate_limit))`);

  await countUsersByStatus(queryInterface);
};

/**
 * Users per status, and whether they hold a legacy token and no App token (whom the OAuth fallback
 * serves), kept by triggers, so the overview sums a few rows instead of counting every user twice
 * (an index-only scan of 100,000 entries when the visibility map allows it, else the whole table):
 * each statement adds a row of changes per (status, legacy-only) it moved users into or out of;
 * readers fold them (migration/status-counts.ts). Appending, not updating a row per status, keeps concurrent
 * transitions from queueing on seven hot rows. Created and filled under a lock that holds writes
 * off, so no change is counted twice or missed.
 */
async function countUsersByStatus(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.sequelize.transaction(async (transaction) => {
    const sql = (statement: string) => queryInterface.sequelize.query(statement, { transaction });
    await sql(`LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE`);
    await sql(`
      CREATE TABLE user_status_counts (
        id          BIGSERIAL PRIMARY KEY,
        status      TEXT NOT NULL,
        legacy_only BOOLEAN NOT NULL,
        users       BIGINT NOT NULL
      )`);
    // The one definition of "on the legacy token only", for the triggers and the first count.
    await sql(`
      CREATE FUNCTION user_is_legacy_only(app_token TEXT, provider_info JSONB) RETURNS BOOLEAN
      LANGUAGE sql IMMUTABLE AS $$ SELECT app_token IS NULL AND (provider_info->>'access_token') IS NOT NULL $$`);
    // Inserted rows count up, deleted ones down; both triggers name their transition table alike.
    await sql(`
      CREATE FUNCTION user_status_counts_added_or_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO user_status_counts (status, legacy_only, users)
        SELECT token_migration_status, user_is_legacy_only(github_app_user_token, provider_info),
               CASE TG_OP WHEN 'INSERT' THEN count(*) ELSE -count(*) END
          FROM changed_users GROUP BY 1, 2;
        RETURN NULL;
      END $$`);
    await sql(`
      CREATE FUNCTION user_status_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO user_status_counts (status, legacy_only, users)
        VALUES (OLD.token_migration_status, user_is_legacy_only(OLD.github_app_user_token, OLD.provider_info), -1),
               (NEW.token_migration_status, user_is_legacy_only(NEW.github_app_user_token, NEW.provider_info), 1);
        RETURN NULL;
      END $$`);
    await sql(`
      CREATE FUNCTION user_status_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM user_status_counts;
        RETURN NULL;
      END $$`);
    // Statement-level with transition tables for inserts and deletes (an import writes 500 users a
    // statement); row-level for updates, and only those that move a user's status or legacy-only
    // standing (a refresh, which replaces one App token by another, fires nothing).
    await sql(`
      CREATE TRIGGER users_status_counts_insert AFTER INSERT ON users
      REFERENCING NEW TABLE AS changed_users FOR EACH STATEMENT EXECUTE FUNCTION user_status_counts_added_or_removed()`);
    await sql(`
      CREATE TRIGGER users_status_counts_delete AFTER DELETE ON users
      REFERENCING OLD TABLE AS changed_users FOR EACH STATEMENT EXECUTE FUNCTION user_status_counts_added_or_removed()`);
    await sql(`
      CREATE TRIGGER users_status_counts_update AFTER UPDATE OF token_migration_status, github_app_user_token, provider_info ON users
      FOR EACH ROW WHEN (OLD.token_migration_status IS DISTINCT FROM NEW.token_migration_status
                         OR user_is_legacy_only(OLD.github_app_user_token, OLD.provider_info)
                            IS DISTINCT FROM user_is_legacy_only(NEW.github_app_user_token, NEW.provider_info))
      EXECUTE FUNCTION user_status_counts_moved()`);
    await sql(`CREATE TRIGGER users_status_counts_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION user_status_counts_truncated()`);
    await sql(`
      INSERT INTO user_status_counts (status, legacy_only, users)
      SELECT token_migration_status, user_is_legacy_only(github_app_user_token, provider_info), count(*) FROM users GROUP BY 1, 2`);
  });
}

export const down: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  for (const event of ["insert", "delete", "update", "truncate"]) await sql(`DROP TRIGGER users_status_counts_${event} ON users`);
  for (const change of ["added_or_removed", "moved", "truncated"]) await sql(`DROP FUNCTION user_status_counts_${change}()`);
  await sql(`DROP TABLE user_status_counts`);
  await sql(`DROP FUNCTION user_is_legacy_only(TEXT, JSONB)`);
  await sql(`DROP INDEX user_access_checks_rate_limit_drop_idx`);
  await sql(`DROP INDEX user_access_checks_missing_idx`);
  await sql(`DROP INDEX users_refresh_failed_idx`);
  await sql(`CREATE INDEX users_refresh_idle_idx ON users (github_app_token_refreshed_at) WHERE github_app_refresh_token IS NOT NULL`);
  await sql(`DROP INDEX users_token_refreshed_idx`);
};
