// Issue 15: App token pairs replaced by a new authorization, waiting to be revoked at GitHub. A row
// is written in the sign-in's own transaction, so no crash can leave a live pair we no longer hold.
import type { MigrationFn } from "umzug";
import type { QueryInterface } from "sequelize";

export const up: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  await queryInterface.sequelize.query(`
    CREATE TABLE replaced_token_revocations (
      id                       BIGSERIAL PRIMARY KEY,
      github_id                BIGINT NOT NULL CHECK (github_id > 0),
      -- Part of what the seals authenticate, so a sealed token copied to another row does not open.
      seal_key                 TEXT NOT NULL UNIQUE,
      access_token             TEXT NOT NULL CHECK (access_token LIKE 'v1.%'),
      access_token_expires_at  TIMESTAMPTZ,
      refresh_token            TEXT CHECK (refresh_token IS NULL OR refresh_token LIKE 'v1.%'),
      refresh_token_expires_at TIMESTAMPTZ,
      attempts                 INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      next_attempt_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
      last_error               TEXT,
      created_at               TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX replaced_token_revocations_due ON replaced_token_revocations (next_attempt_at);
  `);
};

export const down: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  await queryInterface.sequelize.query("DROP TABLE replaced_token_revocations");
};
