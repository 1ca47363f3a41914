// The two healing passes against GitHub's REST answers (nock): reconciliation rebuilds what missed
// webhooks left wrong, and redelivery asks for exactly the failed deliveries we never processed.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { defineModels } from "../../../src/db/models/index.js";
import { RECONCILIATION_JOB } from "../../../src/installations/reconciliation.js";
import { runAsSingleton } from "../../../src/jobs/singleton.js";
import { composeApp, type Services } from "../../../src/services.js";
import { WebhookRedelivery } from "../../../src/webhooks/redelivery.js";
import { captureLog } from "../../support/app.js";
import { testConfig } from "../../support/config.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { resetWebhookState, storedInstallation } from "../../support/webhook-fixture.js";

const API = "https://api.github.com";

function githubInstallation(id: number, login: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    account: { id: id * 10, login, type: "Organization" },
    target_id: id * 10,
    target_type: "Organization",
    repository_selection: "selected",
    permissions: { metadata: "read", contents: "read" },
    events: ["push"],
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-06-01T00:00:00Z",
    suspended_at: null,
    suspended_by: null,
    ...extra,
  };
}

const repository = (id: number, fullName: string) => ({ id, full_name: fullName, private: false });

/** Installation tokens are minted per installation; each listing must present its own. */
function installationRepositories(installationId: number, repositories: Array<ReturnType<typeof repository>>) {
  nock(API)
    .post(`/app/installations/${installationId}/access_tokens`)
    .reply(201, { token: `ghs_installation${installationId}`, expires_at: new Date(Date.now() + 3_600_000).toISOString() });
  nock(API)
    .get("/installation/repositories")
    .query(true)
    .matchHeader("authorization", `token ghs_installation${installationId}`)
    .reply(200, { total_count: repositories.length, repositories });
}

describe("healing missed webhooks", () => {
  let database: TestDatabase;
  let services: Services;

  beforeAll(async () => {
    database = await createTestDatabase();
    services = composeApp({ config: testConfig(), models: defineModels(database.sequelize), log: (await captureLog("error")).log }).services;
    nock.disableNetConnect();
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await database?.drop();
  });
  beforeEach(() => resetWebhookState(services));
  afterEach(() => nock.cleanAll());

  describe("reconciliation", () => {
    const seedInstallation = (id: number, login: string, extra: Record<string, unknown> = {}) =>
      services.models.Installation.create({
        id,
        accountId: id * 10,
        accountLogin: login,
        accountType: "Organization",
        targetType: "Organization",
        repositorySelection: "selected",
        createdAt: new Date(Date.now() - 86_400_000),
        ...extra,
      });

    it("repairs a database that missed a created, a deleted, a rename and repository changes", async () => {
      await seedInstallation(1, "old-name", { githubUpdatedAt: new Date("2024-01-01T00:00:00Z") });
      await services.models.InstallationRepository.bulkCreate([
        { installationId: 1, repositoryId: 10, fullName: "old-name/gone", createdAt: new Date(Date.now() - 86_400_000) },
        { installationId: 1, repositoryId: 11, fullName: "old-name/kept", createdAt: new Date(Date.now() - 86_400_000) },
      ]);
      await seedInstallation(2, "uninstalled-while-we-were-down");
      await seedInstallation(5, "deleted-here", { deletedAt: new Date(Date.now() - 3_600_000) });

      nock(API)
        .get("/app/installations")
        .query({ per_page: "100" })
        .reply(200, [githubInstallation(1, "new-name"), githubInstallation(3, "installed-while-we-were-down")], {
          link: `<${API}/app/installations?per_page=100&page=2>; rel="next"`,
        });
      nock(API)
        .get("/app/installations")
        .query({ per_page: "100", page: "2" })
        .reply(200, [
          githubInstallation(4, "suspended-org", { suspended_at: "2024-06-01T00:00:00Z", suspended_by: { login: "admin" } }),
          githubInstallation(5, "deleted-here"),
        ]);
      installationRepositories(1, [repository(11, "new-name/kept"), repository(12, "new-name/new")]);
      installationRepositories(3, [repository(30, "installed-while-we-were-down/app")]);
      // 4 is suspended (GitHub mints it no token) and 5 is deleted here: neither is asked about.

      const outcome = await services.installationReconciliation.runPass();

      expect(nock.pendingMocks()).toEqual([]);
      expect(outcome).toEqual({
        ran: true,
        result: { listed: 4, updated: 3, unchanged: 1, markedDeleted: 1, repositoriesSkipped: 1 },
      });
      const [one, two, three, four, five] = await Promise.all([1, 2, 3, 4, 5].map((id) => storedInstallation(services, id)));
      expect(one!.row).toMatchObject({ accountLogin: "new-name", deletedAt: null, permissions: { metadata: "read", contents: "read" } });
      expect(one!.row.previousAccountLogins).toEqual([{ login: "old-name", changedAt: expect.any(String) }]);
      expect(one!.repositoryIds).toEqual([11, 12]);
      expect(two!.row.deletedAt).toBeInstanceOf(Date);
      expect(three!.row).toMatchObject({ accountLogin: "installed-while-we-were-down", deletedAt: null, repositorySelection: "selected" });
      expect(three!.repositoryIds).toEqual([30]);
      expect(four!.row).toMatchObject({ suspendedAt: new Date("2024-06-01T00:00:00Z"), suspendedBy: "admin" });
      expect(five!.row.deletedAt).toBeInstanceOf(Date);
    });

    it("leaves alone an installation created by a webhook after the listing began", async () => {
      nock(API).get("/app/installations").query(true).reply(200, []);
      // Created "now" by a webhook racing the pass: newer than the (empty) listing, so not vanished.
      await seedInstallation(7, "brand-new", { createdAt: new Date(Date.now() + 60_000) });

      await services.installationReconciliation.runPass();

      expect((await storedInstallation(services, 7))!.row.deletedAt).toBeNull();
    });

    it("fails the pass, changing nothing, when GitHub is unavailable", async () => {
      await seedInstallation(8, "kept");
      // Probot's Octokit retries a 503 three times before giving up.
      nock(API).get("/app/installations").query(true).times(4).reply(503, { message: "unavailable" });

      await expect(services.installationReconciliation.runPass()).rejects.toMatchObject({ name: "TransientGitHubError", status: 503 });
      expect((await storedInstallation(services, 8))!.row.deletedAt).toBeNull();
    }, 60_000);

    it("runs on one instance at a time", async () => {
      const inner = await runAsSingleton(services.models.sequelize, RECONCILIATION_JOB, () => services.installationReconciliation.runPass());
      expect(inner).toEqual({ ran: true, result: { ran: false } });
    });
  });

  describe("redelivery", () => {
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    let nextId = 1000;
    const delivery = (guid: string, minutesAgo: number, statusCode: number, redelivery = false) => ({
      id: nextId++,
      guid,
      delivered_at: at(minutesAgo),
      redelivery,
      duration: 0.1,
      status: statusCode === 200 ? "OK" : "Invalid HTTP Response: 500",
      status_code: statusCode,
      event: "installation",
      action: "created",
      installation_id: 1,
      repository_id: null,
      throttled_at: null,
    });

    function listDeliveries(pages: Array<Array<ReturnType<typeof delivery>>>) {
      pages.forEach((page, index) => {
        const cursor = index === 0 ? undefined : `v1_page${index}`;
        const next: Record<string, string> =
          index + 1 < pages.length ? { link: `<${API}/app/hook/deliveries?per_page=100&cursor=v1_page${index + 1}>; rel="next"` } : {};
        nock(API)
          .get("/app/hook/deliveries")
          .query(cursor ? { per_page: "100", cursor } : { per_page: "100" })
          .reply(200, page, next);
      });
    }

    const recordInLedger = (deliveryId: string, outcome: "processed" | "ignored" | "failed") =>
      services.models.WebhookDelivery.create({ deliveryId, event: "installation", action: "created", outcome });

    it("asks GitHub to redeliver exactly the failed deliveries we have not processed, oldest first", async () => {
      const failedNeverSeen = delivery("guid-never-seen", 50, 502);
      const failedHere = delivery("guid-failed-here", 40, 500);
      const deliveries = [
        [
          delivery("guid-ok", 5, 200),
          delivery("guid-healed", 10, 200, true),
          delivery("guid-processed-late", 20, 0),
          failedHere,
          delivery("guid-ignored", 45, 500),
        ],
        [
          failedNeverSeen,
          delivery("guid-healed", 60, 0),
          ...[61, 62, 63, 64, 65].map((minutesAgo) => delivery("guid-hopeless", minutesAgo, 500, minutesAgo < 65)),
          // Older than the window: the listing stops here and the rest is never asked for.
          delivery("guid-too-old", 25 * 60, 500),
        ],
      ];
      listDeliveries(deliveries);
      await recordInLedger("guid-processed-late", "processed");
      await recordInLedger("guid-ignored", "ignored");
      await recordInLedger("guid-failed-here", "failed");
      const asked: number[] = [];
      nock(API)
        .post(/^\/app\/hook\/deliveries\/\d+\/attempts$/)
        .times(2)
        .reply(202, (uri) => {
          asked.push(Number(uri.split("/")[4]));
          return {};
        });

      const outcome = await new WebhookRedelivery({ models: services.models, github: services.githubApp, log: services.log }).runPass();

      expect(nock.pendingMocks()).toEqual([]);
      expect(asked).toEqual([failedNeverSeen.id, failedHere.id]);
      expect(outcome).toEqual({
        ran: true,
        result: {
          scanned: 12,
          failed: 5,
          alreadyProcessed: 2,
          gaveUp: 1,
          redelivered: ["guid-never-seen", "guid-failed-here"],
          deferred: 0,
          refused: 0,
        },
      });
    });

    it("stays within its per-run bound, and a dry run asks for nothing", async () => {
      listDeliveries([[delivery("guid-a", 1, 500), delivery("guid-b", 2, 500), delivery("guid-c", 3, 500)]]);
      const redelivery = new WebhookRedelivery({ models: services.models, github: services.githubApp, log: services.log });

      const outcome = await redelivery.runPass({ maxRedeliveries: 2, dryRun: true });

      expect(outcome).toMatchObject({ ran: true, result: { redelivered: ["guid-c", "guid-b"], deferred: 1 } });
    });

    it("counts a redelivery GitHub refuses and carries on with the next", async () => {
      const tooOld = delivery("guid-refused", 30, 500);
      const fine = delivery("guid-fine", 20, 500);
      listDeliveries([[fine, tooOld]]);
      nock(API).post(`/app/hook/deliveries/${tooOld.id}/attempts`).reply(422, { message: "too old" });
      nock(API).post(`/app/hook/deliveries/${fine.id}/attempts`).reply(202, {});

      const outcome = await new WebhookRedelivery({ models: services.models, github: services.githubApp, log: services.log }).runPass();

      expect(nock.pendingMocks()).toEqual([]);
      expect(outcome).toMatchObject({ ran: true, result: { redelivered: ["guid-fine"], refused: 1 } });
    });
  });
});
