import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { QueryTypes, UniqueConstraintError, type Sequelize } from "sequelize";
import { connectDatabase } from "../../src/db/connection.js";
import { createMigrator, migrateToLatest } from "../../src/db/migrator.js";
import { createEmptyTestDatabase } from "../support/database.js";

const EXPECTED_TABLES = [
  "feature_flag_changes",
  "feature_flags",
  "installation_repositories",
  "installations",
  "migration_batches",
  "migration_events",
  "notifications",
  "oauth_states",
  "readiness_scan_users",
  "readiness_scans",
  "replaced_token_revocations",
  "rollout_guard_events",
  "schema_migrations",
  "token_activity_hours",
  "token_resolution_outcomes",
  "user_access_checks",
  "user_installations",
  "user_status_hours",
  "user_status_rollup",
  "users",
  "webhook_deliveries",
];

describe("schema migrations", () => {
  let database: Awaited<ReturnType<typeof createEmptyTestDatabase>>;
  let sequelize: Sequelize;

  beforeAll(async () => {
    database = await createEmptyTestDatabase();
    sequelize = connectDatabase({ url: database.url });
  });
  afterAll(async () => {
    await sequelize.close();
    await database.drop();
  });

  async function tables(): Promise<string[]> {
    const rows = await sequelize.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      { type: QueryTypes.SELECT },
    );
    return rows.map((row) => row.tablename);
  }

  it("creates every table of the design, and concurrent starters migrate once", async () => {
    await Promise.all([migrateToLatest(sequelize), migrateToLatest(sequelize), migrateToLatest(sequelize)]);
    expect(await tables()).toEqual(EXPECTED_TABLES);
    expect(await createMigrator(sequelize).pending()).toEqual([]);
  });

  it("gives users the seed's column names, the status default and its allowed values", async () => {
    const columns = await sequelize.query<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'users'",
      { type: QueryTypes.SELECT },
    );
    const types = Object.fromEntries(columns.map((column) => [column.column_name, column.data_type]));
    expect(types).toMatchObject({
      github_id: "bigint",
      provider_info: "jsonb",
      github_app_user_token: "text",
      github_app_token_expires_at: "timestamp with time zone",
      github_app_refresh_token: "text",
      github_app_refresh_token_expires_at: "timestamp with time zone",
      token_migration_status: "text",
    });
    const [user] = await sequelize.query<{ token_migration_status: string }>(
      "INSERT INTO users (github_id, login) VALUES (1, 'octocat') RETURNING token_migration_status",
      { type: QueryTypes.SELECT },
    );
    expect(user?.token_migration_status).toBe("pending");
    await expect(
      sequelize.query("UPDATE users SET token_migration_status = 'halfway' WHERE github_id = 1"),
    ).rejects.toThrow(/check constraint/);
    await expect(sequelize.query("INSERT INTO users (github_id, login) VALUES (1, 'again')")).rejects.toBeInstanceOf(
      UniqueConstraintError,
    );
  });

  it("refuses plaintext in every token column", async () => {
    await expect(
      sequelize.query("UPDATE users SET github_app_user_token = 'ghu_plaintext' WHERE github_id = 1"),
    ).rejects.toThrow(/check constraint/);
    await expect(
      sequelize.query(`UPDATE users SET provider_info = '{"access_token":"gho_plaintext"}' WHERE github_id = 1`),
    ).rejects.toThrow(/check constraint/);
    await sequelize.query("UPDATE users SET github_app_user_token = 'v1.k1.iv.tag.ct' WHERE github_id = 1");
  });

  it("lets a batch be in every state the code writes (0016's outcomes and 0017's paused), and no other", async () => {
    for (const state of ["running", "paused", "finished", "finished_with_errors", "failed"]) {
      await sequelize.query("INSERT INTO migration_batches (requested_by, size, state) VALUES ('schema-test', 1, :state)", { replacements: { state } });
    }
    await expect(
      sequelize.query("INSERT INTO migration_batches (requested_by, size, state) VALUES ('schema-test', 1, 'halfway')"),
    ).rejects.toThrow(/check constraint/);
  });

  it("runs down to an empty schema and up again", async () => {
    await createMigrator(sequelize).down({ to: 0 });
    expect(await tables()).toEqual(["schema_migrations"]);
    await migrateToLatest(sequelize);
    expect(await tables()).toEqual(EXPECTED_TABLES);
  });
});
