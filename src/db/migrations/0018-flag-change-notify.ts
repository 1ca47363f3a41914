// Every write to feature_flags, whoever makes it (the API, the CLI, a hand-edit in psql), sends one
// NOTIFY on commit, so each instance's in-memory copy of the flags (users/flag-cache) is dropped
// within milliseconds. Statement-level: a transaction changing several flags notifies once per statement.
import type { MigrationFn } from "umzug";
import type { QueryInterface } from "sequelize";

export const FLAG_CHANGE_CHANNEL = "feature_flags_changed";

export const up: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  await sql(`
    CREATE FUNCTION notify_feature_flags_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${FLAG_CHANGE_CHANNEL}', TG_OP);
      RETURN NULL;
    END
    $$`);
  await sql(`
    CREATE TRIGGER feature_flags_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feature_flags
    FOR EACH STATEMENT EXECUTE FUNCTION notify_feature_flags_changed()`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  await queryInterface.sequelize.query("DROP TRIGGER IF EXISTS feature_flags_changed ON feature_flags");
  await queryInterface.sequelize.query("DROP FUNCTION IF EXISTS notify_feature_flags_changed()");
};
