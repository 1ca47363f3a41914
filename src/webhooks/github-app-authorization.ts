// `github_app_authorization.revoked`: a user revoked the App's authorization, which kills every user
// token the App holds for them. There is no installation in the payload; the user is the sender.
import type { Webhooks } from "@octokit/webhooks";
import { deliveryHeaders } from "./delivery-ledger.js";
import type { WebhookServices } from "./webhook-handlers.js";

export function onGitHubAppAuthorization(webhooks: Webhooks, { ledger, grantRevocations }: WebhookServices): void {
  webhooks.on("github_app_authorization.revoked", async (event) => {
    const { sender } = event.payload;
    await ledger.process(deliveryHeaders(event), (transaction) =>
      grantRevocations.recordAppAuthorizationRevoked({ githubId: sender.id, login: sender.login }, transaction),
    );
  });
}
