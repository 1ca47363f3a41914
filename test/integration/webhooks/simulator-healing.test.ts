// End to end against the GitHub simulator: webhooks it signs and sends reach the app, a delivery
// the app failed is redelivered by the redelivery pass (App JWT checked by the simulator), and
// reconciliation repairs what missed webhooks left wrong (installation tokens minted by it).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { findFreePort } from "../../../src/free-port.js";
import { WebhookRedelivery } from "../../../src/webhooks/redelivery.js";
import { startTestSimulator } from "../../support/simulator-fixture.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { storedDelivery, storedInstallation } from "../../support/webhook-fixture.js";

describe("healing against the GitHub simulator", () => {
  let database: TestDatabase;
  let simulator: GitHubSimulator;
  let app: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    // The simulator needs the app's webhook URL, and the app the simulator's host: fix the port first.
    const port = await findFreePort();
    const secret = "simulator-webhook-secret";
    simulator = await startTestSimulator({ webhook: { url: `http://127.0.0.1:${port}/api/github/webhooks`, secret } });
    app = await startTestApp({
      sequelize: database.sequelize,
      logLevel: "error",
      env: { PORT: String(port), BASE_URL: `http://127.0.0.1:${port}`, WEBHOOK_SECRET: secret, GHE_HOST: simulator.host, GHE_PROTOCOL: "http" },
    });
    simulator.addUser({ login: "octo-admin" });
  });
  afterAll(async () => {
    await app?.stop();
    await simulator?.stop();
    await database?.drop();
  });

  it("redelivers the delivery the app failed, and only that one, until it is processed", async () => {
    const healthy = simulator.addInstallation({ account: { login: "healthy-org" }, repositories: [{ name: "api" }], userLogins: ["octo-admin"] });
    const unlucky = simulator.addInstallation({ account: { login: "unlucky-org" }, repositories: [{ name: "web" }], userLogins: ["octo-admin"] });
    const sql = (statement: string) => database.sequelize.query(statement);

    const delivered = await simulator.sendWebhook("installation", "created", { installationId: healthy.id });
    await sql("ALTER TABLE installation_repositories ADD CONSTRAINT e2e_outage CHECK (false) NOT VALID");
    const failed = await simulator.sendWebhook("installation", "created", { installationId: unlucky.id });
    await sql("ALTER TABLE installation_repositories DROP CONSTRAINT e2e_outage");

    expect(delivered.status).toBe(200);
    expect(failed.status).toBe(500);
    expect(await storedInstallation(app.services, unlucky.id)).toBeNull();
    expect(await storedDelivery(app.services, failed.guid)).toMatchObject({ outcome: "failed" });

    const redelivery = new WebhookRedelivery({ models: app.services.models, github: app.services.githubApp, log: app.services.log });
    const pass = await redelivery.runPass();

    expect(pass).toMatchObject({ ran: true, result: { redelivered: [failed.guid], failed: 1 } });
    const attempts = simulator.deliveries().filter((record) => record.guid === failed.guid);
    expect(attempts.map((record) => [record.redelivery, record.statusCode])).toEqual([
      [false, 500],
      [true, 200],
    ]);
    const stored = await storedInstallation(app.services, unlucky.id);
    expect(stored!.row).toMatchObject({ accountLogin: "unlucky-org", deletedAt: null });
    expect(stored!.repositoryIds).toEqual(unlucky.repositories.map((repository) => repository.id));
    expect(await storedDelivery(app.services, failed.guid)).toMatchObject({ outcome: "processed", attempts: 2 });

    // Healed: the next pass finds nothing to ask for.
    expect(await redelivery.runPass()).toMatchObject({ ran: true, result: { redelivered: [], failed: 0 } });
  });

  it("reconciliation repairs a missed created and a missed deleted", async () => {
    // Installed on GitHub while no webhook reached us.
    const missed = simulator.addInstallation({ account: { login: "missed-org" }, repositories: [{ name: "one" }, { name: "two" }] });
    // Uninstalled on GitHub while no webhook reached us: still active here.
    await app.services.models.Installation.create({
      id: 987_654,
      accountId: 55,
      accountLogin: "gone-org",
      accountType: "Organization",
      targetType: "Organization",
      repositorySelection: "all",
      createdAt: new Date(Date.now() - 86_400_000),
    });

    const outcome = await app.services.installationReconciliation.runPass();

    expect(outcome).toMatchObject({ ran: true, result: { markedDeleted: 1 } });
    const repaired = await storedInstallation(app.services, missed.id);
    expect(repaired!.row).toMatchObject({ accountLogin: "missed-org", accountType: "Organization", deletedAt: null });
    expect(repaired!.repositoryIds).toEqual(missed.repositories.map((repository) => repository.id));
    expect((await storedInstallation(app.services, 987_654))!.row.deletedAt).toBeInstanceOf(Date);
  });
});
