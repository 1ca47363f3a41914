// The rollout guard against the GitHub simulator: a batch is running when GitHub starts answering
// refreshes with bad_refresh_token; resolutions end reauth_required, the guard trips, the batch
// pauses, raising the rollout percent is refused unless overridden, and clearing the guard resumes it.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { ReauthRequiredError } from "../../../src/tokens/errors.js";
import { startTestSimulator } from "../../support/simulator-fixture.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { migrationEnv } from "../../support/migration-fixture.js";
import { seedUser, type SeededUser } from "../../support/vault-fixture.js";

const BATCH_USERS = 160;
const FAILING_USERS = 10;
/** Each GitHub answer takes this long, so the batch (16 users at a time: ~5 s) is still running when the guard trips. */
const LATENCY_MS = 500;

let database: TestDatabase;
let simulator: GitHubSimulator;
let app: TestApp;
const failing: SeededUser[] = [];

async function admin(method: string, path: string, body?: unknown) {
  const response = await fetch(`${app.url}/api/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${app.services.config.adminApiToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    const value = await read();
    if (accept(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  database = await createTestDatabase();
  simulator = await startTestSimulator();
  app = await startTestApp({ sequelize: database.sequelize, env: migrationEnv(simulator, { GITHUB_REQUEST_TIMEOUT_MS: "10000" }), logLevel: "error" });
  const { services } = app;
  for (let index = 0; index < BATCH_USERS; index += 1) await seedUser(services, simulator, { app: false, legacy: true });
  // Migrated users whose access tokens expired: resolving them refreshes first.
  for (let index = 0; index < FAILING_USERS; index += 1) failing.push(await seedUser(services, simulator, { app: true, expired: true }));
  for (const [name, value] of [
    ["rollout_guard_enabled", true],
    ["rollout_guard_threshold_percent", 20],
    ["rollout_guard_min_resolutions", 10],
    ["github_app_tokens_rollout_percent", 10],
  ] as const) {
    await services.flags.set({ name, value, actor: "test" });
  }
});
afterAll(async () => {
  await app.stop();
  await simulator.stop();
  await database.drop();
});

describe("the rollout guard", () => {
  let batchId: number;
  let finished: Promise<{ state: string; counts: Record<string, number> }>;

  it("watches nothing and trips on nothing while no batch runs", async () => {
    const state = await app.services.rolloutGuard.evaluate();
    expect(state).toMatchObject({ enabled: true, state: "idle", watching: { running_batches: 0, rollout_raised_at: null } });
  });

  it("pauses the running batch once GitHub answers refreshes with bad_refresh_token", async () => {
    const { services } = app;
    simulator.setLatency(LATENCY_MS);
    simulator.injectFault("refresh", { oauthError: "bad_refresh_token" }, Infinity);
    ({ batchId, finished } = await services.migrationBatches.start({ size: BATCH_USERS, actor: "test" }));

    const outcomes = await Promise.allSettled(failing.map((user) => services.tokenResolver.resolveUserToken(user.githubId)));
    expect(outcomes.every((outcome) => outcome.status === "rejected" && outcome.reason instanceof ReauthRequiredError)).toBe(true);
    await services.tokenActivity.flush();
    const state = await services.rolloutGuard.evaluate();
    expect(state.state).toBe("tripped");
    expect(state.window).toEqual({
      window_minutes: 15,
      resolutions: FAILING_USERS,
      reauth_required: FAILING_USERS,
      refresh_failed: 0,
      failure_percent: 100,
      threshold_percent: 20,
      min_resolutions: 10,
    });
    expect(state.last_event).toMatchObject({ kind: "tripped", actor: "system" });
    expect(state.last_event?.reason).toMatch(/^100% of 10 token resolutions in the last 15 min ended reauth_required \(10\).*above the 20% threshold, while 1 batch\(es\) running$/);

    const paused = await eventually(() => services.migrationBatches.get(batchId), (batch) => batch.state === "paused", "the batch to pause");
    const processed = (paused.counts.consent_required ?? 0) + (paused.counts.deferred ?? 0);
    expect(processed).toBeLessThan(BATCH_USERS);
    // Users the batch had claimed but not started were handed back, not left locked.
    const stillPending = await services.models.User.count({ where: { tokenMigrationStatus: "pending", batchClaimId: null } });
    expect(stillPending).toBe(BATCH_USERS - processed);
  });

  it("shows the guard tripped with the window's figures on the admin API", async () => {
    const guard = await admin("GET", "/migration/rollout-guard");
    expect(guard.body).toMatchObject({ state: "tripped", window: { resolutions: FAILING_USERS, failure_percent: 100 }, watching: { running_batches: 1 } });
  });

  it("refuses to raise the rollout percent unless confirmed as an override, which it records", async () => {
    const refused = await admin("PUT", "/flags/github_app_tokens_rollout_percent", { value: 50 });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe("rollout_guard_tripped");
    expect((await app.services.flags.read()).github_app_tokens_rollout_percent).toBe(10);
    // Lowering is always allowed: it is how a maintainer backs off.
    expect((await admin("PUT", "/flags/github_app_tokens_rollout_percent", { value: 5 })).status).toBe(200);

    const overridden = await admin("PUT", "/flags/github_app_tokens_rollout_percent", { value: 50, override: true });
    expect(overridden.status).toBe(200);
    const guard = await admin("GET", "/migration/rollout-guard");
    expect(guard.body).toMatchObject({ state: "tripped", last_event: { kind: "override", actor: "admin-api" } });
  });

  it("resumes the paused batch when a maintainer clears the guard", async () => {
    simulator.setLatency(0);
    simulator.clearFaults();
    const cleared = await admin("POST", "/migration/rollout-guard/clear", { reason: "refresh tokens restored" });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ last_event: { kind: "cleared", reason: "refresh tokens restored" } });
    const view = await finished;
    expect(view.state).toBe("finished");
    expect(view.counts.consent_required).toBe(BATCH_USERS);
    expect((await admin("POST", "/migration/rollout-guard/clear", {})).status).toBe(409);
  });
});
