// `installation_target.renamed`: the account the App is installed on changed its login. The payload
// names the installation by id only, and the account with its new login.
import type { Webhooks } from "@octokit/webhooks";
import { deliveryHeaders } from "./delivery-ledger.js";
import type { WebhookServices } from "./webhook-handlers.js";

export function onInstallationTarget(webhooks: Webhooks, { ledger, installations }: WebhookServices): void {
  webhooks.on("installation_target.renamed", async (event) => {
    const { installation, account, changes } = event.payload;
    // Enterprises are renamed by slug, users and organizations by login.
    const login = account.login ?? account.slug;
    const previousLogin = changes.login?.from ?? changes.slug?.from;
    await ledger.process(deliveryHeaders(event), async (transaction) => {
      if (!login || !previousLogin) return "ignored";
      return installations.recordAccountRenamed({ installationId: installation.id, accountId: account.id, login, previousLogin }, transaction);
    });
  });
}
