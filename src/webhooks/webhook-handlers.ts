// Registers one handler per webhook event on the Probot app. Each handler reads its payload and
// hands the change to a service through the delivery ledger, which makes it happen exactly once.
import type { Probot } from "probot";
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

export function registerWebhookHandlers(app: Probot, webhookServices: WebhookServices): void {
  onInstallation(app, webhookServices);
  onInstallationRepositories(app, webhookServices);
  onInstallationTarget(app, webhookServices);
  onGitHubAppAuthorization(app, webhookServices);
}

