// Registers one handler per webhook event on the receiver (github/webhook-receiver.ts). Each handler
// reads its payload and hands the change to a service through the delivery ledger, which makes it
// happen exactly once. Handlers get the plain event ({ id, name, payload }), not a Probot Context.
import type { Webhooks } from "@octokit/webhooks";
import type { GrantRevocations } from "../installations/grant-revocation.js";
import type { InstallationService } from "../installations/installation-service.js";
import type { DeliveryLedger } from "./delivery-ledger.js";
import { onGitHubAppAuthorization } from "./github-app-authorization.js";
import { onInstallation } from "./installation.js";
import { onInstallationRepositories } from "./installation-repositories.js";
import { onInstallationTarget } from "./installation-target.js";

export interface WebhookServices {
  ledger: DeliveryLedger;
  installations: InstallationService;
  grantRevocations: GrantRevocations;
}

export function registerWebhookHandlers(webhooks: Webhooks, webhookServices: WebhookServices): void {
  onInstallation(webhooks, webhookServices);
  onInstallationRepositories(webhooks, webhookServices);
  onInstallationTarget(webhooks, webhookServices);
  onGitHubAppAuthorization(webhooks, webhookServices);
}
