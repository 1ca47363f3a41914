// Users per status per day from the audit trail: users arrive through an import and through the
// status machine, some days ago and today; each day's figures follow, the last day's equal what
// the users table holds, and rolling closed hours up (twice, from two instances at once) changes
// no figure.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Op, QueryTypes, type Sequelize } from "sequelize";
import { connectDatabase } from "../../../src/db/connection.js";
import { defineModels, MIGRATION_STATUSES, type MigrationStatus } from "../../../src/db/models/index.js";
import { composeApp, type Services } from "../../../src/services.js";
import { transitionUser } from "../../../src/users/status-machine.js";
import { captureLog } from "../../support/app.js";
import { testConfig } from "../../support/config.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { legacyAccessToken } from "../../support/legacy-tokens.js";
import { encryptionKey, seedUser } from "../../support/vault-fixture.js";

let database: TestDatabase;
let pools: Sequelize[] = [];
let instances: Services[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const env = { TOKEN_ENCRYPTION_KEYS: encryptionKey("trends") };
  pools = [1, 2].map(() => connectDatabase({ url: database.url, maxConnections: 5 }));
  const { log } = await captureLog();
  instances = pools.map((sequelize) => composeApp({ config: testConfig(env), models: defineModels(sequelize), log }).services);
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  await database?.drop();
});

async function liveCounts(): Promise<Record<MigrationStatus, number>> {
  const rows = await database.sequelize.query<{ status: MigrationStatus; count: number }>(
    "SELECT token_migration_status AS status, count(*)::int AS count FROM users GROUP BY 1",
    { type: QueryTypes.SELECT },
  );
  const counts = Object.fromEntries(MIGRATION_STATUSES.map((status) => [status, 0])) as Record<MigrationStatus, number>;
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

function counts(partial: Partial<Record<MigrationStatus, number>>): Record<MigrationStatus, number> {
  return { ...(Object.fromEntries(MIGRATION_STATUSES.map((status) => [status, 0])) as Record<MigrationStatus, number>), ...partial };
}

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Moves these users along the status machine, then dates the move `days` ago. */
async function move(githubIds: number[], to: MigrationStatus, days: number): Promise<void> {
  const { models } = instances[0]!;
  for (const githubId of githubIds) {
    await models.sequelize.transaction(async (transaction) => {
      const user = await models.User.findOne({ where: { githubId }, transaction });
      const event = await transitionUser(models, { user: user!, to, reason: "test", actor: "test", transaction });
      await models.sequelize.query("UPDATE migration_events SET created_at = now() - make_interval(days => :days) WHERE id = :id", {
        replacements: { days, id: event.id },
        transaction,
      });
    });
  }
}

describe("users per status per day", () => {
  it("has no day before any user exists", async () => {
    expect(await instances[0]!.campaignTrends.statusDays()).toEqual([]);
  });

  it("follows users from the import through the status machine, day by day, to today's live counts", async () => {
    const [a] = instances as [Services];
    // Twenty users imported three days ago, ten today.
    const lines = Array.from({ length: 30 }, (_, index) => JSON.stringify({ github_id: 5_000 + index, login: `imported-${index}`, access_token: legacyAccessToken(index) }));
    expect(await a.legacyImporter.importJsonLines(lines)).toMatchObject({ created: 30, rejected: 0 });
    await a.models.User.update({ createdAt: new Date(Date.now() - 3 * 86_400_000) }, { where: { githubId: { [Op.lt]: 5_020 } } });
    // Two days ago five migrated and three were sent a consent link; one of those migrated yesterday.
    await move([5_000, 5_001, 5_002, 5_003, 5_004], "migrated", 2);
    await move([5_005, 5_006, 5_007], "consent_required", 2);
    await move([5_005], "migrated", 1);
    // Today: two users arrive and reach reauth_required, one is rolled back; a revocation keeps a status.
    await seedUser(a, null, { walkTo: "reauth_required" });
    await seedUser(a, null, { walkTo: "reauth_required" });
    await seedUser(a, null, { walkTo: "rolled_back" });
    const kept = await a.models.User.findOne({ where: { githubId: 5_029 } });
    await a.models.MigrationEvent.create({ userId: kept!.id, fromStatus: "pending", toStatus: "pending", reason: "revoked; status kept", actor: "webhook" });

    const days = await a.campaignTrends.statusDays();
    expect(days).toEqual([
      { day: daysAgo(3), users: counts({ pending: 20 }), migrated: 0 },
      { day: daysAgo(2), users: counts({ pending: 12, migrated: 5, consent_required: 3 }), migrated: 5 },
      { day: daysAgo(1), users: counts({ pending: 12, migrated: 6, consent_required: 2 }), migrated: 1 },
      { day: daysAgo(0), users: counts({ pending: 22, migrated: 6, consent_required: 2, reauth_required: 2, rolled_back: 1 }), migrated: 2 },
    ]);
    expect(days.at(-1)!.users).toEqual(await liveCounts());
  });

  it("reads the same figures after closed hours are rolled up, by two instances at once and again", async () => {
    const [a, b] = instances as [Services, Services];
    const before = await a.campaignTrends.statusDays();
    await Promise.all([a.campaignTrends.rollUpClosedHours(), b.campaignTrends.rollUpClosedHours()]);
    const [mark] = await database.sequelize.query<{ rolled_until: Date; hours: number }>(
      "SELECT rolled_until, (SELECT count(*)::int FROM user_status_hours) AS hours FROM user_status_rollup",
      { type: QueryTypes.SELECT },
    );
    // Everything up to the hour that closed at least five minutes ago, in a few hourly rows.
    expect(Date.now() - mark!.rolled_until.getTime()).toBeGreaterThanOrEqual(5 * 60_000);
    expect(Date.now() - mark!.rolled_until.getTime()).toBeLessThan(2 * 3_600_000);
    expect(mark!.hours).toBeGreaterThanOrEqual(4);
    const rolledRows = await database.sequelize.query("SELECT * FROM user_status_hours ORDER BY hour, status", { type: QueryTypes.SELECT });

    expect(await b.campaignTrends.statusDays()).toEqual(before);
    await a.campaignTrends.rollUpClosedHours();
    expect(await database.sequelize.query("SELECT * FROM user_status_hours ORDER BY hour, status", { type: QueryTypes.SELECT })).toEqual(rolledRows);
    expect(await a.campaignTrends.statusDays()).toEqual(before);
  });

  it("counts what happens after the rollup live, so the last day still equals the users table", async () => {
    const [a] = instances as [Services];
    await seedUser(a, null, { walkTo: "failed" });
    await move([5_010, 5_011], "migrated", 0);
    const last = (await a.campaignTrends.statusDays()).at(-1)!;
    expect(last.users).toEqual(await liveCounts());
    expect(last.users).toEqual(counts({ pending: 20, migrated: 8, consent_required: 2, reauth_required: 2, rolled_back: 1, failed: 1 }));
    expect(last.migrated).toBe(4);
  });
});
