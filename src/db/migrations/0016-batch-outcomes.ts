// Issue 16: a batch says how it ended for its users. `finished_with_errors` for a batch some of whose
// users hit an unexpected error, and `user_errors` naming who and why (the first ones), so those
// errors live in the batch's outcome instead of the progress output.
import type { MigrationFn } from "umzug";
import type { QueryInterface } from "sequelize";

export const up: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  await sql(`ALTER TABLE migration_batches DROP CONSTRAINT migration_batches_state_check`);
  await sql(`
    ALTER TABLE migration_batches ADD CONSTRAINT migration_batches_state_check
    CHECK (state IN ('running', 'finished', 'finished_with_errors', 'failed'))`);
  await sql(`ALTER TABLE migration_batches ADD COLUMN user_errors JSONB NOT NULL DEFAULT '[]'::jsonb`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  await sql(`ALTER TABLE migration_batches DROP COLUMN user_errors`);
  await sql(`UPDATE migration_batches SET state = 'failed' WHERE state = 'finished_with_errors'`);
  await sql(`ALTER TABLE migration_batches DROP CONSTRAINT migration_batches_state_check`);
  await sql(`ALTER TABLE migration_batches ADD CONSTRAINT migration_batches_state_check CHECK (state IN ('running', 'finished', 'failed'))`);
};
