// Sends a webhook the way GitHub does: JSON body, X-GitHub-Event/-Delivery and an HMAC signature.
import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";

interface SendWebhookOptions {
  /** The app's base URL (the webhook path is appended). */
  appUrl: string;
  event: string;
  payload: unknown;
  secret: string;
  deliveryId?: string;
  /** Replaces the computed signature, to test forged deliveries. */
  signature?: string;
}

export async function sendWebhook({ appUrl, event, payload, secret, deliveryId = randomUUID(), signature }: SendWebhookOptions) {
  const body = JSON.stringify(payload);
  const response = await fetch(`${appUrl}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/test",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": signature ?? (await sign(secret, body)),
    },
    body,
  });
  return { status: response.status, body: await response.text(), deliveryId };
}
