// `installation`: an account installed or uninstalled the App, suspended or unsuspended it, or
// accepted the new permissions it asked for.
import type { Webhooks } from "@octokit/webhooks";
import { installationSnapshot, repositorySnapshot } from "../installations/installation-snapshot.js";
import { deliveryHeaders } from "./delivery-ledger.js";
import type { WebhookServices } from "./webhook-handlers.js";

export function onInstallation(webhooks: Webhooks, { ledger, installations }: WebhookServices): void {
  webhooks.on("installation.created", async (event) => {
    const { installation, repositories = [], requester, sender } = event.payload;
    await ledger.process(deliveryHeaders(event), (transaction) =>
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

  webhooks.on("installation.deleted", async (event) => {
    const { installation, repositories = [] } = event.payload;
    await ledger.process(deliveryHeaders(event), (transaction) =>
      installations.recordDeleted(installationSnapshot(installation), repositories.map(repositorySnapshot), transaction),
    );
  });

  // Each of these payloads carries the installation as it now is: suspension, permissions, events.
  webhooks.on(["installation.suspend", "installation.unsuspend", "installation.new_permissions_accepted"], async (event) => {
    const { installation, sender } = event.payload;
    await ledger.process(deliveryHeaders(event), (transaction) =>
      installations.recordInstallationState(installationSnapshot(installation), { suspendedByFallback: sender.login }, transaction),
    );
  });
}
