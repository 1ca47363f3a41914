// Issue 14: the app killed by SIGKILL in the middle of a refresh, in a real child process on real
// Postgres against the simulator. Whatever instant it dies at, a token GitHub killed is never served
// afterwards, and the row ends settled: a working pair, or reauth_required with class `interrupted`.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../../simulator/index.js";
import type { Services } from "../../../src/services.js";
import { startTestSimulator } from "../../support/simulator-fixture.js";
import { startAppProcess, type AppProcess } from "../../support/app-process.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { encryptionKey, fetchToken, seedUser, simulatorEnv, vaultServices, type SeededUser } from "../../support/vault-fixture.js";

/** Longer than the child's GitHub timeout (1 s) by the 5 s config.ts insists on. */
const LEASE_SECONDS = 6;
const SETTLE_LIMIT_MS = 25_000;
/** Two app processes start per test, on a machine shared with other suites. */
const CRASH_TEST_MS = 120_000;

let database: TestDatabase;
let simulator: GitHubSimulator;
let seeding: Services;
let env: Record<string, string>;
const running: AppProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  simulator = await startTestSimulator();
  env = simulatorEnv(simulator, {
    DATABASE_URL: database.url,
    TOKEN_ENCRYPTION_KEYS: encryptionKey("crash"),
    REFRESH_LEASE_SECONDS: String(LEASE_SECONDS),
    SERVICE_API_TOKEN: `service-${randomBytes(24).toString("hex")}`,
  });
  seeding = await vaultServices(database.sequelize, simulator, env);
});
afterAll(async () => {
  simulator?.held.release();
  await Promise.all(running.map((app) => app.kill()));
  await simulator?.stop();
  await database?.drop();
});
beforeEach(() => {
  simulator.clearFaults();
  simulator.counters.reset();
});

async function startApp(): Promise<AppProcess> {
  const app = await startAppProcess(env);
  running.push(app);
  return app;
}

/** A token read through the child's token API (its service key is the one in `env`). */
function read(app: AppProcess, seeded: SeededUser, query = "") {
  return fetchToken({ url: app.url, services: seeding }, seeded.githubId, { query });
}

/**
 * The scenario: a token with 30 minutes left, a read asking for an hour, and the app killed
 * while GitHub holds the refresh (before or after rotating, as `fault` says).
 */
async function killDuringRefresh(fault: { rotateThenHold: true } | { holdBeforeRotation: true }) {
  const seeded = await seedUser(seeding, simulator, { expiresInSeconds: 1800 });
  const doomed = await startApp();
  simulator.injectFault("refresh", fault);
  const pending = read(doomed, seeded, "?min_valid_seconds=3600").then(
    (answer) => `the read answered ${answer.status} before GitHub was reached`,
    () => "killed",
  );
  const first = await Promise.race([simulator.held.whenHeld().then(() => "held"), pending]);
  expect(first).toBe("held");
  // The intent was committed before GitHub was called: the crash cannot roll it back.
  const during = await seeded.user.reload();
  expect(during.refreshIntentId).not.toBeNull();
  expect(during.refreshLeaseUntil!.getTime()).toBeGreaterThan(Date.now());
  await doomed.kill();
  await pending;
  simulator.held.release();
  return seeded;
}

/** Reads every 200 ms until the answer is no longer 503 (the lease running out, then one attempt). */
async function readUntilSettled(app: AppProcess, seeded: SeededUser) {
  const answers: Array<{ status: number; token?: unknown }> = [];
  const started = Date.now();
  for (;;) {
    const answer = await read(app, seeded);
    answers.push({ status: answer.status, token: answer.body.token });
    if (answer.status !== 503 || Date.now() - started > SETTLE_LIMIT_MS) return answers;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("SIGKILL during a refresh", () => {
  it("right after GitHub rotated: the old token is never served and the user ends reauth_required, interrupted", async () => {
    const seeded = await killDuringRefresh({ rotateThenHold: true });
    expect(simulator.isTokenValid(seeded.app!.accessToken)).toBe(false);
    const callsBefore = simulator.counters.calls("refresh") + simulator.counters.calls("check_token");
    expect(callsBefore).toBe(1);

    const restarted = await startApp();
    const answers = await readUntilSettled(restarted, seeded);
    expect(answers.filter((answer) => answer.token === seeded.app!.accessToken)).toEqual([]);
    expect(answers.at(-1)!.status).toBe(409);
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set(answers.length > 1 ? [503, 409] : [409]));

    const row = await seeded.user.reload();
    expect(row.tokenMigrationStatus).toBe("reauth_required");
    expect(row.refreshFailureClass).toBe("interrupted");
    expect(row.refreshFailedAt).not.toBeNull();
    expect(row.migrationError).toMatch(/refresh started at \d{4}-\d\d-\d\dT.*was interrupted/);
    expect(row.refreshIntentId).toBeNull();
    // At most one more GitHub call for this user after the restart, and no second rotation.
    expect(simulator.counters.calls("refresh") + simulator.counters.calls("check_token") - callsBefore).toBeLessThanOrEqual(1);
    expect(simulator.counters.refreshes(seeded.login)).toBe(1);
    const notifications = await database.models.Notification.findAll({ where: { eventType: "token.reauth_required" } });
    expect(notifications.filter((notification) => notification.payload.github_id === seeded.githubId).map((n) => n.payload.failure_class)).toEqual(["interrupted"]);
    // Never a loop: later reads do not go back to GitHub.
    const userCalls = () => simulator.counters.calls("refresh") + simulator.counters.calls("check_token");
    const settledCalls = userCalls();
    for (let i = 0; i < 3; i++) expect((await read(restarted, seeded)).status).toBe(409);
    expect(userCalls()).toBe(settledCalls);
    const warned = restarted
      .output()
      .split("\n")
      .filter((line) => line.includes('"event":"token.reauth_required"'));
    expect(warned).toHaveLength(1);
    expect(JSON.parse(warned[0]!)).toMatchObject({ level: 40, failureClass: "interrupted", githubId: seeded.githubId });
    expect(restarted.output()).not.toMatch(/gh[uros]_[A-Za-z0-9]{8,}/);
    await restarted.kill();
  }, CRASH_TEST_MS);

  it("before GitHub answered (nothing rotated): the stored token is served again and the next refresh succeeds", async () => {
    const seeded = await killDuringRefresh({ holdBeforeRotation: true });
    expect(simulator.counters.refreshes(seeded.login)).toBe(0);
    expect(simulator.isTokenValid(seeded.app!.accessToken)).toBe(true);

    const restarted = await startApp();
    const answers = await readUntilSettled(restarted, seeded);
    expect(answers.at(-1)).toEqual({ status: 200, token: seeded.app!.accessToken });
    expect(answers.filter((answer) => answer.status !== 503 && answer.status !== 200)).toEqual([]);
    let row = await seeded.user.reload();
    expect(row.refreshIntentId).toBeNull();
    expect(row.refreshInDoubtSince).toBeNull();
    expect(row.tokenMigrationStatus).toBe("migrated");

    const refreshed = await read(restarted, seeded, "?min_valid_seconds=3600");
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.token).not.toBe(seeded.app!.accessToken);
    expect(simulator.isTokenValid(refreshed.body.token as string)).toBe(true);
    expect(simulator.counters.refreshes(seeded.login)).toBe(1);
    row = await seeded.user.reload();
    expect(row.tokenMigrationStatus).toBe("migrated");
    expect(row.refreshFailureClass).toBeNull();
    await restarted.kill();
  }, CRASH_TEST_MS);
});
