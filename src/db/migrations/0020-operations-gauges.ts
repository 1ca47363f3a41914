// Issue 20: the figures the alerts read come from the database every few seconds on every
// instance, so each one must be an index lookup: running batches by heartbeat (stalled batches),
// and App refresh tokens by their end (refresh tokens close to expiring and not refreshed).
import type { MigrationFn } from "umzug";
import type { QueryInterface } from "sequelize";

export const up: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  await sql(`CREATE INDEX migration_batches_running_heartbeat_idx ON migration_batches (heartbeat_at) WHERE state = 'running'`);
  await sql(`
    CREATE INDEX users_refresh_token_end_idx ON users (github_app_refresh_token_expires_at)
    WHERE github_app_refresh_token IS NOT NULL`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  await sql(`DROP INDEX users_refresh_token_end_idx`);
  await sql(`DROP INDEX migration_batches_running_heartbeat_idx`);
};
