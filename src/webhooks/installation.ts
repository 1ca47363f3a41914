// `installation`: an account installed or uninstalled the App, suspended or unsuspended it, or
// accepted the new permissions it asked for.
import type { Probot } from "probot";
import { installationSnapshot, repositorySnapshot } from "../installations/installation-snapshot.js";
import { deliveryHeaders } from "./delivery-ledger.js";
import type { WebhookServices } from "./webhook-handlers.js";

export function onInstallation(app: Probot, { ledger, installations }: WebhookServices): void {
  app.on("installation.created", async (context) => {
    const { installation, repositories = [], requester, sender } = context.payload;
    await ledger.process(deliveryHeaders(context), (transaction) =>
      installations.recordCreated(
        installationSnapshot(installation),
        {
          repositories: repositories.map(repositorySnapshot),
          installedByGithubId: sender.id,
          // Whoever installed it, and whoever asked an owner to: both can reach it.
          knownGithubIds: requester ? [sender.id, requester.id] : [sender.id],
        },
        transaction,
      ),
    );
  });

  app.on("installation.deleted", async (context) => {
    const { installation, repositories = [] } = context.payload;
    await ledger.process(deliveryHeaders(context), (transaction) =>
      installations.recordDeleted(installationSnapshot(installation), repositories.map(repositorySnapshot), transaction),
    );
  });

  // Each of these payloads carries the installation as it now is: suspension, permissions, events.
  app.on(["installation.suspend", "installation.unsuspend", "installation.new_permissions_accepted"], async (context) => {
    const { installation, sender } = context.payload;
    await ledger.process(deliveryHeaders(context), (transaction) =>
      installations.recordInstallationState(installationSnapshot(installation), { suspendedByFallback: sender.login }, transaction),
    );
  });
}
