// No token leaks anywhere along a user's whole journey: legacy import → batch → sign-in through the
// simulator → token API → refresh → webhook revoke, with every log line at trace level (ours and
// Probot's Octokit request logs), every response the app sent (body and headers, except the token
// API's own 200 body, which IS the token) and every column of every table searched for every token
// the simulator issued, whole and by a distinctive middle part.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../simulator/index.js";
import { findFreePort } from "../../src/free-port.js";
import { Browser, locationOf, signIn } from "../support/sign-in-fixture.js";
import { migrationEnv } from "../support/migration-fixture.js";
import { TEST_APP, startTestSimulator } from "../support/simulator-fixture.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { testAppKeyPair } from "../support/config.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { ReliabilityTally } from "./reliability-tally.js";
import { snapshotDatabase } from "./snapshot-database.js";

const WEBHOOK_SECRET = "journey-webhook-secret";
const LOGIN = "journey-user";

let database: TestDatabase;
let simulator: GitHubSimulator;
let app: TestApp;
const tally = new ReliabilityTally();
/** Everything the app answered during the journey, as text. */
const answers: Array<{ where: string; text: string }> = [];
const originalFetch = globalThis.fetch;

beforeAll(async () => {
  database = await createTestDatabase();
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  simulator = await startTestSimulator({
    app: { ...TEST_APP, publicKey: testAppKeyPair().publicKey, callbackUrl: `${baseUrl}/auth/callback` },
    webhook: { url: `${baseUrl}/api/github/webhooks`, secret: WEBHOOK_SECRET },
  });
  app = await startTestApp({
    sequelize: database.sequelize,
    logLevel: "trace",
    env: migrationEnv(simulator, {
      PORT: String(port),
      BASE_URL: baseUrl,
      WEBHOOK_SECRET,
      GITHUB_CLIENT_ID: TEST_APP.clientId,
      GITHUB_CLIENT_SECRET: TEST_APP.clientSecret,
    }),
  });
  // Every answer of the app, whoever asked (the test, a Browser, the simulator's webhook sender).
  globalThis.fetch = async (input, init) => {
    const response = await originalFetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin === app.url) {
      const where = `${init?.method ?? "GET"} ${url.pathname}${url.search} → ${response.status}`;
      const headers = JSON.stringify([...response.headers]);
      const isTheToken = /^\/api\/v1\/users\/\d+\/token$/.test(url.pathname) && response.status === 200;
      answers.push({ where, text: isTheToken ? headers : `${headers}\n${await response.clone().text()}` });
    }
    return response;
  };
});
afterAll(async () => {
  globalThis.fetch = originalFetch;
  await app?.stop();
  await simulator?.stop();
  await database?.drop();
  tally.print();
});

const adminHeaders = () => ({ authorization: `Bearer ${app.services.config.adminApiToken}` });

async function tokenOf(githubId: number, query = "") {
  const response = await fetch(`${app.url}/api/v1/users/${githubId}/token${query}`, {
    headers: { authorization: `Bearer ${app.services.config.serviceApiToken}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function storedPair(githubId: number) {
  const user = await app.services.models.User.findOne({ where: { githubId }, rejectOnEmpty: true });
  return app.services.tokenStore.readAppTokens(user);
}

/** The whole token and a middle part long enough to be unmistakable (prefix and tail cut off). */
function needles(token: string): string[] {
  return [token, token.slice(6, -6)].filter((needle) => needle.length >= 12);
}

describe("secrets along the whole journey", () => {
  it("no issued token appears in any log line, response or table", async () => {
    const issued = new Set<string>();
    const githubId = simulator.addUser({ login: LOGIN }).id;
    simulator.addInstallation({ account: { login: "journey-org" }, userLogins: [LOGIN] });
    const legacy = simulator.issueTokens(LOGIN, "legacy").accessToken;
    issued.add(legacy);

    const imported = await fetch(`${app.url}/api/v1/admin/users/import`, {
      method: "POST",
      headers: { ...adminHeaders(), "content-type": "application/x-ndjson" },
      body: JSON.stringify({ github_id: githubId, login: LOGIN, access_token: legacy, provider_info: { scope: "repo" } }),
    });
    expect(imported.status).toBe(200);

    const started = await fetch(`${app.url}/api/v1/admin/migration/batches`, {
      method: "POST",
      headers: { ...adminHeaders(), "content-type": "application/json" },
      body: "{}",
    });
    expect(started.status).toBe(202);
    const { href } = (await started.json()) as { href: string };
    let batch: { state: string } = { state: "running" };
    for (let poll = 0; poll < 100 && batch.state === "running"; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      batch = (await (await fetch(`${app.url}${href}`, { headers: adminHeaders() })).json()) as { state: string };
    }
    expect(batch.state).not.toBe("running");

    // Short-lived App tokens, so asking for an hour of validity forces a refresh.
    simulator.setTokenLifetimes({ accessTokenSeconds: 600 });
    const browser = new Browser(app.url);
    const callback = await signIn(browser, { login: LOGIN });
    expect(locationOf(callback)).toBe("/me");
    expect((await browser.get("/me")).status).toBe(200);
    const first = await storedPair(githubId);
    expect(first?.accessToken).toMatch(/^ghu_/);
    issued.add(first!.accessToken).add(first!.refreshToken!);

    expect((await tokenOf(githubId)).body).toMatchObject({ type: "github_app_user", token: first!.accessToken });
    const refreshed = await tokenOf(githubId, "?min_valid_seconds=3600");
    expect(refreshed.status).toBe(200);
    const second = await storedPair(githubId);
    expect(second?.refreshToken).not.toBe(first!.refreshToken);
    issued.add(second!.accessToken).add(second!.refreshToken!);
    expect(simulator.counters.refreshes(LOGIN)).toBe(1);

    await simulator.revokeGrant(LOGIN);
    const user = await app.services.models.User.findOne({ where: { githubId }, rejectOnEmpty: true });
    expect(user.tokenMigrationStatus).toBe("revoked");
    const after = await tokenOf(githubId);
    expect(after.body.type === "github_app_user").toBe(false);

    // The legacy token, and two App pairs (before and after the refresh).
    expect(issued.size).toBe(5);
    const logs = app.logLines().map((line) => JSON.stringify(line));
    expect(logs.length).toBeGreaterThan(10);
    // Probot's own lines are in there too: its Octokit's request log and its webhook receipt.
    expect(logs.some((line) => line.includes('"name":"octokit"'))).toBe(true);
    expect(logs.some((line) => line.includes('"name":"probot"'))).toBe(true);
    const tables = JSON.stringify(await snapshotDatabase(database.sequelize));
    const places = [
      ...logs.map((text, index) => ({ where: `log line ${index}`, text })),
      ...answers,
      { where: "database", text: tables },
    ];
    const leaks: string[] = [];
    for (const token of issued) {
      for (const needle of needles(token)) {
        for (const place of places) if (place.text.includes(needle)) leaks.push(`${token.slice(0, 4)}… in ${place.where}: ${place.text.slice(0, 300)}`);
      }
    }
    tally.record("secrets: places searched", "leaks found", { tried: places.length * issued.size, bad: leaks.length });
    expect(leaks).toEqual([]);
    expect(answers.length).toBeGreaterThan(8);
  });
});
