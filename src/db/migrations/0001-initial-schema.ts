// The whole data model of DESIGN.md "Data". Token columns hold sealed envelopes only (v1.<kid>.…).
import type { MigrationFn } from "umzug";
import type { QueryInterface } from "sequelize";

const MIGRATION_STATUSES = [
  "pending",
  "consent_required",
  "migrated",
  "reauth_required",
  "revoked",
  "failed",
  "rolled_back",
];

const statusList = MIGRATION_STATUSES.map((status) => `'${status}'`).join(", ");

export const up: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);

  await sql(`
    CREATE TABLE users (
      id                                  BIGSERIAL PRIMARY KEY,
      github_id                           BIGINT NOT NULL UNIQUE CHECK (github_id > 0),
      login                               TEXT NOT NULL,
      provider_info                       JSONB NOT NULL DEFAULT '{}'::jsonb,
      github_app_user_token               TEXT,
      github_app_token_expires_at         TIMESTAMPTZ,
      github_app_refresh_token            TEXT,
      github_app_refresh_token_expires_at TIMESTAMPTZ,
      github_app_token_refreshed_at       TIMESTAMPTZ,
      token_migration_status              TEXT NOT NULL DEFAULT 'pending'
                                          CHECK (token_migration_status IN (${statusList})),
      migration_error                     TEXT,
      migrated_at                         TIMESTAMPTZ,
      last_validated_at                   TIMESTAMPTZ,
      last_validation_result              JSONB,
      refresh_failure_count               INTEGER NOT NULL DEFAULT 0 CHECK (refresh_failure_count >= 0),
      next_refresh_attempt_at             TIMESTAMPTZ,
      last_refresh_error                  TEXT,
      legacy_token_checked_at             TIMESTAMPTZ,
      legacy_token_valid                  BOOLEAN,
      batch_claim_id                      BIGINT,
      batch_claim_expires_at              TIMESTAMPTZ,
      created_at                          TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at                          TIMESTAMPTZ NOT NULL DEFAULT now(),
      CHECK (github_app_user_token IS NULL OR github_app_user_token LIKE 'v1.%'),
      CHECK (github_app_refresh_token IS NULL OR github_app_refresh_token LIKE 'v1.%'),
      CHECK (provider_info->>'access_token' IS NULL OR provider_info->>'access_token' LIKE 'v1.%'),
      CHECK (provider_info->>'refresh_token' IS NULL OR provider_info->>'refresh_token' LIKE 'v1.%')
    )`);
  await sql(`CREATE INDEX users_status_idx ON users (token_migration_status, id)`);
  await sql(`CREATE INDEX users_login_idx ON users (lower(login))`);
  // The keep-alive job scans only users holding an App token, soonest expiry first.
  await sql(`
    CREATE INDEX users_token_expiry_idx ON users (github_app_token_expires_at)
    WHERE github_app_refresh_token IS NOT NULL`);
  await sql(`
    CREATE INDEX users_refresh_idle_idx ON users (github_app_token_refreshed_at)
    WHERE github_app_refresh_token IS NOT NULL`);

  await sql(`
    CREATE TABLE installations (
      id                     BIGINT PRIMARY KEY,
      account_id             BIGINT NOT NULL,
      account_login          TEXT NOT NULL,
      account_type           TEXT NOT NULL,
      target_type            TEXT NOT NULL,
      repository_selection   TEXT NOT NULL CHECK (repository_selection IN ('all', 'selected')),
      permissions            JSONB NOT NULL DEFAULT '{}'::jsonb,
      events                 JSONB NOT NULL DEFAULT '[]'::jsonb,
      previous_account_logins JSONB NOT NULL DEFAULT '[]'::jsonb,
      installed_by_github_id BIGINT,
      suspended_at           TIMESTAMPTZ,
      suspended_by           TEXT,
      deleted_at             TIMESTAMPTZ,
      github_created_at      TIMESTAMPTZ,
      github_updated_at      TIMESTAMPTZ,
      created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at             TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
  await sql(`CREATE INDEX installations_account_idx ON installations (account_id)`);

  await sql(`
    CREATE TABLE installation_repositories (
      installation_id BIGINT NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
      repository_id   BIGINT NOT NULL,
      full_name       TEXT NOT NULL,
      private         BOOLEAN NOT NULL DEFAULT false,
      created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (installation_id, repository_id)
    )`);

  // Which of our users can reach which installation, learned from install-and-authorize returns
  // and from GET /user/installations during validation.
  await sql(`
    CREATE TABLE user_installations (
      user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      installation_id BIGINT NOT NULL,
      source          TEXT NOT NULL,
      linked_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, installation_id)
    )`);
  await sql(`CREATE INDEX user_installations_installation_idx ON user_installations (installation_id)`);

  await sql(`
    CREATE TABLE migration_batches (
      id           BIGSERIAL PRIMARY KEY,
      requested_by TEXT NOT NULL,
      size         INTEGER NOT NULL CHECK (size > 0),
      dry_run      BOOLEAN NOT NULL DEFAULT false,
      state        TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'finished', 'failed')),
      counts       JSONB NOT NULL DEFAULT '{}'::jsonb,
      error        TEXT,
      started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
      heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      finished_at  TIMESTAMPTZ
    )`);
  await sql(`CREATE INDEX migration_batches_started_idx ON migration_batches (started_at DESC)`);
  await sql(`
    ALTER TABLE users ADD CONSTRAINT users_batch_claim_fk
    FOREIGN KEY (batch_claim_id) REFERENCES migration_batches (id) ON DELETE SET NULL`);

  await sql(`
    CREATE TABLE migration_events (
      id          BIGSERIAL PRIMARY KEY,
      user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      from_status TEXT CHECK (from_status IN (${statusList})),
      to_status   TEXT NOT NULL CHECK (to_status IN (${statusList})),
      reason      TEXT NOT NULL,
      actor       TEXT NOT NULL,
      batch_id    BIGINT REFERENCES migration_batches (id) ON DELETE SET NULL,
      created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
  await sql(`CREATE INDEX migration_events_user_idx ON migration_events (user_id, created_at, id)`);
  await sql(`CREATE INDEX migration_events_recent_idx ON migration_events (created_at DESC)`);

  await sql(`
    CREATE TABLE webhook_deliveries (
      delivery_id     TEXT PRIMARY KEY,
      event           TEXT NOT NULL,
      action          TEXT,
      installation_id BIGINT,
      outcome         TEXT NOT NULL CHECK (outcome IN ('processed', 'ignored', 'failed')),
      error           TEXT,
      attempts        INTEGER NOT NULL DEFAULT 1,
      received_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
      processed_at    TIMESTAMPTZ
    )`);
  await sql(`CREATE INDEX webhook_deliveries_received_idx ON webhook_deliveries (received_at DESC)`);

  await sql(`
    CREATE TABLE feature_flags (
      name       TEXT PRIMARY KEY,
      value      JSONB NOT NULL,
      updated_by TEXT NOT NULL,
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
  await sql(`
    CREATE TABLE feature_flag_changes (
      id         BIGSERIAL PRIMARY KEY,
      name       TEXT NOT NULL,
      old_value  JSONB,
      new_value  JSONB NOT NULL,
      changed_by TEXT NOT NULL,
      changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
  await sql(`CREATE INDEX feature_flag_changes_name_idx ON feature_flag_changes (name, changed_at DESC)`);

  await sql(`
    CREATE TABLE oauth_states (
      id               BIGSERIAL PRIMARY KEY,
      state_hash       TEXT NOT NULL UNIQUE,
      code_verifier    TEXT NOT NULL CHECK (code_verifier LIKE 'v1.%'),
      return_to        TEXT NOT NULL DEFAULT '/me',
      purpose          TEXT NOT NULL CHECK (purpose IN ('sign_in', 'consent', 'reauthorize', 'admin')),
      bound_github_id  BIGINT,
      expires_at       TIMESTAMPTZ NOT NULL,
      consumed_at      TIMESTAMPTZ,
      created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
  await sql(`CREATE INDEX oauth_states_expiry_idx ON oauth_states (expires_at)`);

  // Outbox for notifications to the application: written in the transaction that caused them,
  // delivered (and retried) by a job so no request ever waits on the receiver.
  await sql(`
    CREATE TABLE notifications (
      id              BIGSERIAL PRIMARY KEY,
      event_type      TEXT NOT NULL,
      payload         JSONB NOT NULL,
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      delivered_at    TIMESTAMPTZ,
      last_error      TEXT,
      created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
  await sql(`CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE delivered_at IS NULL`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  for (const table of [
    "notifications",
    "oauth_states",
    "feature_flag_changes",
    "feature_flags",
    "webhook_deliveries",
    "migration_events",
    "user_installations",
    "users",
    "migration_batches",
    "installation_repositories",
    "installations",
  ]) {
    await queryInterface.sequelize.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
  }
};
