import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Sequelize } from "sequelize";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { connectDatabase } from "../../../src/db/connection.js";
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
