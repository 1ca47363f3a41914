// Deliveries arrive late, twice, at once or not at all: the ledger and the installation service's
// ordering rules must still leave the state GitHub has.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { QueryTypes } from "sequelize";
import { startTestApp, type TestApp } from "../../support/app.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { webhookExamples } from "../../support/webhook-examples.js";
import { sendWebhook } from "../../support/webhooks.js";
import { resetWebhookState, storedDelivery, storedInstallation } from "../../support/webhook-fixture.js";
import { seedUser } from "../../support/vault-fixture.js";

type Payload = Record<string, unknown> & { installation: Record<string, unknown> & { id: number } };

function example(event: string, action: string): Payload {
  const found = webhookExamples(event).find((candidate) => candidate.variant === "api.github.com" && candidate.action === action);
  if (!found) throw new Error(`no ${event}.${action} example`);
  return structuredClone(found.payload) as Payload;
}

describe("webhook deliveries out of order, duplicated and failed", () => {
  let database: TestDatabase;
  let app: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startTestApp({ sequelize: database.sequelize, logLevel: "error" });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });
  beforeEach(() => resetWebhookState(app.services));

  const send = (event: string, payload: unknown, deliveryId?: string) =>
    sendWebhook({ appUrl: app.url, event, payload, secret: app.services.config.webhookSecret, deliveryId });

  it("ends deleted when an installation's deleted arrives before its created", async () => {
    const created = example("installation", "created");
    const deleted = { ...structuredClone(created), action: "deleted" };

    expect((await send("installation", deleted)).status).toBe(200);
    const late = await send("installation", created);
    expect(late.status).toBe(200);

    const stored = await storedInstallation(app.services, created.installation.id);
    expect(stored!.row.deletedAt).toBeInstanceOf(Date);
    expect(await storedDelivery(app.services, late.deliveryId)).toMatchObject({ outcome: "ignored" });
  });

  it("keeps an installation deleted when its created is redelivered after the delete", async () => {
    const created = example("installation", "created");
    const first = await send("installation", created);
    await send("installation", { ...structuredClone(created), action: "deleted" });
    expect((await send("installation", created, first.deliveryId)).status).toBe(200);
    expect((await storedInstallation(app.services, created.installation.id))!.row.deletedAt).toBeInstanceOf(Date);
  });

  it("changes nothing when a processed delivery id arrives again", async () => {
    const added = example("installation_repositories", "added");
    const removed = {
      ...structuredClone(added),
      action: "removed",
      repositories_added: [],
      repositories_removed: added.repositories_added,
    };
    const first = await send("installation_repositories", added);
    await send("installation_repositories", removed);

    // The old `added` comes back under its own id: already processed, so the repository stays removed.
    const again = await send("installation_repositories", added, first.deliveryId);
    expect(again.status).toBe(200);
    expect((await storedInstallation(app.services, added.installation.id))!.repositoryIds).toEqual([]);
    expect(await storedDelivery(app.services, first.deliveryId)).toMatchObject({ outcome: "processed", attempts: 1 });
  });

  it("applies a revocation once when five copies of one delivery arrive together", async () => {
    const revoked = example("github_app_authorization", "revoked") as unknown as { sender: { id: number; login: string } };
    const user = (await seedUser(app.services, null, { legacy: true, githubId: revoked.sender.id, login: revoked.sender.login })).user;
    const deliveryId = "7f0cf0a0-0000-4000-8000-000000000005";

    const answers = await Promise.all(Array.from({ length: 5 }, () => send("github_app_authorization", revoked, deliveryId)));

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await app.services.models.MigrationEvent.count({ where: { userId: user.id } })).toBe(1);
    expect(await app.services.models.Notification.count()).toBe(1);
    expect(await app.services.models.WebhookDelivery.count()).toBe(1);
  });

  it("is idempotent when an installation is suspended twice", async () => {
    const suspend = example("installation", "suspend");
    await send("installation", suspend);
    const before = (await storedInstallation(app.services, suspend.installation.id))!.row;
    const second = await send("installation", suspend);

    const after = (await storedInstallation(app.services, suspend.installation.id))!.row;
    expect(second.status).toBe(200);
    expect(after.suspendedAt).toEqual(before.suspendedAt);
    expect(after.suspendedBy).toBe("Codertocat");
    expect(await app.services.models.Installation.count()).toBe(1);
  });

  it("skips an unsuspend older than the suspension already stored", async () => {
    const suspend = example("installation", "suspend");
    const staleUnsuspend = example("installation", "unsuspend");
    staleUnsuspend.installation = { ...suspend.installation, suspended_at: null, suspended_by: null, updated_at: "2021-04-28T20:00:00Z" };

    await send("installation", suspend);
    const stale = await send("installation", staleUnsuspend);

    expect((await storedInstallation(app.services, suspend.installation.id))!.row.suspendedAt).toEqual(new Date("2021-04-29T02:32:50Z"));
    expect(await storedDelivery(app.services, stale.deliveryId)).toMatchObject({ outcome: "ignored" });
  });

  it("answers 5xx for a failed delivery, records why, and applies it when GitHub redelivers it", async () => {
    const revoked = example("github_app_authorization", "revoked") as unknown as { sender: { id: number; login: string } };
    const user = (await seedUser(app.services, null, { legacy: true, githubId: revoked.sender.id, login: revoked.sender.login })).user;
    const sql = (statement: string) => app.services.models.sequelize.query(statement);
    await sql("ALTER TABLE notifications ADD CONSTRAINT test_outbox_down CHECK (false) NOT VALID");

    const failed = await send("github_app_authorization", revoked);

    expect(failed.status).toBe(500);
    expect(failed.body).toContain(`delivery ${failed.deliveryId} failed`);
    expect(failed.body).not.toContain("test_outbox_down");
    expect(await storedDelivery(app.services, failed.deliveryId)).toMatchObject({
      outcome: "failed",
      attempts: 1,
      error: expect.stringContaining("test_outbox_down"),
    });
    // Nothing of the effect survived the rollback.
    await user.reload();
    expect(user.tokenMigrationStatus).toBe("migrated");
    expect(user.githubAppUserToken).not.toBeNull();

    await sql("ALTER TABLE notifications DROP CONSTRAINT test_outbox_down");
    const redelivered = await send("github_app_authorization", revoked, failed.deliveryId);

    expect(redelivered.status).toBe(200);
    expect(await storedDelivery(app.services, failed.deliveryId)).toMatchObject({ outcome: "processed", attempts: 2, error: null });
    await user.reload();
    expect(user.tokenMigrationStatus).toBe("revoked");
    expect(user.githubAppUserToken).toBeNull();
  });

  /** Runs `work` while another transaction holds the installation's row lock, as a delivery being applied does. */
  const whileInstallationLocked = (installationId: number, work: () => Promise<void>) =>
    app.services.models.sequelize.transaction(async (transaction) => {
      await app.services.models.sequelize.query("SELECT 1 FROM installations WHERE id = :installationId FOR UPDATE", { replacements: { installationId }, transaction });
      await work();
    });
  const someoneWaitsForALock = async () => {
    const sql = "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
    for (;;) {
      const [row] = await app.services.models.sequelize.query<{ waiting: number }>(sql, { type: QueryTypes.SELECT });
      if (row!.waiting > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it("records a repeat of a change already stored without waiting for the installation's lock", async () => {
    const added = example("installation_repositories", "added");
    expect((await send("installation_repositories", added)).status).toBe(200);

    await whileInstallationLocked(added.installation.id, async () => {
      const repeat = await send("installation_repositories", added);
      expect(repeat.status).toBe(200);
      expect(await storedDelivery(app.services, repeat.deliveryId)).toMatchObject({ outcome: "processed", attempts: 1 });
    });
    expect((await storedInstallation(app.services, added.installation.id))!.repositoryIds).toEqual([186853007]);
  });

  it("applies a change that arrives while another delivery holds the installation's lock, after that one commits", async () => {
    const added = example("installation_repositories", "added");
    await send("installation_repositories", added);
    const renamed = structuredClone(added) as Payload & { repositories_added: Array<{ full_name: string }> };
    renamed.repositories_added[0]!.full_name = "Codertocat/Space-Station";

    let answer: ReturnType<typeof send> | undefined;
    await whileInstallationLocked(added.installation.id, async () => {
      answer = send("installation_repositories", renamed);
      await someoneWaitsForALock();
    });

    expect((await answer!).status).toBe(200);
    const [repository] = await app.services.models.InstallationRepository.findAll({ where: { installationId: added.installation.id } });
    expect(repository!.fullName).toBe("Codertocat/Space-Station");
  });

  it("records a repositories change once when five copies of one delivery arrive together, before and after it is stored", async () => {
    const added = example("installation_repositories", "added");
    const deliveryId = "7f0cf0a0-0000-4000-8000-000000000006";

    const answers = await Promise.all(Array.from({ length: 5 }, () => send("installation_repositories", added, deliveryId)));
    const late = await send("installation_repositories", added, deliveryId);

    expect([...answers, late].map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await app.services.models.WebhookDelivery.findAll({ raw: true })).toEqual([expect.objectContaining({ deliveryId, outcome: "processed", attempts: 1 })]);
    expect((await storedInstallation(app.services, added.installation.id))!.repositoryIds).toEqual([186853007]);
  });

  it("applies a newer installation with the same repositories, and skips an older one", async () => {
    const added = example("installation_repositories", "added");
    await send("installation_repositories", added);
    const withPermissions = (updatedAt: number, issues: string) =>
      ({ ...structuredClone(added), installation: { ...added.installation, updated_at: updatedAt, permissions: { issues } } }) as Payload;

    const newer = await send("installation_repositories", withPermissions(1557933600, "write"));
    const older = await send("installation_repositories", withPermissions(1557933500, "read"));

    expect((await storedInstallation(app.services, added.installation.id))!.row.permissions).toEqual({ issues: "write" });
    expect(await storedDelivery(app.services, newer.deliveryId)).toMatchObject({ outcome: "processed" });
    expect(await storedDelivery(app.services, older.deliveryId)).toMatchObject({ outcome: "processed" });
  });

  it("records a repositories delivery for a deleted installation as ignored", async () => {
    const created = example("installation", "created");
    await send("installation", created);
    await send("installation", { ...structuredClone(created), action: "deleted" });

    const added = example("installation_repositories", "added");
    const late = await send("installation_repositories", added);

    expect(late.status).toBe(200);
    expect(await storedDelivery(app.services, late.deliveryId)).toMatchObject({ outcome: "ignored" });
    expect((await storedInstallation(app.services, created.installation.id))!.repositoryIds).toEqual([186853002]);
  });

  it("wipes the tokens but keeps a status from which revoked is not reachable", async () => {
    const revoked = example("github_app_authorization", "revoked") as unknown as { sender: { id: number; login: string } };
    const user = (await seedUser(app.services, null, { legacy: true, githubId: revoked.sender.id, login: revoked.sender.login, status: "rolled_back" })).user;

    expect((await send("github_app_authorization", revoked)).status).toBe(200);

    await user.reload();
    expect(user.tokenMigrationStatus).toBe("rolled_back");
    expect(user.githubAppUserToken).toBeNull();
    expect(user.githubAppRefreshToken).toBeNull();
    const [event] = await app.services.models.MigrationEvent.findAll({ where: { userId: user.id } });
    expect(event).toMatchObject({ fromStatus: "rolled_back", toStatus: "rolled_back", actor: "webhook" });
    expect(await app.services.models.Notification.count({ where: { eventType: "token.revoked" } })).toBe(1);
  });
});
