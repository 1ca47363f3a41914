import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Sequelize } from "sequelize";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { connectDatabase } from "../../../src/db/connection.js";
import type { Services } from "../../../src/services.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { startTestSimulator } from "../../support/simulator-fixture.js";
import { seedUser, vaultServices, type SeededUser } from "../../support/vault-fixture.js";

let database: TestDatabase;
let simulator: GitHubSimulator;
const pools: Sequelize[] = [];
let runners: Services[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  simulator = await startTestSimulator({ latencyMs: 20 });
  const keys = { TOKEN_ENCRYPTION_KEYS: `k:${Buffer.alloc(32, 3).toString("base64")}` };
  // Two instances, each with its own pool, as two processes would be.
  pools.push(...[1, 2].map(() => connectDatabase({ url: database.url, maxConnections: 5 })));
  runners = await Promise.all(pools.map((pool) => vaultServices(pool, simulator, keys)));
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  await simulator?.stop();
  await database?.drop();
});

describe("the keep-alive job", () => {
  it("refreshes every due user exactly once when two runners race, and leaves the others alone", async () => {
    const [first] = runners as [Services, Services];
    const expiring: SeededUser[] = [];
    for (let i = 0; i < 12; i++) expiring.push(await seedUser(first, simulator, { expiresInSeconds: 120 }));
    const idleRefreshToken = await seedUser(first, simulator);
    await idleRefreshToken.user.update({ githubAppRefreshTokenExpiresAt: new Date(Date.now() + 5 * 86_400_000) });
    const fresh = await seedUser(first, simulator);
    const reauth = await seedUser(first, simulator, { expiresInSeconds: 120, status: "reauth_required" });
    const backingOff = await seedUser(first, simulator, { expiresInSeconds: 120 });
    await backingOff.user.update({ nextRefreshAttemptAt: new Date(Date.now() + 600_000), refreshFailureCount: 1 });
    simulator.counters.reset();

    const passes = await Promise.all(runners.map((runner) => runner.tokenKeepAlive.runPass()));

    const due = [...expiring, idleRefreshToken];
    for (const seeded of due) expect(simulator.counters.refreshes(seeded.login)).toBe(1);
    for (const seeded of [fresh, reauth, backingOff]) expect(simulator.counters.refreshes(seeded.login)).toBe(0);
    expect(simulator.counters.calls("refresh")).toBe(due.length);
    expect(passes.reduce((sum, pass) => sum + pass.refreshed, 0)).toBe(due.length);
    expect(passes.every((pass) => pass.failed === 0 && pass.reauthRequired === 0)).toBe(true);

    for (const seeded of due) {
      const row = await seeded.user.reload();
      const tokens = first.tokenStore.readAppTokens(row)!;
      expect(simulator.isTokenValid(tokens.accessToken)).toBe(true);
      expect(row.githubAppRefreshTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 100 * 86_400_000);
    }
    // A second pass finds nothing due.
    simulator.counters.reset();
    expect(await runners[1]!.tokenKeepAlive.runPass()).toMatchObject({ due: 0, refreshed: 0 });
    expect(simulator.counters.totalCalls()).toBe(0);
  });

  it("settles rows a dead refresher left in doubt, and skips a refresh still in flight", async () => {
    const [first] = runners as [Services, Services];
    const died = async (seeded: SeededUser, rotated: boolean) => {
      // What a refresher killed mid-call leaves: its intent, with the lease run out.
      if (rotated) await fetch(`${simulator.url}/login/oauth/access_token`, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: first.config.appClientId!, client_secret: first.config.appClientSecret!, grant_type: "refresh_token", refresh_token: seeded.app!.refreshToken! }),
      });
      await seeded.user.update({
        refreshIntentId: randomUUID(),
        refreshIntentInstance: "dead-host:1",
        refreshIntentStartedAt: new Date(Date.now() - 60_000),
        refreshIntentGeneration: seeded.user.appTokenGeneration,
        refreshLeaseUntil: new Date(Date.now() - 30_000),
      });
    };
    const alive = await seedUser(first, simulator);
    const dead = await seedUser(first, simulator);
    const inFlight = await seedUser(first, simulator, { expiresInSeconds: 120 });
    await died(alive, false);
    await died(dead, true);
    await inFlight.user.update({
      refreshIntentId: randomUUID(),
      refreshIntentInstance: "busy-host:2",
      refreshIntentStartedAt: new Date(),
      refreshIntentGeneration: inFlight.user.appTokenGeneration,
      refreshLeaseUntil: new Date(Date.now() + 60_000),
    });
    simulator.counters.reset();

    const pass = await runners[1]!.tokenKeepAlive.runPass();

    // The live pair, once cleared, is simply fresh (skipped, like the row still in flight).
    expect(pass).toMatchObject({ due: 3, refreshed: 0, reauthRequired: 1, skipped: 2 });
    const aliveRow = await alive.user.reload();
    expect(aliveRow).toMatchObject({ refreshIntentId: null, refreshInDoubtSince: null, tokenMigrationStatus: "migrated" });
    expect(first.tokenStore.readAppTokens(aliveRow)!.accessToken).toBe(alive.app!.accessToken);
    expect(await dead.user.reload()).toMatchObject({ tokenMigrationStatus: "reauth_required", refreshFailureClass: "interrupted", refreshIntentId: null });
    expect((await inFlight.user.reload()).refreshIntentInstance).toBe("busy-host:2");
    expect(simulator.counters.calls("refresh")).toBe(0);
    expect(simulator.counters.calls("check_token")).toBe(2);
  });
});
