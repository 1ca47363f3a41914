// `github_app_authorization.revoked`: a user revoked the App's authorization, which kills every user
// token the App holds for them. There is no installation in the payload; the user is the sender.
import type { Probot } from "probot";
import { deliveryHeaders } from "./delivery-ledger.js";
import type { WebhookServices } from "./webhook-handlers.js";

export function onGitHubAppAuthorization(app: Probot, { ledger, grantRevocations }: WebhookServices): void {
  app.on("github_app_authorization.revoked", async (context) => {
    const { sender } = context.payload;
    await ledger.process(deliveryHeaders(context), (transaction) =>
      grantRevocations.recordAppAuthorizationRevoked({ githubId: sender.id, login: sender.login }, transaction),
    );
  });
}
