// Issue 20: the maintainers' console at 100,000 users and 1,000,000 audit events answers from
// indexes, not scans (docs/benchmarks.md, row 7; test/integration/dashboard/console-query-plans.test.ts):
// users listed by last change (keyset on updated_at, id), within a status or a refresh-failure
// class, found by login prefix, and the overview's counts and last-hour figures. The readiness
// report reads only the checks that found something to report.
import type { MigrationFn } from "umzug";
import type { QueryInterface } from "sequelize";

export const up: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  // Users by last change, all of them or within one status or failure class: a page is a range of
  // one of these, however deep the cursor.
  await sql(`CREATE INDEX users_updated_idx ON users (updated_at, id)`);
  await sql(`CREATE INDEX users_status_updated_idx ON users (token_migration_status, updated_at, id)`);
  await sql(`
    CREATE INDEX users_failure_class_updated_idx ON users (refresh_failure_class, updated_at, id)
    WHERE refresh_failure_class IS NOT NULL`);
  // Login prefixes compare byte-wise whatever the database's collation (a LIKE 'abc%' cannot use a
  // default-collation index unless the collation is C); equality on lower(login) uses it too, so it
  // replaces 0001's users_login_idx.
  await sql(`CREATE INDEX users_login_prefix_idx ON users (lower(login) text_pattern_ops)`);
  await sql(`DROP INDEX users_login_idx`);
  // The overview's count of users the OAuth fallback serves: only those rows are in the index.
  await sql(`
    CREATE INDEX users_legacy_only_idx ON users (id)
    WHERE github_app_user_token IS NULL AND (provider_info->>'access_token') IS NOT NULL`);
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
};

export const down: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  await sql(`DROP INDEX user_access_checks_rate_limit_drop_idx`);
  await sql(`DROP INDEX user_access_checks_missing_idx`);
  await sql(`DROP INDEX users_refresh_failed_idx`);
  await sql(`CREATE INDEX users_refresh_idle_idx ON users (github_app_token_refreshed_at) WHERE github_app_refresh_token IS NOT NULL`);
  await sql(`DROP INDEX users_token_refreshed_idx`);
  await sql(`DROP INDEX users_legacy_only_idx`);
  await sql(`CREATE INDEX users_login_idx ON users (lower(login))`);
  await sql(`DROP INDEX users_login_prefix_idx`);
  await sql(`DROP INDEX users_failure_class_updated_idx`);
  await sql(`DROP INDEX users_status_updated_idx`);
  await sql(`DROP INDEX users_updated_idx`);
};
