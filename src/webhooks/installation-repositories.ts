// `installation_repositories`: repositories were added to or removed from an installation, which
// may also have switched between "all" and "selected".
import type { Probot } from "probot";
import { installationSnapshot, repositorySnapshot } from "../installations/installation-snapshot.js";
import { deliveryHeaders } from "./delivery-ledger.js";
import type { WebhookServices } from "./webhook-handlers.js";

export function onInstallationRepositories(app: Probot, { ledger, installations }: WebhookServices): void {
  app.on(["installation_repositories.added", "installation_repositories.removed"], async (context) => {
    const { installation, repository_selection, repositories_added, repositories_removed } = context.payload;
    await ledger.process(deliveryHeaders(context), (transaction) =>
      installations.recordRepositoriesChanged(
        // The payload's own selection is the change; the installation object may predate it.
        { ...installationSnapshot(installation), repositorySelection: repository_selection },
        { added: repositories_added.map(repositorySnapshot), removedIds: repositories_removed.map((repository) => Number(repository.id)) },
        transaction,
      ),
    );
  });
}
