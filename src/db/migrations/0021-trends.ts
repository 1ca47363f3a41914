// Issue 20, trends the same on every instance: token activity per hour (each instance adds its own
// counts every few seconds, as token_resolution_outcomes does per minute for the rollout guard), and
// users per status per hour for closed hours, rolled up from the audit trail by a singleton job so a
// page never groups a million events. No column here holds a token.
import type { MigrationFn } from "umzug";
import type { QueryInterface } from "sequelize";

export const up: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);

  // measure → label: resolution → the token type served (or reauth_required / unavailable),
  // fallback → why the OAuth token was served, refresh → the refresh's outcome at GitHub,
  // reauth_required → the failure class of a user moved to reauth_required.
  await sql(`
    CREATE TABLE token_activity_hours (
      hour        TIMESTAMPTZ NOT NULL,
      instance_id TEXT NOT NULL,
      measure     TEXT NOT NULL CHECK (measure IN ('resolution', 'fallback', 'refresh', 'reauth_required')),
      label       TEXT NOT NULL,
      count       INTEGER NOT NULL CHECK (count >= 0),
      PRIMARY KEY (hour, instance_id, measure, label)
    )`);

  // Per closed hour and status: users who arrived in it (a new user row arrives in pending) and who
  // left it (migration_events). Hours with no change have no row; user_status_rollup says how far
  // the rollup has gone, so later hours are counted live from the events.
  await sql(`
    CREATE TABLE user_status_hours (
      hour     TIMESTAMPTZ NOT NULL,
      status   TEXT NOT NULL,
      arrived  INTEGER NOT NULL CHECK (arrived >= 0),
      departed INTEGER NOT NULL CHECK (departed >= 0),
      PRIMARY KEY (hour, status)
    )`);
  await sql(`
    CREATE TABLE user_status_rollup (
      single       BOOLEAN PRIMARY KEY DEFAULT true CHECK (single),
      rolled_until TIMESTAMPTZ NOT NULL
    )`);
  // Users created since the rollup's mark are counted live: an index range, not a scan of every user.
  await sql(`CREATE INDEX users_created_idx ON users (created_at)`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  await sql(`DROP INDEX IF EXISTS users_created_idx`);
  for (const table of ["user_status_rollup", "user_status_hours", "token_activity_hours"]) {
    await sql(`DROP TABLE IF EXISTS ${table} CASCADE`);
  }
};
