import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { performance } from "node:perf_hooks";
import type { Sequelize } from "sequelize";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { LISTENER_APPLICATION_NAME } from "../../../src/db/channel-listener.js";
import { connectDatabase } from "../../../src/db/connection.js";
import { FLAG_STALENESS_BOUND_MS } from "../../../src/users/flags.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { startTestSimulator } from "../../support/simulator-fixture.js";
import { fetchToken, seedUser, simulatorEnv } from "../../support/vault-fixture.js";

let database: TestDatabase;
let simulator: GitHubSimulator;
let apps: TestApp[] = [];
let pools: Sequelize[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ maxConnections: 40 });
  simulator = await startTestSimulator({ latencyMs: 50 });
  // Three instances on three ports, each with its own connection pool, as separate processes would
  // be, and the same settings, as a scaled-out deployment has.
  const env = simulatorEnv(simulator, { TOKEN_ENCRYPTION_KEYS: `shared:${Buffer.alloc(32, 7).toString("base64")}` });
  pools = [1, 2, 3].map(() => connectDatabase({ url: database.url, maxConnections: 15 }));
  apps = await Promise.all(pools.map((sequelize) => startTestApp({ sequelize, env })));
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  await Promise.all(pools.map((pool) => pool.close()));
  await simulator?.stop();
  await database?.drop();
});

describe("three app instances sharing one database", () => {
  it("refresh an expired token exactly once when 50 requests race across them", async () => {
    expect(new Set(apps.map((app) => app.url)).size).toBe(3);
    const seeded = await seedUser(apps[0]!.services, simulator, { expired: true });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) => {
        const app = apps[index % 3]!;
        return fetchToken(app, seeded.githubId, { key: app.services.config.serviceApiToken });
      }),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    const tokens = new Set(answers.map((answer) => answer.body.token as string));
    expect(tokens.size).toBe(1);
    expect(simulator.isTokenValid([...tokens][0]!)).toBe(true);
    expect(simulator.counters.refreshes(seeded.login)).toBe(1);
    expect(simulator.counters.calls("refresh")).toBe(1);
  });

  it("keep serving the winner's token afterwards from every instance without calling GitHub", async () => {
    const seeded = await seedUser(apps[0]!.services, simulator, { expired: true });
    const first = await fetchToken(apps[1]!, seeded.githubId);
    simulator.counters.reset();
    for (const app of apps) expect((await fetchToken(app, seeded.githubId)).body.token).toBe(first.body.token);
    expect(simulator.counters.totalCalls()).toBe(0);
  });
});

describe("the rollout flags across three instances", () => {
  /** Sets a flag through one instance's admin API, as a maintainer would. */
  async function setFlag(app: TestApp, name: string, value: unknown): Promise<void> {
    const response = await fetch(`${app.url}/api/v1/admin/flags/${name}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${app.services.config.adminApiToken}`, "content-type": "application/json" },
      body: JSON.stringify({ value }),
    });
    expect(response.status).toBe(200);
  }

  /** Milliseconds until every one of `instances` answers `type` for the user (polling every 10 ms), or null after `limitMs`. */
  async function msUntilAllAnswer(instances: TestApp[], githubId: number, type: string, since: number, limitMs = 5_000): Promise<number | null> {
    const pending = new Set(instances);
    while (performance.now() - since < limitMs) {
      for (const app of [...pending]) if ((await fetchToken(app, githubId)).body.type === type) pending.delete(app);
      if (pending.size === 0) return performance.now() - since;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return null;
  }

  afterEach(async () => {
    await setFlag(apps[0]!, "github_app_tokens_enabled", true);
  });

  it("a global rollback made on one instance changes the other two instances' answers within 1 s", async () => {
    const seeded = await seedUser(apps[0]!.services, simulator, { legacy: true });
    // Every instance has read (and now holds) the flags before the change.
    for (const app of apps) expect((await fetchToken(app, seeded.githubId)).body.type).toBe("github_app_user");

    const changed = performance.now();
    await setFlag(apps[0]!, "github_app_tokens_enabled", false);
    expect((await fetchToken(apps[0]!, seeded.githubId)).body.type).toBe("oauth");
    const elapsed = await msUntilAllAnswer(apps.slice(1), seeded.githubId, "oauth", changed);
    expect(elapsed).not.toBeNull();
    expect(elapsed!).toBeLessThan(1_000);

    // And back: re-enabling is seen as quickly.
    const reEnabled = performance.now();
    await setFlag(apps[2]!, "github_app_tokens_enabled", true);
    const back = await msUntilAllAnswer(apps.slice(0, 2), seeded.githubId, "github_app_user", reEnabled);
    expect(back).not.toBeNull();
    expect(back!).toBeLessThan(1_000);
  });

  it("with the notification connections dropped, no instance answers from flags older than the documented bound", async () => {
    const seeded = await seedUser(apps[0]!.services, simulator, { legacy: true });
    for (const app of apps) expect((await fetchToken(app, seeded.githubId)).body.type).toBe("github_app_user");

    // Keep every instance's LISTEN connection dead: each reconnection is terminated again at once,
    // so no notification can arrive and only the staleness bound stands between a change and the answers.
    const killer = connectDatabase({ url: database.url, maxConnections: 1 });
    const terminateListeners = () =>
      killer.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${LISTENER_APPLICATION_NAME}' AND datname = current_database()`);
    let terminating = true;
    const terminator = (async () => {
      while (terminating) {
        await terminateListeners();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      await terminateListeners();
      // Let the instances notice the loss (a terminated backend reports it on its socket).
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const app of apps) expect((await fetchToken(app, seeded.githubId)).body.type).toBe("github_app_user");

      const changed = performance.now();
      await setFlag(apps[0]!, "github_app_tokens_enabled", false);
      const elapsed = await msUntilAllAnswer(apps.slice(1), seeded.githubId, "oauth", changed);
      expect(elapsed).not.toBeNull();
      expect(elapsed!).toBeLessThan(FLAG_STALENESS_BOUND_MS + 250);
    } finally {
      terminating = false;
      await terminator;
      await killer.close();
    }
  });

  it("listen again after their notification connections were terminated", async () => {
    const seeded = await seedUser(apps[0]!.services, simulator, { legacy: true });
    const killer = connectDatabase({ url: database.url, maxConnections: 1 });
    const listeners = async () =>
      (await killer.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = '${LISTENER_APPLICATION_NAME}' AND datname = current_database()`, { plain: true, raw: true })) as { n: number };
    try {
      await killer.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${LISTENER_APPLICATION_NAME}' AND datname = current_database()`);
      const deadline = performance.now() + 10_000;
      while ((await listeners()).n < 3 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await listeners()).n).toBe(3);
      // Live again: a change is heard through notifications, well within the bound.
      const changed = performance.now();
      await setFlag(apps[1]!, "github_app_tokens_enabled", false);
      const elapsed = await msUntilAllAnswer([apps[0]!, apps[2]!], seeded.githubId, "oauth", changed);
      expect(elapsed).not.toBeNull();
      expect(elapsed!).toBeLessThan(1_000);
    } finally {
      await killer.close();
    }
  });
});
