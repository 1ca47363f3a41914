// GitHub failing in every way the simulator can (5xx, 429 with Retry-After, timeouts, dropped
// connections, a rotation whose answer is lost) during batches, the keep-alive job and refreshes,
// and an instance dying mid-batch: tokens are kept, users are deferred and picked up again, never
// lost, and a lost rotation ends reauth_required with a reason instead of a silent loop. (Single
// faults on the token API's refresh are specified in test/integration/tokens; not repeated here.)
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Sequelize } from "sequelize";
import type { FaultKind, GitHubSimulator } from "../../simulator/index.js";
import { connectDatabase } from "../../src/db/connection.js";
import type { Services } from "../../src/services.js";
import { migrationServices } from "../support/migration-fixture.js";
import { encryptionKey, seedUser, type SeededUser } from "../support/vault-fixture.js";
import { startTestSimulator } from "../support/simulator-fixture.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { ReliabilityTally } from "./reliability-tally.js";
import { startCuttableProxy, type CuttableProxy } from "./tcp-proxy.js";

const FAULTS: Array<[string, FaultKind]> = [
  ["500", { status: 500 }],
  ["502", { status: 502 }],
  ["503", { status: 503 }],
  ["429 with Retry-After", { status: 429, retryAfterSeconds: 1 }],
  ["rate-limited 403", { rateLimited403: true, resetInSeconds: 1 }],
  ["timeout", { timeout: true }],
  ["dropped connection", { drop: true }],
];
const heavy = process.env.RELIABILITY_HEAVY === "1";
const USERS_PER_FAULT = heavy ? 12 : 3;

let database: TestDatabase;
let simulator: GitHubSimulator;
let instance: Services;
const keys = { TOKEN_ENCRYPTION_KEYS: encryptionKey("faults") };
const tally = new ReliabilityTally();

beforeAll(async () => {
  database = await createTestDatabase({ maxConnections: 30 });
  simulator = await startTestSimulator();
  instance = await migrationServices(database.sequelize, simulator, keys);
});
afterAll(async () => {
  await instance?.migrationBatches.whenIdle();
  await simulator?.stop();
  await database?.drop();
  tally.print();
});

async function statusOf(seeded: SeededUser) {
  const row = await seeded.user.reload();
  return { status: row.tokenMigrationStatus, tokens: instance.tokenStore.readAppTokens(row) };
}

describe("GitHub failing during a migration batch", () => {
  // A batch backs off 2^attempt seconds between tries, so persistent faults cost seconds each: the
  // full matrix runs under RELIABILITY_HEAVY=1, one representative otherwise.
  const once = heavy ? FAULTS : FAULTS.filter(([name]) => ["503", "429 with Retry-After", "dropped connection"].includes(name));
  const persistent = heavy ? FAULTS : FAULTS.filter(([name]) => name === "503");

  it.each(once)("%s once: the batch retries and migrates everyone, tokens intact", async (_name, fault) => {
    const users: SeededUser[] = [];
    for (let i = 0; i < USERS_PER_FAULT; i++) users.push(await seedUser(instance, simulator, { status: "pending" }));
    simulator.injectFault("user", fault, 1);
    await instance.migrationBatches.run({ actor: "reliability", size: USERS_PER_FAULT });
    simulator.clearFaults();
    let lost = 0;
    for (const seeded of users) {
      const { status, tokens } = await statusOf(seeded);
      if (status !== "migrated" || tokens?.accessToken !== seeded.app?.accessToken) lost += 1;
      expect({ login: seeded.login, status }).toEqual({ login: seeded.login, status: "migrated" });
      expect(tokens?.accessToken).toBe(seeded.app?.accessToken);
    }
    tally.record("faults", "lost", { tried: users.length, bad: lost });
  });

  it.each(persistent)("%s on every call: users are deferred with their tokens, then migrated by the next batch", async (_name, fault) => {
    const users: SeededUser[] = [];
    for (let i = 0; i < USERS_PER_FAULT; i++) users.push(await seedUser(instance, simulator, { status: "pending" }));
    simulator.injectFault("user", fault, Infinity);
    await instance.migrationBatches.run({ actor: "reliability", size: USERS_PER_FAULT });
    simulator.clearFaults();

    let lost = 0;
    for (const seeded of users) {
      const { status, tokens } = await statusOf(seeded);
      if (status !== "pending" || tokens?.accessToken !== seeded.app?.accessToken) lost += 1;
      // Deferred, not judged: a transient failure never fails a user for good.
      expect({ login: seeded.login, status }).toEqual({ login: seeded.login, status: "pending" });
      expect(tokens?.accessToken).toBe(seeded.app?.accessToken);
      expect((await seeded.user.reload()).batchClaimExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    }
    // The deferral runs out (moved into the past rather than waited for).
    await database.sequelize.query("UPDATE users SET batch_claim_expires_at = now() - interval '1 second' WHERE id IN (:ids)", {
      replacements: { ids: users.map((seeded) => seeded.user.id) },
    });
    await instance.migrationBatches.run({ actor: "reliability", size: USERS_PER_FAULT });
    for (const seeded of users) {
      const { status } = await statusOf(seeded);
      if (status !== "migrated") lost += 1;
      expect({ login: seeded.login, status }).toEqual({ login: seeded.login, status: "migrated" });
    }
    tally.record("faults", "lost", { tried: users.length, bad: lost });
  }, 60_000);
});

describe("GitHub failing during the keep-alive job", () => {
  // A refresh timing out is specified in test/integration/tokens (token API); here only under heavy.
  it.each(heavy ? FAULTS : FAULTS.filter(([name]) => name !== "timeout"))("%s on refresh: every token is kept, a backoff recorded, and the next pass refreshes it", async (_name, fault) => {
    const users: SeededUser[] = [];
    for (let i = 0; i < USERS_PER_FAULT; i++) users.push(await seedUser(instance, simulator, { expiresInSeconds: 120 }));
    simulator.injectFault("refresh", fault, Infinity);
    const failing = await instance.tokenKeepAlive.runPass();
    simulator.clearFaults();
    expect(failing.reauthRequired).toBe(0);

    let lost = 0;
    for (const seeded of users) {
      const row = await seeded.user.reload();
      const kept = instance.tokenStore.readAppTokens(row);
      if (row.tokenMigrationStatus !== "migrated" || kept?.refreshToken !== seeded.app?.refreshToken) lost += 1;
      expect(row.tokenMigrationStatus).toBe("migrated");
      expect(kept?.refreshToken).toBe(seeded.app?.refreshToken);
      expect(row.refreshFailureCount).toBeGreaterThan(0);
      // Back off by pulling the next attempt into the past, as time passing would.
      await row.update({ nextRefreshAttemptAt: new Date(Date.now() - 1_000) });
    }
    await instance.tokenKeepAlive.runPass();
    for (const seeded of users) {
      const row = await seeded.user.reload();
      const renewed = instance.tokenStore.readAppTokens(row);
      if (!renewed || !simulator.isTokenValid(renewed.accessToken)) lost += 1;
      expect(renewed?.refreshToken).not.toBe(seeded.app?.refreshToken);
      expect(simulator.isTokenValid(renewed!.accessToken)).toBe(true);
    }
    tally.record("faults", "lost", { tried: users.length, bad: lost });
  });

  it("a rotation whose answer is lost ends reauth_required with a reason, and GitHub is not called again", async () => {
    const seeded = await seedUser(instance, simulator, { expiresInSeconds: 120 });
    simulator.injectFault("refresh", { rotateThenDrop: true }, 1);
    await instance.tokenKeepAlive.runPass();
    let row = await seeded.user.reload();
    await row.update({ nextRefreshAttemptAt: new Date(Date.now() - 1_000) });
    // The retry presents the refresh token GitHub already rotated away: bad_refresh_token.
    await instance.tokenKeepAlive.runPass();
    row = await seeded.user.reload();
    expect(row.tokenMigrationStatus).toBe("reauth_required");
    expect(row.migrationError).toMatch(/\S/);
    simulator.counters.reset();
    await row.update({ nextRefreshAttemptAt: null });
    await instance.tokenKeepAlive.runPass();
    expect(simulator.counters.refreshes(seeded.login)).toBe(0);
    tally.record("faults", "lost");
  });
});

describe("an instance dying mid-batch", () => {
  let doomedPool: Sequelize;
  let proxy: CuttableProxy;

  afterAll(async () => {
    await doomedPool?.close().catch(() => undefined);
    await proxy?.close();
  });

  it("leaves its claimed users to the lease, and another instance migrates every one of them after it", async () => {
    const users: SeededUser[] = [];
    for (let i = 0; i < 6; i++) users.push(await seedUser(instance, simulator, { status: "pending" }));
    // The doomed instance reaches the database through a proxy we can cut, as if its process died.
    proxy = await startCuttableProxy(database.url);
    doomedPool = connectDatabase({ url: proxy.url, maxConnections: 5 });
    const doomed = await migrationServices(doomedPool, simulator, keys);
    simulator.setLatency(1_500);
    const { batchId, finished } = await doomed.migrationBatches.start({ actor: "doomed", size: users.length });
    finished.catch(() => undefined);
    const claimedByDoomed = async () => {
      const [rows] = await database.sequelize.query(`SELECT count(*)::int AS n FROM users WHERE batch_claim_id = ${batchId}`);
      return (rows as Array<{ n: number }>)[0]!.n;
    };
    for (let wait = 0; wait < 50 && (await claimedByDoomed()) < users.length; wait++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await claimedByDoomed()).toBe(users.length);
    proxy.cut();
    simulator.setLatency(0);

    // While its lease runs, nobody else takes those users.
    const early = await instance.migrationBatches.run({ actor: "survivor", size: users.length });
    expect(early.counts.claimed ?? 0).toBe(0);
    for (const seeded of users) expect((await statusOf(seeded)).status).toBe("pending");

    // The lease runs out (moved into the past rather than waited for): the survivor takes them all.
    await database.sequelize.query(`UPDATE users SET batch_claim_expires_at = now() - interval '1 second' WHERE batch_claim_id = ${batchId}`);
    await instance.migrationBatches.runToCompletion({ actor: "survivor", size: users.length });
    let lost = 0;
    for (const seeded of users) {
      const { status } = await statusOf(seeded);
      if (status !== "migrated") lost += 1;
      expect({ login: seeded.login, status }).toEqual({ login: seeded.login, status: "migrated" });
    }
    tally.record("faults", "lost", { tried: users.length, bad: lost });

    // The dead instance coming back (its connections restored) changes nothing: its stale work is refused.
    const settled = JSON.stringify(await database.sequelize.query("SELECT id, token_migration_status, github_app_user_token FROM users ORDER BY id"));
    proxy.restore();
    await doomed.migrationBatches.whenIdle();
    expect(JSON.stringify(await database.sequelize.query("SELECT id, token_migration_status, github_app_user_token FROM users ORDER BY id"))).toBe(settled);
    const [events] = await database.sequelize.query(
      `SELECT user_id, count(*)::int AS n FROM migration_events WHERE to_status = 'migrated' AND actor IN ('doomed', 'survivor') GROUP BY user_id HAVING count(*) > 1`,
    );
    expect(events).toEqual([]);
  });
});
