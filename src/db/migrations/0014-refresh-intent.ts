// Issue 14: the durable refresh intent on the user's row, the generation a refresh compares and
// swaps on, the in-doubt marker, and the class of the last terminal refresh failure.
import type { MigrationFn } from "umzug";
import type { QueryInterface } from "sequelize";

const FAILURE_CLASSES = ["lost_race", "interrupted", "revoked", "refresh_token_expired", "installation_or_account_gone", "unknown"]
  .map((value) => `'${value}'`)
  .join(", ");

export const up: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  const sql = (statement: string) => queryInterface.sequelize.query(statement);
  await sql(`
    ALTER TABLE users
      -- Bumped whenever the stored App pair changes (issued, refreshed, wiped); a refresh stores its
      -- answer only while the generation it spent is still the stored one.
      ADD COLUMN app_token_generation        BIGINT NOT NULL DEFAULT 0,
      -- A refresh in flight, committed before GitHub is called: who, when, which generation it
      -- spends, and until when the others wait for it.
      ADD COLUMN refresh_intent_id           UUID,
      ADD COLUMN refresh_intent_instance     TEXT,
      ADD COLUMN refresh_intent_started_at   TIMESTAMPTZ,
      ADD COLUMN refresh_intent_generation   BIGINT,
      ADD COLUMN refresh_lease_until         TIMESTAMPTZ,
      -- Set when a refresh may have rotated the pair without our reading the answer: the stored
      -- access token is not served until one attempt settles it.
      ADD COLUMN refresh_in_doubt_since      TIMESTAMPTZ,
      ADD COLUMN refresh_failure_class       TEXT CHECK (refresh_failure_class IN (${FAILURE_CLASSES})),
      ADD COLUMN refresh_failed_at           TIMESTAMPTZ,
      ADD CONSTRAINT users_refresh_intent_whole CHECK (
        (refresh_intent_id IS NULL) = (refresh_lease_until IS NULL)
        AND (refresh_intent_id IS NULL) = (refresh_intent_generation IS NULL)
        AND (refresh_intent_id IS NULL) = (refresh_intent_started_at IS NULL))`);
  // The keep-alive job settles rows whose refresher died: few rows, found without a scan.
  await sql(`
    CREATE INDEX users_refresh_unsettled_idx ON users (id)
     WHERE refresh_intent_id IS NOT NULL OR refresh_in_doubt_since IS NOT NULL`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: queryInterface }) => {
  await queryInterface.sequelize.query(`DROP INDEX IF EXISTS users_refresh_unsettled_idx`);
  await queryInterface.sequelize.query(`
    ALTER TABLE users
      DROP CONSTRAINT IF EXISTS users_refresh_intent_whole,
      DROP COLUMN IF EXISTS app_token_generation,
      DROP COLUMN IF EXISTS refresh_intent_id,
      DROP COLUMN IF EXISTS refresh_intent_instance,
      DROP COLUMN IF EXISTS refresh_intent_started_at,
      DROP COLUMN IF EXISTS refresh_intent_generation,
      DROP COLUMN IF EXISTS refresh_lease_until,
      DROP COLUMN IF EXISTS refresh_in_doubt_since,
      DROP COLUMN IF EXISTS refresh_failure_class,
      DROP COLUMN IF EXISTS refresh_failed_at`);
};
