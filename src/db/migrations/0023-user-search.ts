// Issue 20: the console's Users page and the admin API find users among hundreds of thousands by a
// login prefix, a status or a refresh failure class, a page at a time in order of last change. Each
// way has an index read in key order, so a page never sorts or skips rows. The cost: a refresh
// (which moves updated_at) now updates two more index entries; it happens hours apart per user.
import type { MigrationFn } from "umzug";
import type { QueryInterface } from "sequelize";

export const up: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  // text_pattern_ops: LIKE 'prefix%' can use it whatever the database's collation.
  await sql(`CREATE INDEX users_login_prefix_idx ON users (lower(login) text_pattern_ops)`);
  await sql(`CREATE INDEX users_changed_idx ON users (updated_at, id)`);
  await sql(`CREATE INDEX users_status_changed_idx ON users (token_migration_status, updated_at, id)`);
  await sql(`
    CREATE INDEX users_failure_changed_idx ON users (refresh_failure_class, updated_at, id)
    WHERE refresh_failure_class IS NOT NULL`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  await sql(`DROP INDEX users_failure_changed_idx`);
  await sql(`DROP INDEX users_status_changed_idx`);
  await sql(`DROP INDEX users_changed_idx`);
  await sql(`DROP INDEX users_login_prefix_idx`);
};
