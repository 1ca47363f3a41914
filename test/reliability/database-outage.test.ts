// Postgres made unreachable under load (connections refused, or a silent partition), through a proxy
// in front of the test database: /readyz
// says 503 while it is gone and 200 once it is back, every request answers within a bound (none
// hangs), the database's outage is an honest 503 rather than a crash, and the instance reconnects by
// itself.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Sequelize } from "sequelize";
import type { GitHubSimulator } from "../../simulator/index.js";
import { connectDatabase } from "../../src/db/connection.js";
import { seedUser, simulatorEnv, type SeededUser } from "../support/vault-fixture.js";
import { startTestSimulator } from "../support/simulator-fixture.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { ReliabilityTally } from "./reliability-tally.js";
import { startCuttableProxy, type CuttableProxy } from "./tcp-proxy.js";

/** Refused connections fail at once: no answer may take longer than this (readiness probes for 2 s, connects time out at 5 s). */
const ANSWER_BOUND_MS = 8_000;
/** A partition is only noticed by timeouts: a read (3 s here), a reconnect (5 s), another read. */
const PARTITION_BOUND_MS = 15_000;
const heavy = process.env.RELIABILITY_HEAVY === "1";

let database: TestDatabase;
let proxy: CuttableProxy;
let proxied: Sequelize;
let simulator: GitHubSimulator;
let app: TestApp;
let user: SeededUser;
const tally = new ReliabilityTally();

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await startCuttableProxy(database.url);
  // A short read timeout, so a partition is noticed within the answer bound (production: 35 s).
  proxied = connectDatabase({ url: proxy.url, maxConnections: 5, queryTimeoutMs: 3_000 });
  simulator = await startTestSimulator();
  app = await startTestApp({ sequelize: proxied, env: simulatorEnv(simulator), logLevel: "error" });
  user = await seedUser(app.services, simulator);
});
afterAll(async () => {
  await app?.stop();
  await proxied?.close();
  await proxy?.close();
  await simulator?.stop();
  await database?.drop();
  tally.print();
});

interface Answer {
  path: string;
  status: number;
  elapsedMs: number;
  body: Record<string, unknown>;
}

async function ask(path: string): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(`${app.url}${path}`, {
    headers: { authorization: `Bearer ${app.services.config.serviceApiToken}` },
    signal: AbortSignal.timeout(PARTITION_BOUND_MS + 5_000),
  });
  return { path, status: response.status, elapsedMs: Date.now() - started, body: (await response.json()) as Record<string, unknown> };
}

/** Keeps `concurrency` clients asking the readiness probe and the token API until stopped. */
function load(concurrency: number) {
  const answers: Answer[] = [];
  let running = true;
  const clients = Array.from({ length: concurrency }, async (_, index) => {
    while (running) {
      answers.push(await ask(index % 2 === 0 ? "/readyz" : `/api/v1/users/${user.githubId}/token`));
    }
  });
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(clients);
      return answers;
    },
  };
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the database going away under load", () => {
  it.each([
    ["refused (connections reset)", () => proxy.cut(), ANSWER_BOUND_MS],
    ["partitioned (packets silently lost)", () => proxy.blackhole(), PARTITION_BOUND_MS],
  ])("%s: readyz goes 503 then 200, every request answers in bounded time, and the app reconnects", async (_kind, breakDatabase, bound) => {
    expect((await ask("/readyz")).status).toBe(200);
    const traffic = load(heavy ? 16 : 6);
    await new Promise((resolve) => setTimeout(resolve, 300));

    breakDatabase();
    await until(async () => (await ask("/readyz")).status === 503, 10_000);
    await new Promise((resolve) => setTimeout(resolve, heavy ? 5_000 : 1_500));
    const duringOutage = await ask(`/api/v1/users/${user.githubId}/token`);
    proxy.restore();
    await until(async () => (await ask("/readyz")).status === 200, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answers = await traffic.stop();

    // The outage is an honest "try again later", never a token-less 200 nor a crash.
    expect({ status: duringOutage.status, error: duringOutage.body.error }).toEqual({ status: 503, error: "database_unavailable" });
    const slow = answers.filter((answer) => answer.elapsedMs > bound);
    const crashed = answers.filter((answer) => answer.status >= 500 && answer.status !== 503);
    tally.record("faults: database outage requests", "lost", { tried: answers.length, bad: slow.length + crashed.length });
    const unhandled = app.logLines().filter((line) => /unhandled error/.test(String(line.msg)));
    expect(unhandled.map((line) => JSON.stringify(line.err).slice(0, 300))).toEqual([]);
    expect(slow).toEqual([]);
    expect(crashed).toEqual([]);
    expect(answers.some((answer) => answer.path === "/readyz" && answer.status === 503)).toBe(true);
    expect(answers.length).toBeGreaterThan(10);

    // Reconnected: the token API serves the stored token again.
    const after = await ask(`/api/v1/users/${user.githubId}/token`);
    expect(after.status).toBe(200);
    expect(after.body.token).toBe(user.app?.accessToken);
  }, 60_000);
});
