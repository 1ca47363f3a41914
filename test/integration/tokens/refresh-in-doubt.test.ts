// Issue 14: "no answer is not a no", rows in doubt, single flight, and refresh work that never
// holds a connection while GitHub answers. One app instance in this process, on real Postgres,
// against the simulator.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Sequelize } from "sequelize";
import type { FaultKind } from "../../../simulator/index.js";
import { connectDatabase } from "../../../src/db/connection.js";
import { findFreePort } from "../../../src/free-port.js";
import { metricsRegistry } from "../../../src/observability/metrics.js";
import type { Services } from "../../../src/services.js";
import { fetchToken, seedUser, startVaultWorld, vaultServices, type SeededUser, type VaultWorld } from "../../support/vault-fixture.js";

let world: VaultWorld;

beforeAll(async () => {
  world = await startVaultWorld({ logLevel: "warn" });
});
afterAll(() => world?.stop());
beforeEach(() => {
  world.simulator.held.release();
  world.simulator.clearFaults();
  world.simulator.counters.reset();
});

/** A token with 30 minutes left, refreshed because the read asks for an hour (the case). */
const seedHalfHourToken = () => seedUser(world.app.services, world.simulator, { expiresInSeconds: 1800 });
const read = (seeded: SeededUser, query = "") => fetchToken(world.app, seeded.githubId, { query });
const askForAnHour = (seeded: SeededUser) => read(seeded, "?min_valid_seconds=3600");

/** Lets the backoff run out, as time passing would. */
async function endBackoff(seeded: SeededUser) {
  await seeded.user.reload();
  await seeded.user.update({ nextRefreshAttemptAt: new Date(Date.now() - 1000) });
}

describe("a refresh whose answer is lost", () => {
  it("rotated, then the connection dropped: the old token is never served again and the user ends reauth_required, interrupted", async () => {
    const seeded = await seedHalfHourToken();
    world.simulator.injectFault("refresh", { rotateThenDrop: true });
    expect((await askForAnHour(seeded)).status).toBe(503);
    expect(world.simulator.isTokenValid(seeded.app!.accessToken)).toBe(false);
    const inDoubt = await seeded.user.reload();
    expect(inDoubt.refreshInDoubtSince).not.toBeNull();
    expect(inDoubt.refreshIntentId).toBeNull();
    expect((await world.app.services.userDirectory.detail(seeded.githubId)).app_token.in_doubt_since).toBe(inDoubt.refreshInDoubtSince!.toISOString());
    // Still 30 minutes on the clock, yet never served: GitHub may have killed it (here it did).
    for (let i = 0; i < 3; i++) expect(await read(seeded)).toMatchObject({ status: 503, body: { error: "github_unavailable" } });

    await endBackoff(seeded);
    expect((await read(seeded)).status).toBe(409);
    const row = await seeded.user.reload();
    expect(row.tokenMigrationStatus).toBe("reauth_required");
    expect(row.refreshFailureClass).toBe("interrupted");
    expect(row.migrationError).toMatch(/interrupted/);
    expect(world.simulator.counters.calls("refresh")).toBe(1);
    expect(world.simulator.counters.calls("check_token")).toBe(1);
    // Forensics: the class is stored, counted, and shown to maintainers.
    const detail = await world.app.services.userDirectory.detail(seeded.githubId);
    expect(detail.app_token).toMatchObject({ refresh_failure_class: "interrupted", refresh_failed_at: expect.any(String), in_doubt_since: null, refresh_in_flight: null });
    expect(await metricsRegistry.getSingleMetricAsString("token_refresh_failures_total")).toMatch(/token_refresh_failures_total\{class="interrupted"\} [1-9]/);
    const { lastHour, attention } = await world.app.services.dashboardFigures.snapshot();
    expect(lastHour.refreshFailuresByClass.interrupted).toBeGreaterThanOrEqual(1);
    expect(attention.find((user) => user.githubId === seeded.githubId)).toMatchObject({ status: "reauth_required", refreshFailureClass: "interrupted" });
    const warned = world.app.logLines().filter((line) => line.event === "token.reauth_required" && line.githubId === seeded.githubId);
    expect(warned).toEqual([expect.objectContaining({ level: 40, failureClass: "interrupted" })]);
    expect(JSON.stringify(world.app.logLines())).not.toMatch(/gh[ur]_[A-Za-z0-9]{8,}/);
    await endBackoff(seeded);
    expect((await read(seeded)).status).toBe(409);
    expect(world.simulator.counters.calls("refresh") + world.simulator.counters.calls("check_token")).toBe(2);
  });

  it("dropped before GitHub acted: in doubt until the check finds the pair alive, then served again and refreshed", async () => {
    const seeded = await seedHalfHourToken();
    world.simulator.injectFault("refresh", { drop: true });
    expect((await askForAnHour(seeded)).status).toBe(503);
    expect((await read(seeded)).status).toBe(503);
    await endBackoff(seeded);
    expect(await read(seeded)).toMatchObject({ status: 200, body: { token: seeded.app!.accessToken } });
    expect((await seeded.user.reload()).refreshInDoubtSince).toBeNull();
    const refreshed = await askForAnHour(seeded);
    expect(refreshed.status).toBe(200);
    expect(world.simulator.isTokenValid(refreshed.body.token as string)).toBe(true);
    expect(world.simulator.counters.refreshes(seeded.login)).toBe(1);
  });

  const noAnswer: Array<[string, FaultKind]> = [
    ["our timeout after sending", { timeout: true }],
    ["a gateway 502", { status: 502 }],
    ["a 500", { status: 500 }],
    ["a reset mid-answer", { rotateThenDrop: true }],
  ];
  it.each(noAnswer)("%s leaves the row in doubt: its access token is not served", async (_name, fault) => {
    const seeded = await seedHalfHourToken();
    world.simulator.injectFault("refresh", fault);
    expect((await askForAnHour(seeded)).status).toBe(503);
    expect((await seeded.user.reload()).refreshInDoubtSince).not.toBeNull();
    expect((await read(seeded)).status).toBe(503);
  });

  const provenNothingDone: Array<[string, FaultKind]> = [
    ["a 429", { status: 429, retryAfterSeconds: 60 }],
    ["a rate-limited 403", { rateLimited403: true, resetInSeconds: 60 }],
  ];
  it.each(provenNothingDone)("%s proves nothing was done: the pair stays servable while it lasts", async (_name, fault) => {
    const seeded = await seedHalfHourToken();
    world.simulator.injectFault("refresh", fault);
    expect(await askForAnHour(seeded)).toMatchObject({ status: 200, body: { token: seeded.app!.accessToken } });
    const row = await seeded.user.reload();
    expect(row.refreshInDoubtSince).toBeNull();
    expect(row.refreshFailureCount).toBe(1);
    expect(await read(seeded)).toMatchObject({ status: 200, body: { token: seeded.app!.accessToken } });
  });

  it("a refused connection proves nothing was sent: the pair stays servable", async () => {
    const seeded = await seedHalfHourToken();
    const sameKeys = world.app.services.config.encryptionKeys.map(({ id, key }) => `${id}:${key.toString("base64")}`).join(",");
    const unreachable = await vaultServices(world.database.sequelize, world.simulator, {
      GHE_HOST: `127.0.0.1:${await findFreePort()}`,
      TOKEN_ENCRYPTION_KEYS: sameKeys,
    });
    const resolved = await unreachable.tokenResolver.resolveUserToken(seeded.githubId, { minValidSeconds: 3600 });
    expect(resolved.token).toBe(seeded.app!.accessToken);
    const row = await seeded.user.reload();
    expect(row.refreshInDoubtSince).toBeNull();
    expect(row.lastRefreshError).toMatch(/ECONNREFUSED/);
  });
});

describe("waiting for GitHub without holding the database", () => {
  let pool: Sequelize;
  let small: Services;

  beforeAll(async () => {
    // A pool of 4, of which refresh work may use 2.
    pool = connectDatabase({ url: world.database.url, maxConnections: 4 });
    // GitHub's timeout long enough that no held call gives up while the test looks.
    small = await vaultServices(pool, world.simulator, { DATABASE_POOL_MAX: "4", REFRESH_MAX_CONNECTIONS: "2", GITHUB_REQUEST_TIMEOUT_MS: "20000" });
  });
  afterAll(() => pool?.close());

  const idleInTransaction = async () => {
    const [rows] = await world.database.sequelize.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`,
    );
    return (rows as Array<{ n: number }>)[0]!.n;
  };

  it("50 concurrent callers for one user share one refresh, and no transaction is open while GitHub holds it", async () => {
    const seeded = await seedUser(small, world.simulator, { expired: true });
    world.simulator.injectFault("refresh", { holdBeforeRotation: true });
    const answers = Promise.all(Array.from({ length: 50 }, () => small.tokenResolver.resolveUserToken(seeded.githubId)));
    await world.simulator.held.whenHeld();
    expect(await idleInTransaction()).toBe(0);
    expect(world.simulator.held.count()).toBe(1);
    world.simulator.held.release();
    const tokens = new Set((await answers).map((answer) => answer.token));
    expect(tokens.size).toBe(1);
    expect(world.simulator.isTokenValid([...tokens][0]!)).toBe(true);
    expect(world.simulator.counters.calls("refresh")).toBe(1);
  });

  it("twenty users waiting on a slow GitHub leave connections for a fresh user's read", async () => {
    const waiting = await Promise.all(Array.from({ length: 20 }, () => seedUser(small, world.simulator, { expired: true })));
    const fresh = await seedUser(small, world.simulator);
    world.simulator.injectFault("refresh", { holdBeforeRotation: true }, 20);
    const refreshes = Promise.all(waiting.map((seeded) => small.tokenResolver.resolveUserToken(seeded.githubId)));
    await world.simulator.held.whenHeld(20);
    expect(await idleInTransaction()).toBe(0);
    // Every refresh is at GitHub; the pool of 4 still serves a read at once.
    expect((await small.tokenResolver.resolveUserToken(fresh.githubId)).token).toBe(fresh.app!.accessToken);
    world.simulator.held.release();
    const answers = await refreshes;
    expect(answers.every((answer, index) => answer.token !== waiting[index]!.app!.accessToken)).toBe(true);
    expect(world.simulator.counters.calls("refresh")).toBe(20);
  });
});
