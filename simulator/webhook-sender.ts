// Delivers webhooks like GitHub's Hookshot: signed JSON POSTs to the App's webhook URL, each one
// recorded as a delivery that `GET /app/hook/deliveries` lists and that can be redelivered.
import { sign } from "@octokit/webhooks-methods";
import { createHmac } from "node:crypto";
import { tokenStrings } from "./token-strings.js";

/** GitHub gives up on a webhook target after 10 seconds. */
const DELIVERY_TIMEOUT_MS = 10_000;

export interface StoredDelivery {
  id: number;
  guid: string;
  event: string;
  action: string | null;
  installationId: number | null;
  repositoryId: number | null;
  body: string;
  deliveredAt: Date;
  redelivery: boolean;
  /** Seconds, as GitHub reports it. */
  duration: number;
  status: string;
  statusCode: number;
}

interface WebhookTarget {
  url: string;
  secret: string;
}

export interface OutgoingWebhook {
  event: string;
  action: string | null;
  installationId: number | null;
  repositoryId: number | null;
  payload: Record<string, unknown>;
}

export class WebhookSender {
  private readonly stored: StoredDelivery[] = [];
  /** GitHub's delivery ids are large integers that only grow. */
  private nextDeliveryId = 90_000_000_001;

  constructor(
    private readonly options: { target: WebhookTarget | undefined; hookId: number; appId: number; now: () => Date },
  ) {}

  async deliver(webhook: OutgoingWebhook): Promise<StoredDelivery> {
    return this.send({ ...webhook, body: JSON.stringify(webhook.payload), guid: tokenStrings.deliveryGuid(), redelivery: false });
  }

  /** Sends a recorded delivery again: same guid and body, a new delivery record marked `redelivery`. */
  async redeliver(deliveryId: number): Promise<StoredDelivery | undefined> {
    const original = this.stored.find((delivery) => delivery.id === deliveryId);
    return original && this.send({ ...original, redelivery: true });
  }

  /** Newest first, as GitHub lists them. */
  list(): StoredDelivery[] {
    return [...this.stored].reverse();
  }

  clear() {
    this.stored.length = 0;
  }

  private async send(delivery: Omit<StoredDelivery, "id" | "deliveredAt" | "duration" | "status" | "statusCode">): Promise<StoredDelivery> {
    const target = this.options.target;
    if (!target) throw new Error("Simulator: no webhook target configured (start it with the `webhook` option)");
    const deliveredAt = this.options.now();
    const started = performance.now();
    let statusCode = 0;
    let status = "failed to connect to host";
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/simulator",
          "x-github-event": delivery.event,
          "x-github-delivery": delivery.guid,
          "x-github-hook-id": String(this.options.hookId),
          "x-github-hook-installation-target-id": String(this.options.appId),
          "x-github-hook-installation-target-type": "integration",
          "x-hub-signature": `sha1=${createHmac("sha1", target.secret).update(delivery.body).digest("hex")}`,
          "x-hub-signature-256": await sign(target.secret, delivery.body),
        },
        body: delivery.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      statusCode = response.status;
      status = response.ok ? "OK" : `Invalid HTTP Response: ${response.status}`;
    } catch (error) {
      if (error instanceof Error && error.name === "TimeoutError") status = "timed out";
    }
    const stored: StoredDelivery = {
      ...delivery,
      id: this.nextDeliveryId++,
      deliveredAt,
      duration: Math.round(performance.now() - started) / 1000,
      status,
      statusCode,
    };
    this.stored.push(stored);
    return stored;
  }
}
