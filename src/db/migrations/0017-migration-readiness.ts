// Migration readiness (issue 17): each user's last access check, the readiness scan as a resumable
// job shared by instances, token resolution outcomes per minute for the rollout guard, the guard's
// events, and a `paused` state for batches the guard stops (next to 0016's `finished_with_errors`).
// No column here holds a token.
import type { MigrationFn } from "umzug";
import type { QueryInterface } from "sequelize";

export const up: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);

  // One row per user: the latest check replaces the previous one. `missing` lists, per account the
  // App does not reach for this user, the count, a few sample names and the repository ids (so the
  // readiness view counts an organization's repositories once however many users read them).
  await sql(`
    CREATE TABLE user_access_checks (
      user_id                BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      checked_at             TIMESTAMPTZ NOT NULL,
      outcome                TEXT NOT NULL CHECK (outcome IN ('checked', 'no_legacy_token', 'legacy_token_dead')),
      legacy_repositories    INTEGER NOT NULL DEFAULT 0 CHECK (legacy_repositories >= 0),
      legacy_truncated       BOOLEAN NOT NULL DEFAULT false,
      covered_repositories   INTEGER NOT NULL DEFAULT 0 CHECK (covered_repositories >= 0 AND covered_repositories <= legacy_repositories),
      coverage_source        TEXT NOT NULL CHECK (coverage_source IN ('installations', 'app_token')),
      app_token_repositories INTEGER CHECK (app_token_repositories >= 0),
      missing                JSONB NOT NULL DEFAULT '[]'::jsonb,
      legacy_rate_limit      INTEGER CHECK (legacy_rate_limit > 0),
      app_rate_limit         INTEGER CHECK (app_rate_limit > 0)
    )`);
  await sql(`CREATE INDEX user_access_checks_checked_idx ON user_access_checks (checked_at)`);

  await sql(`
    CREATE TABLE readiness_scans (
      id           BIGSERIAL PRIMARY KEY,
      requested_by TEXT NOT NULL,
      state        TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'finished')),
      total        INTEGER NOT NULL CHECK (total >= 0),
      started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
      finished_at  TIMESTAMPTZ
    )`);
  // One scan runs at a time: a second start is refused by the database, whichever instance asks.
  await sql(`CREATE UNIQUE INDEX readiness_scans_one_running_idx ON readiness_scans ((true)) WHERE state = 'running'`);
  await sql(`
    CREATE TABLE readiness_scan_users (
      scan_id       BIGINT NOT NULL REFERENCES readiness_scans (id) ON DELETE CASCADE,
      user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
      attempts      INTEGER NOT NULL DEFAULT 0,
      claimed_until TIMESTAMPTZ,
      last_error    TEXT,
      PRIMARY KEY (scan_id, user_id)
    )`);
  await sql(`CREATE INDEX readiness_scan_users_pending_idx ON readiness_scan_users (scan_id, user_id) WHERE state = 'pending'`);

  // Each instance adds its counts per minute; the guard sums every instance's over its window.
  await sql(`
    CREATE TABLE token_resolution_outcomes (
      minute      TIMESTAMPTZ NOT NULL,
      instance_id TEXT NOT NULL,
      outcome     TEXT NOT NULL CHECK (outcome IN ('served', 'reauth_required', 'refresh_failed')),
      count       INTEGER NOT NULL CHECK (count >= 0),
      PRIMARY KEY (minute, instance_id, outcome)
    )`);
  await sql(`
    CREATE TABLE rollout_guard_events (
      id         BIGSERIAL PRIMARY KEY,
      kind       TEXT NOT NULL CHECK (kind IN ('tripped', 'cleared', 'override')),
      reason     TEXT NOT NULL,
      actor      TEXT NOT NULL,
      figures    JSONB NOT NULL DEFAULT '{}'::jsonb,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
  await sql(`CREATE INDEX rollout_guard_events_recent_idx ON rollout_guard_events (created_at DESC, id DESC)`);

  await sql(`ALTER TABLE migration_batches DROP CONSTRAINT IF EXISTS migration_batches_state_check`);
  await sql(`
    ALTER TABLE migration_batches ADD CONSTRAINT migration_batches_state_check
    CHECK (state IN ('running', 'paused', 'finished', 'finished_with_errors', 'failed'))`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  await sql(`UPDATE migration_batches SET state = 'running' WHERE state = 'paused'`);
  await sql(`ALTER TABLE migration_batches DROP CONSTRAINT IF EXISTS migration_batches_state_check`);
  await sql(`ALTER TABLE migration_batches ADD CONSTRAINT migration_batches_state_check CHECK (state IN ('running', 'finished', 'finished_with_errors', 'failed'))`);
  for (const table of ["rollout_guard_events", "token_resolution_outcomes", "readiness_scan_users", "readiness_scans", "user_access_checks"]) {
    await sql(`DROP TABLE IF EXISTS ${table} CASCADE`);
  }
};
