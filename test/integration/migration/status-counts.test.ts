// Users per status, and on the legacy token only, from the counts migration 0022's triggers keep:
// always what counting the users table says, through imports, transitions, tokens issued and
// wiped, deletes, truncation, folding and concurrent readers.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { QueryTypes } from "sequelize";
import { connectDatabase } from "../../../src/db/connection.js";
import { createMigrator } from "../../../src/db/migrator.js";
import { defineModels, MIGRATION_STATUSES, type MigrationStatus } from "../../../src/db/models/index.js";
import { legacyTokenOnlyUsers, usersByStatus } from "../../../src/migration/status-counts.js";
import { transitionUser } from "../../../src/users/status-machine.js";
import { createEmptyTestDatabase, createTestDatabase, type TestDatabase } from "../../support/database.js";

let database: TestDatabase;
let nextGithubId = 1;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

async function counted(): Promise<Record<MigrationStatus, number>> {
  const rows = await database.sequelize.query<{ status: MigrationStatus; count: number }>(
    "SELECT token_migration_status AS status, count(*)::int AS count FROM users GROUP BY 1",
    { type: QueryTypes.SELECT },
  );
  return { ...(Object.fromEntries(MIGRATION_STATUSES.map((status) => [status, 0])) as Record<MigrationStatus, number>), ...Object.fromEntries(rows.map((row) => [row.status, row.count])) };
}

/** Inserts `count` users in one statement, in `status`. */
async function insertUsers(count: number, status: MigrationStatus = "pending"): Promise<number[]> {
  const rows = await database.sequelize.query<{ id: number }>(
    `INSERT INTO users (github_id, login, token_migration_status)
     SELECT :first + n, 'user-' || (:first + n), :status FROM generate_series(0, :count - 1) n RETURNING id`,
    { replacements: { first: nextGithubId, count, status }, type: QueryTypes.SELECT },
  );
  nextGithubId += count;
  return rows.map((row) => row.id);
}

async function countedLegacyOnly(): Promise<number> {
  const [row] = await database.sequelize.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM users WHERE github_app_user_token IS NULL AND provider_info->>'access_token' IS NOT NULL",
    { type: QueryTypes.SELECT },
  );
  return row!.n;
}

async function changeRows(): Promise<number> {
  const [row] = await database.sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM user_status_counts", { type: QueryTypes.SELECT });
  return row!.n;
}

describe("users per status, kept by triggers", () => {
  it("counts users inserted many to a statement, moved by the status machine and by hand, and deleted", async () => {
    const pending = await insertUsers(300);
    await insertUsers(20, "migrated");
    await database.sequelize.transaction(async (transaction) => {
      for (const id of pending.slice(0, 5)) {
        const user = (await database.models.User.findByPk(id, { transaction }))!;
        await transitionUser(database.models, { user, to: "consent_required", reason: "test", actor: "test", transaction });
      }
    });
    await database.sequelize.query("UPDATE users SET token_migration_status = 'failed' WHERE id IN (:ids)", { replacements: { ids: pending.slice(5, 15) } });
    await database.sequelize.query("DELETE FROM users WHERE id IN (:ids)", { replacements: { ids: pending.slice(15, 25) } });
    expect(await usersByStatus(database.models)).toEqual(await counted());
    expect((await usersByStatus(database.models)).consent_required).toBe(5);
  });

  it("counts users on the legacy token only through imports, tokens issued and wiped, legacy tokens removed, deletes", async () => {
    const ids = await insertUsers(40);
    await database.sequelize.query(`UPDATE users SET provider_info = '{"access_token": "v1.k.legacy"}' WHERE id IN (:ids)`, { replacements: { ids } });
    await database.sequelize.query(
      `INSERT INTO users (github_id, login, provider_info) SELECT 900000 + n, 'imported-' || n, '{"access_token": "v1.k.legacy"}' FROM generate_series(1, 25) n`,
    );
    await database.sequelize.query("UPDATE users SET github_app_user_token = 'v1.k.app' WHERE id IN (:ids)", { replacements: { ids: ids.slice(0, 10) } });
    await database.sequelize.query("UPDATE users SET github_app_user_token = NULL WHERE id IN (:ids)", { replacements: { ids: ids.slice(0, 3) } });
    await database.sequelize.query("UPDATE users SET provider_info = '{}' WHERE id IN (:ids)", { replacements: { ids: ids.slice(20, 25) } });
    await database.sequelize.query("DELETE FROM users WHERE id IN (:ids)", { replacements: { ids: ids.slice(30, 32) } });
    expect(await legacyTokenOnlyUsers(database.models)).toBe(await countedLegacyOnly());
    expect(await countedLegacyOnly()).toBe(40 + 25 - 10 + 3 - 5 - 2);
    expect(await usersByStatus(database.models)).toEqual(await counted());
  });

  it("writes nothing for an update that leaves the status and the legacy-only standing (a refresh, a sign-in) or an upsert that only updates", async () => {
    const before = await changeRows();
    await database.sequelize.query("UPDATE users SET login = login || '-renamed', updated_at = now()");
    await database.sequelize.query("UPDATE users SET github_app_user_token = 'v1.k.refreshed' WHERE github_app_user_token IS NOT NULL");
    await database.sequelize.query(
      `INSERT INTO users (github_id, login) SELECT github_id, login FROM users LIMIT 50
       ON CONFLICT (github_id) DO UPDATE SET login = EXCLUDED.login`,
    );
    expect(await changeRows()).toBe(before);
    expect(await usersByStatus(database.models)).toEqual(await counted());
  });

  it("folds the rows of changes once they pile up, without changing a count", async () => {
    const [id] = await insertUsers(1);
    for (let round = 0; round < 300; round += 1) {
      await database.sequelize.query("UPDATE users SET token_migration_status = 'migrated' WHERE id = :id", { replacements: { id } });
      await database.sequelize.query("UPDATE users SET token_migration_status = 'pending' WHERE id = :id", { replacements: { id } });
    }
    expect(await changeRows()).toBeGreaterThan(1_000);
    const truth = await counted();
    expect(await usersByStatus(database.models)).toEqual(truth);
    expect(await changeRows()).toBeLessThanOrEqual(MIGRATION_STATUSES.length * 2);
    expect(await legacyTokenOnlyUsers(database.models)).toBe(await countedLegacyOnly());
    expect(await usersByStatus(database.models)).toEqual(truth);
  });

  it("gives every reader a whole count while others fold and users move", async () => {
    const ids = await insertUsers(600);
    const total = Object.values(await counted()).reduce((sum, n) => sum + n, 0);
    const moves = ids.map((id, index) =>
      database.sequelize.query("UPDATE users SET token_migration_status = :to WHERE id = :id", {
        replacements: { id, to: index % 2 === 0 ? "migrated" : "consent_required" },
      }),
    );
    const reads = Array.from({ length: 12 }, () => usersByStatus(database.models));
    const [answers] = await Promise.all([Promise.all(reads), Promise.all(moves)]);
    for (const answer of answers) expect(Object.values(answer).reduce((sum, n) => sum + n, 0)).toBe(total);
    expect(await usersByStatus(database.models)).toEqual(await counted());
  });

  it("starts from zero after the users table is truncated", async () => {
    await database.sequelize.query("TRUNCATE users CASCADE");
    expect(Object.values(await usersByStatus(database.models)).every((n) => n === 0)).toBe(true);
    expect(await legacyTokenOnlyUsers(database.models)).toBe(0);
    await insertUsers(3, "revoked");
    expect(await usersByStatus(database.models)).toEqual(await counted());
  });
});

describe("migration 0022 on a database that already has users", () => {
  it("starts the counts from the users there, and its down step removes them", async () => {
    const empty = await createEmptyTestDatabase();
    const sequelize = connectDatabase({ url: empty.url });
    try {
      const migrator = createMigrator(sequelize);
      await migrator.up({ to: "0020-operations-gauges" });
      await sequelize.query(
        `INSERT INTO users (github_id, login, token_migration_status, provider_info)
         SELECT n, 'before-' || n, CASE WHEN n % 3 = 0 THEN 'migrated' ELSE 'pending' END,
                CASE WHEN n % 2 = 0 THEN '{"access_token": "v1.k.legacy"}'::jsonb ELSE '{}'::jsonb END
           FROM generate_series(1, 30) n`,
      );
      await migrator.up({ to: "0022-console-at-scale" });
      const counts = await usersByStatus(defineModels(sequelize));
      expect({ migrated: counts.migrated, pending: counts.pending }).toEqual({ migrated: 10, pending: 20 });
      expect(await legacyTokenOnlyUsers(defineModels(sequelize))).toBe(15);
      await migrator.down({ to: "0022-console-at-scale" });
      const [tables] = await sequelize.query("SELECT to_regclass('user_status_counts') AS table");
      expect(tables).toEqual([{ table: null }]);
    } finally {
      await sequelize.close();
      await empty.drop();
    }
  });
});
