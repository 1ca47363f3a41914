// GitHub failing while we heal webhooks: the redelivery pass meets 5xx, 429, timeouts and dropped
// connections when listing deliveries and when asking for a redelivery. Each failure ends the pass
// with a transient error (it runs again on schedule), the failed delivery stays recorded as failed,
// and the first pass against a healthy GitHub redelivers and applies it: nothing is lost.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { FaultKind, GitHubSimulator, SimulatorEndpoint } from "../../simulator/index.js";
import { findFreePort } from "../../src/free-port.js";
import { TransientGitHubError } from "../../src/github/errors.js";
import { WebhookRedelivery } from "../../src/webhooks/redelivery.js";
import { storedDelivery, storedInstallation } from "../support/webhook-fixture.js";
import { startTestSimulator } from "../support/simulator-fixture.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { ReliabilityTally } from "./reliability-tally.js";

const FAULTS: Array<[string, FaultKind]> = [
  ["503", { status: 503 }],
  ["429 with Retry-After", { status: 429, retryAfterSeconds: 1 }],
  ["timeout", { timeout: true }],
  ["dropped connection", { drop: true }],
];
const ENDPOINTS: SimulatorEndpoint[] = ["hook_deliveries", "redeliver"];

let database: TestDatabase;
let simulator: GitHubSimulator;
let app: TestApp;
let redelivery: WebhookRedelivery;
const tally = new ReliabilityTally();

beforeAll(async () => {
  database = await createTestDatabase();
  const port = await findFreePort();
  const secret = "webhook-faults-secret";
  simulator = await startTestSimulator({ webhook: { url: `http://127.0.0.1:${port}/api/github/webhooks`, secret } });
  app = await startTestApp({
    sequelize: database.sequelize,
    logLevel: "error",
    env: {
      PORT: String(port),
      BASE_URL: `http://127.0.0.1:${port}`,
      WEBHOOK_SECRET: secret,
      GHE_HOST: simulator.host,
      GHE_PROTOCOL: "http",
      GITHUB_REQUEST_TIMEOUT_MS: "1000",
    },
  });
  simulator.addUser({ login: "fault-admin" });
  redelivery = new WebhookRedelivery({ models: app.services.models, github: app.services.githubApp, log: app.services.log });
});
afterAll(async () => {
  await app?.stop();
  await simulator?.stop();
  await database?.drop();
  tally.print();
});

/** An installation.created delivery the app fails (its repositories table refuses writes meanwhile). */
async function failedDelivery(name: string) {
  const installation = simulator.addInstallation({ account: { login: name }, repositories: [{ name: "api" }], userLogins: ["fault-admin"] });
  await database.sequelize.query("ALTER TABLE installation_repositories ADD CONSTRAINT reliability_outage CHECK (false) NOT VALID");
  const delivery = await simulator.sendWebhook("installation", "created", { installationId: installation.id });
  await database.sequelize.query("ALTER TABLE installation_repositories DROP CONSTRAINT reliability_outage");
  expect(delivery.status).toBeGreaterThanOrEqual(500);
  return { installation, delivery };
}

/** Octokit retries a failed call itself (1 s, 4 s, 9 s): single faults by default, persistent ones (about 15 s each) under heavy. */
const heavy = process.env.RELIABILITY_HEAVY === "1";
const ALL_CASES = ENDPOINTS.flatMap((endpoint) => FAULTS.map(([name, fault]) => [endpoint, name, fault] as const));
const SINGLE_CASES = heavy
  ? ALL_CASES
  : ALL_CASES.filter(([endpoint, name]) => (endpoint === "hook_deliveries" ? name === "503" : name === "429 with Retry-After"));

async function expectHealed(installationId: number, guid: string) {
  const lost = (await storedDelivery(app.services, guid))?.outcome === "processed" ? 0 : 1;
  tally.record("faults", "lost", { bad: lost });
  expect(await storedDelivery(app.services, guid)).toMatchObject({ outcome: "processed" });
  expect((await storedInstallation(app.services, installationId))?.row).toMatchObject({ deletedAt: null });
}

describe("GitHub failing during webhook redelivery", () => {
  it.each(SINGLE_CASES)("%s answering %s once: the call is retried and the failed delivery is redelivered and applied", async (endpoint, name, fault) => {
    const { installation, delivery } = await failedDelivery(`once-${endpoint}-${name.replace(/\W+/g, "-")}`);
    simulator.injectFault(endpoint, fault, 1);
    expect(await redelivery.runPass()).toMatchObject({ ran: true, result: { redelivered: [delivery.guid] } });
    simulator.clearFaults();
    await expectHealed(installation.id, delivery.guid);
  });

  (heavy ? it.each(ALL_CASES) : it.skip.each(ALL_CASES))(
    "%s answering %s every time: the pass fails honestly in bounded time, the delivery stays failed, and the next pass heals it",
    async (endpoint, name, fault) => {
      const { installation, delivery } = await failedDelivery(`always-${endpoint}-${name.replace(/\W+/g, "-")}`);
      simulator.injectFault(endpoint, fault, Infinity);
      await expect(redelivery.runPass()).rejects.toBeInstanceOf(TransientGitHubError);
      simulator.clearFaults();
      expect(await storedDelivery(app.services, delivery.guid)).toMatchObject({ outcome: "failed" });
      expect(await storedInstallation(app.services, installation.id)).toBeNull();
      expect(await redelivery.runPass()).toMatchObject({ ran: true });
      await expectHealed(installation.id, delivery.guid);
    },
    60_000,
  );
});
