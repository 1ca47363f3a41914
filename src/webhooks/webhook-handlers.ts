// Receives GitHub's webhooks: the signature checked, then one handler per event, each reading its
// payload and handing the change to a service through the delivery ledger, which makes it happen
// exactly once. Handlers get the plain event ({ id, name, payload }), not a Probot Context: Probot
// builds an installation Octokit (with its auth) for every event it hands on, and none of these
// handlers calls GitHub.
import { createNodeMiddleware, Webhooks } from "@octokit/webhooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { GrantRevocations } from "../installations/grant-revocation.js";
import type { InstallationService } from "../installations/installation-service.js";
import type { Models } from "../db/models/index.js";
import { DeliveryLedger } from "./delivery-ledger.js";
import { onGitHubAppAuthorization } from "./github-app-authorization.js";
import { onInstallation } from "./installation.js";
import { onInstallationRepositories } from "./installation-repositories.js";
import { onInstallationTarget } from "./installation-target.js";

export interface WebhookServices {
  ledger: DeliveryLedger;
  installations: InstallationService;
  grantRevocations: GrantRevocations;
}

export interface WebhookReceiverOptions {
  secret: string;
  path: string;
  models: Models;
  installations: InstallationService;
  grantRevocations: GrantRevocations;
  log: Logger;
}

/**
 * Node middleware for the webhook path, as Probot's own is (the same @octokit/webhooks middleware:
 * signature check, 400 for a bad one, 500 when a handler fails); true when it answered.
 */
export type WebhookMiddleware = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export function createWebhookReceiver({ secret, path, models, installations, grantRevocations, log }: WebhookReceiverOptions): WebhookMiddleware {
  const webhooks = new Webhooks({ secret });
  const services: WebhookServices = { ledger: new DeliveryLedger({ models, log }), installations, grantRevocations };
  onInstallation(webhooks, services);
  onInstallationRepositories(webhooks, services);
  onInstallationTarget(webhooks, services);
  onGitHubAppAuthorization(webhooks, services);
  return createNodeMiddleware(webhooks, { path, log }) as WebhookMiddleware;
}
