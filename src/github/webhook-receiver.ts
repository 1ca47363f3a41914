// The webhook path's handler: @octokit/webhooks' own node middleware (the one Probot uses, so the
// signature check and the answers are the same: 400 for a bad signature, 500 when a handler fails)
// over a Webhooks instance without Probot's transform, so handlers get the plain event and no
// installation Octokit is built for each one (none of our handlers calls GitHub).
import { createNodeMiddleware, Webhooks } from "@octokit/webhooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";

/** True when it answered the request (it was for the webhook path). */
export type WebhookMiddleware = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export interface WebhookReceiverOptions {
  secret: string;
  path: string;
  log: Logger;
  /** Puts the handlers on the receiver (webhooks/webhook-handlers.ts). */
  register: (webhooks: Webhooks) => void;
}

export function createWebhookReceiver({ secret, path, log, register }: WebhookReceiverOptions): WebhookMiddleware {
  const webhooks = new Webhooks({ secret });
  register(webhooks);
  return createNodeMiddleware(webhooks, { path, log }) as WebhookMiddleware;
}
