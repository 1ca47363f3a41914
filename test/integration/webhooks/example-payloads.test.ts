// Every example GitHub publishes (@octokit/webhooks-examples, github.com and each GHES version) for
// the events we handle, signed and sent through Probot's real middleware into a running instance,
// with the database checked afterwards; plus our installation_target.renamed fixture.
import { beforeEach, describe, expect, it } from "@jest/globals";
import { useTestAppOnFreshDatabase } from "../../support/app-on-fresh-database.js";
import { webhookExamples, type WebhookExample } from "../../support/webhook-examples.js";
import { sendWebhook } from "../../support/webhooks.js";
import { resetWebhookState, storedDelivery, storedInstallation, webhookFixture } from "../../support/webhook-fixture.js";
import { seedUser } from "../../support/vault-fixture.js";

interface Account {
  id: number;
  login: string;
  type: string;
}
interface Repository {
  id: number;
  full_name: string;
}
interface InstallationPayload {
  id: number;
  account: Account;
  target_type: string;
  repository_selection: string;
  permissions: Record<string, string>;
  events: string[];
  suspended_at?: string | null;
  suspended_by?: { login: string } | null;
}
interface Payload {
  action: string;
  installation: InstallationPayload;
  sender: { id: number; login: string };
  requester?: { id: number; login: string } | null;
  repositories?: Repository[];
  repository_selection?: string;
  repositories_added?: Repository[];
  repositories_removed?: Repository[];
}

const label = (example: WebhookExample, index: number) => `${example.event}.${example.action} (${example.variant} #${index + 1})`;
const examplesOf = (event: string) => webhookExamples(event).map((example, index) => [label(example, index), example] as const);

describe("webhook example payloads through the real middleware", () => {
  const running = useTestAppOnFreshDatabase();

  beforeEach(() => resetWebhookState(running.app.services));

  const send = async (event: string, payload: unknown) => {
    const result = await sendWebhook({ appUrl: running.app.url, event, payload, secret: running.app.services.config.webhookSecret });
    expect(result).toMatchObject({ status: 200 });
    return result.deliveryId;
  };

  /** The installation stored as we would have it before this delivery. */
  const storeInstallation = (installation: InstallationPayload, extra: Record<string, unknown>) =>
    running.app.services.models.Installation.create({
      id: installation.id,
      accountId: installation.account.id,
      accountLogin: installation.account.login,
      accountType: installation.account.type,
      targetType: installation.target_type,
      repositorySelection: "selected",
      ...extra,
    });

  const expectAccountAndGrants = (row: Record<string, unknown>, installation: InstallationPayload) => {
    expect(row).toMatchObject({
      accountId: installation.account.id,
      accountLogin: installation.account.login,
      accountType: installation.account.type,
      targetType: installation.target_type,
      permissions: installation.permissions,
      events: installation.events,
    });
  };

  it("has examples for every event and action we handle", () => {
    const actions = (event: string) => new Set(webhookExamples(event).map((example) => example.action));
    expect(actions("installation")).toEqual(new Set(["created", "deleted", "suspend", "unsuspend", "new_permissions_accepted"]));
    expect(actions("installation_repositories")).toEqual(new Set(["added", "removed"]));
    expect(actions("github_app_authorization")).toEqual(new Set(["revoked"]));
  });

  it.each(examplesOf("installation"))("%s leaves the installation as the payload describes it", async (_name, example) => {
    const payload = example.payload as unknown as Payload;
    const { installation } = payload;
    // Known users are linked on `created`; the sender is one of ours.
    await seedUser(running.app.services, null, { legacy: true, githubId: payload.sender.id, login: payload.sender.login });
    if (payload.action === "unsuspend") {
      await storeInstallation(installation, { suspendedAt: new Date("2021-01-01T00:00:00Z"), suspendedBy: "someone" });
    }

    const deliveryId = await send("installation", payload);

    const stored = await storedInstallation(running.app.services, installation.id);
    expect(stored).not.toBeNull();
    expectAccountAndGrants(stored!.row, installation);
    expect(stored!.row.repositorySelection).toBe(installation.repository_selection);
    switch (payload.action) {
      case "created":
        expect(stored!.row.deletedAt).toBeNull();
        expect(stored!.repositoryIds).toEqual((payload.repositories ?? []).map((repository) => repository.id).sort());
        expect(stored!.row.installedByGithubId).toBe(payload.sender.id);
        expect(stored!.linkedGithubIds).toEqual([payload.sender.id]);
        break;
      case "deleted":
        expect(stored!.row.deletedAt).toBeInstanceOf(Date);
        // History stays: the repositories the payload named are kept with the tombstone.
        expect(stored!.repositoryIds).toEqual((payload.repositories ?? []).map((repository) => repository.id).sort());
        break;
      case "suspend":
        expect(stored!.row.suspendedAt).toEqual(new Date(installation.suspended_at!));
        expect(stored!.row.suspendedBy).toBe(installation.suspended_by!.login);
        break;
      case "unsuspend":
        expect(stored!.row.suspendedAt).toBeNull();
        expect(stored!.row.suspendedBy).toBeNull();
        break;
      case "new_permissions_accepted":
        expect(stored!.row.deletedAt).toBeNull();
        break;
      default:
        throw new Error(`no expectation written for installation.${payload.action}`);
    }
    expect(await storedDelivery(running.app.services, deliveryId)).toMatchObject({
      event: "installation",
      action: payload.action,
      installationId: installation.id,
      outcome: "processed",
      error: null,
    });
  });

  it.each(examplesOf("installation_repositories"))("%s adds or removes exactly those repositories", async (_name, example) => {
    const payload = example.payload as unknown as Payload;
    const { installation } = payload;
    const bystander = { id: 999_999_001, full_name: "someone/unrelated" };
    // Before: the installation with the removed repositories and one that no event mentions.
    await storeInstallation(installation, {});
    await running.app.services.models.InstallationRepository.bulkCreate(
      [bystander, ...(payload.repositories_removed ?? [])].map((repository) => ({
        installationId: installation.id,
        repositoryId: repository.id,
        fullName: repository.full_name,
      })),
    );

    const deliveryId = await send("installation_repositories", payload);

    const stored = await storedInstallation(running.app.services, installation.id);
    const expected = [bystander.id, ...(payload.repositories_added ?? []).map((repository) => repository.id)].sort((a, b) => a - b);
    expect(stored!.repositoryIds).toEqual(expected);
    expect(stored!.row.repositorySelection).toBe(payload.repository_selection);
    expectAccountAndGrants(stored!.row, installation);
    expect(await storedDelivery(running.app.services, deliveryId)).toMatchObject({ outcome: "processed", installationId: installation.id });
  });

  it.each(examplesOf("github_app_authorization"))("%s wipes the App tokens, marks the user revoked and tells the application", async (_name, example) => {
    const payload = example.payload as unknown as Payload;
    const user = (await seedUser(running.app.services, null, { legacy: true, githubId: payload.sender.id, login: payload.sender.login })).user;
    const legacyBefore = user.providerInfo.access_token;

    const deliveryId = await send("github_app_authorization", payload);

    await user.reload();
    expect(user).toMatchObject({
      tokenMigrationStatus: "revoked",
      githubAppUserToken: null,
      githubAppRefreshToken: null,
      githubAppTokenExpiresAt: null,
      githubAppRefreshTokenExpiresAt: null,
    });
    // The legacy OAuth grant is a different grant: untouched.
    expect(user.providerInfo.access_token).toBe(legacyBefore);
    expect(running.app.services.tokenStore.readLegacyToken(user)?.accessToken).toBe(`gho_${payload.sender.id}legacy`);
    const events = await running.app.services.models.MigrationEvent.findAll({ where: { userId: user.id } });
    expect(events.map((event) => event.get({ plain: true }))).toEqual([
      expect.objectContaining({ fromStatus: "migrated", toStatus: "revoked", actor: "webhook" }),
    ]);
    const notifications = await running.app.services.models.Notification.findAll();
    expect(notifications.map((notification) => [notification.eventType, notification.payload])).toEqual([
      ["token.revoked", { github_id: payload.sender.id, login: payload.sender.login, status: "revoked" }],
    ]);
    expect(JSON.stringify(notifications[0]!.payload)).not.toMatch(/gh[uro]_/);
    expect(await storedDelivery(running.app.services, deliveryId)).toMatchObject({ outcome: "processed", installationId: null });
  });

  it.each(examplesOf("github_app_authorization"))("%s for a user we do not know is acknowledged and recorded as ignored", async (_name, example) => {
    const deliveryId = await send("github_app_authorization", example.payload);
    expect(await storedDelivery(running.app.services, deliveryId)).toMatchObject({ outcome: "ignored" });
    expect(await running.app.services.models.Notification.count()).toBe(0);
  });

  it("installation_target.renamed (our fixture) renames the account and remembers the old login", async () => {
    const payload = webhookFixture("installation_target.renamed") as unknown as {
      installation: { id: number };
      account: Account;
      changes: { login: { from: string } };
    };
    await running.app.services.models.Installation.create({
      id: payload.installation.id,
      accountId: payload.account.id,
      accountLogin: payload.changes.login.from,
      accountType: "Organization",
      targetType: "Organization",
      repositorySelection: "all",
    });

    const deliveryId = await send("installation_target", payload);

    const stored = await storedInstallation(running.app.services, payload.installation.id);
    expect(stored!.row.accountLogin).toBe(payload.account.login);
    expect(stored!.row.previousAccountLogins).toEqual([{ login: payload.changes.login.from, changedAt: expect.any(String) }]);
    expect(await storedDelivery(running.app.services, deliveryId)).toMatchObject({ outcome: "processed", installationId: payload.installation.id });
  });

  it("installation_target.renamed for an installation we do not hold is acknowledged and left to reconciliation", async () => {
    const deliveryId = await send("installation_target", webhookFixture("installation_target.renamed"));
    expect(await storedDelivery(running.app.services, deliveryId)).toMatchObject({ outcome: "ignored" });
    expect(await running.app.services.models.Installation.count()).toBe(0);
  });
});
