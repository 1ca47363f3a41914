// The batch pacer is fed GitHub's own rate-limit headers: the user-API calls of validation report
// what the simulator's x-ratelimit-* headers say, and batches slow down as a budget nears the floor.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { GitHubPacer, pacingWaitSeconds } from "../../../src/migration/github-pacer.js";
import type { RateLimitSeen } from "../../../src/migration/github-pacer.js";
import type { Services } from "../../../src/services.js";
import type { TestDatabase } from "../../support/database.js";
import { seedUser } from "../../support/vault-fixture.js";
import { startMigrationWorld, type MigrationWorld } from "../../support/migration-fixture.js";

let world: MigrationWorld;
let database: TestDatabase;
let simulator: GitHubSimulator;
let services: Services;

beforeAll(async () => {
  world = await startMigrationWorld();
  ({ database, simulator, services } = world);
});
afterAll(() => world.stop());

/** Waits for a budget running low, not pauses for a GitHub that failed for now (a slow machine may time out). */
const waitedSeconds = async () => (await pacingWaitSeconds.get()).values.find((value) => value.labels.reason === "spacing")?.value ?? 0;

describe("rate limits read from GitHub's answers", () => {
  it("validation reports the budget each user-API answer states, and records it", async () => {
    const seeded = await seedUser(services, simulator);
    simulator.setUserRateLimit(seeded.login, 50, { resetInSeconds: 600 });
    const seen: RateLimitSeen[] = [];
    const result = await services.userValidator.check(seeded.user, { onRateLimit: (rateLimit) => seen.push(rateLimit) });

    // GET /user, then GET /user/installations: each spends one request of the user's budget.
    expect(seen.map((rateLimit) => rateLimit.remaining)).toEqual([49, 48]);
    expect(Math.abs(seen[1]!.resetAt.getTime() - (Date.now() + 600_000))).toBeLessThan(5_000);
    expect(result).toMatchObject({ ok: true, rate_limit: { remaining: 48 } });
  });

  it("a pacer fed by validation spreads the next calls over what is left of the window once the budget nears the floor", async () => {
    const clock = { now: 0, waits: [] as number[] };
    const pacer = new GitHubPacer({
      concurrency: 1,
      lowWatermark: 100,
      now: () => clock.now,
      sleep: async (ms) => {
        clock.waits.push(ms);
        clock.now += ms;
      },
    });
    const plenty = await seedUser(services, simulator);
    const low = await seedUser(services, simulator);
    simulator.setUserRateLimit(low.login, 21, { resetInSeconds: 3_600 });
    const observe = { onRateLimit: (rateLimit: RateLimitSeen) => pacer.observeRateLimit({ ...rateLimit, resetAt: new Date(rateLimit.resetAt.getTime() - Date.now()) }) };

    await pacer.run(() => services.userValidator.check(plenty.user, observe));
    await pacer.run(() => services.userValidator.check(plenty.user, observe));
    expect(clock.waits).toEqual([]);

    // 19 requests left in an hour: the next call waits about 3600 s / 19, capped at the pacer's 60 s.
    await pacer.run(() => services.userValidator.check(low.user, observe));
    await pacer.run(() => services.userValidator.check(plenty.user, observe));
    expect(clock.waits).toEqual([60_000]);
  });

  it("a batch waits before its GitHub calls while a user's budget is low, and not otherwise", async () => {
    const before = await waitedSeconds();
    const relaxed = await seedUser(services, simulator, { status: "pending" });
    await services.migrationBatches.run({ size: 10, actor: "pacing-test" });
    expect(await waitedSeconds()).toBe(before);
    expect((await relaxed.user.reload()).tokenMigrationStatus).toBe("migrated");

    // More users than the batch's 8 calls at once, each with few requests left until a reset in 2 s:
    // once the first answers say so, the batch spreads its remaining calls over those 2 s.
    const tight = [];
    for (let index = 0; index < 12; index += 1) tight.push(await seedUser(services, simulator, { status: "pending" }));
    for (const user of tight) simulator.setUserRateLimit(user.login, 12, { resetInSeconds: 2 });
    const batch = await services.migrationBatches.run({ size: 20, actor: "pacing-test" });
    expect(batch.counts.migrated).toBe(12);
    expect(await waitedSeconds()).toBeGreaterThan(before);
    for (const user of tight) {
      const row = await user.user.reload();
      expect(row.lastValidationResult).toMatchObject({ rate_limit: { remaining: expect.any(Number) } });
      expect((row.lastValidationResult as { rate_limit: { remaining: number } }).rate_limit.remaining).toBeLessThan(12);
    }
  });
});
