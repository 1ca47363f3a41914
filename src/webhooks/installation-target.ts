// `installation_target.renamed`: the account the App is installed on changed its login. The payload
// names the installation by id only, and the account with its new login.
import type { Probot } from "probot";
import { deliveryHeaders } from "./delivery-ledger.js";
import type { WebhookServices } from "./webhook-handlers.js";

export function onInstallationTarget(app: Probot, { ledger, installations }: WebhookServices): void {
  app.on("installation_target.renamed", async (context) => {
    const { installation, account, changes } = context.payload;
    // Enterprises are renamed by slug, users and organizations by login.
    const login = account.login ?? account.slug;
    const previousLogin = changes.login?.from ?? changes.slug?.from;
    await ledger.process(deliveryHeaders(context), async (transaction) => {
      if (!login || !previousLogin) return "ignored";
      return installations.recordAccountRenamed({ installationId: installation.id, accountId: account.id, login, previousLogin }, transaction);
    });
  });
}
