// `installation_repositories`: repositories were added to or removed from an installation, which
// may also have switched between "all" and "selected".
import type { Webhooks } from "@octokit/webhooks";
import { installationSnapshot, repositorySnapshot } from "../installations/installation-snapshot.js";
import { deliveryHeaders } from "./delivery-ledger.js";
import type { WebhookServices } from "./webhook-handlers.js";

export function onInstallationRepositories(webhooks: Webhooks, { ledger, installations }: WebhookServices): void {
  webhooks.on(["installation_repositories.added", "installation_repositories.removed"], async (event) => {
    const { installation, repository_selection, repositories_added, repositories_removed } = event.payload;
    // The payload's own selection is the change; the installation object may predate it.
    const snapshot = { ...installationSnapshot(installation), repositorySelection: repository_selection };
    const change = { added: repositories_added.map(repositorySnapshot), removedIds: repositories_removed.map((repository) => Number(repository.id)) };
    await ledger.process(deliveryHeaders(event), (transaction) => installations.recordRepositoriesChanged(snapshot, change, transaction), {
      alreadyApplied: () => installations.repositoriesChangeAlreadyApplied(snapshot, change),
    });
  });
}
