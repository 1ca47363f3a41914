// Exactly-once webhook effects. Each delivery is recorded under its X-GitHub-Delivery id in the same
// transaction as its effects, so a redelivery of a processed id finds the row and changes nothing,
// and two copies arriving together meet on the primary key: the second waits for the first to
// commit, then sees it processed. A failure is recorded in a write of its own (the effects'
// transaction rolled back), and rethrown so GitHub sees the delivery failed.
import type { Logger } from "pino";
import { QueryTypes, type Transaction } from "sequelize";
import type { Models } from "../db/models/index.js";
import type { ChangeOutcome } from "../installations/installation-service.js";
import { maskTokens } from "../observability/redact.js";

interface DeliveryHeaders {
  /** X-GitHub-Delivery (the event's `id`). */
  id: string;
  event: string;
  action: string | null;
  installationId: number | null;
}

/** The delivery's identity as the ledger records it. */
export function deliveryHeaders(event: { id: string; name: string; payload: unknown }): DeliveryHeaders {
  const payload = event.payload as { action?: string; installation?: { id?: number } };
  return { id: event.id, event: event.name, action: payload.action ?? null, installationId: payload.installation?.id ?? null };
}

type DeliveryResult = ChangeOutcome | "duplicate";

/** What GitHub is told when a delivery fails: a fixed message, never the cause (which may name data). */
class WebhookDeliveryFailedError extends Error {
  constructor(readonly deliveryId: string, options: { cause: unknown }) {
    super(`delivery ${deliveryId} failed and was recorded; GitHub may redeliver it`, options);
    this.name = "WebhookDeliveryFailedError";
  }
}

const MAX_ERROR_LENGTH = 2000;

export class DeliveryLedger {
  readonly #models: Models;
  readonly #log: Logger;

  constructor({ models, log }: { models: Models; log: Logger }) {
    this.#models = models;
    this.#log = log;
  }

  /** Runs `effect` once per delivery id, in a transaction that also records the delivery. */
  async process(delivery: DeliveryHeaders, effect: (transaction: Transaction) => Promise<ChangeOutcome>): Promise<DeliveryResult> {
    try {
      const result = await this.#models.sequelize.transaction(async (transaction): Promise<DeliveryResult> => {
        if (!(await this.#claim(delivery, transaction))) return "duplicate";
        const outcome = await effect(transaction);
        if (outcome === "ignored") {
          await this.#models.WebhookDelivery.update({ outcome }, { where: { deliveryId: delivery.id }, transaction });
        }
        return outcome;
      });
      this.#log.info({ delivery: delivery.id, event: delivery.event, action: delivery.action, result }, "webhook delivery handled");
      return result;
    } catch (error) {
      await this.#recordFailure(delivery, error);
      throw new WebhookDeliveryFailedError(delivery.id, { cause: error });
    }
  }

  /**
   * Inserts the delivery as processed, or takes over a row left by a failed attempt. False when
   * an earlier attempt already processed (or deliberately ignored) this id.
   */
  async #claim(delivery: DeliveryHeaders, transaction: Transaction): Promise<boolean> {
    const rows = await this.#models.sequelize.query(
      `INSERT INTO webhook_deliveries (delivery_id, event, action, installation_id, outcome, received_at, processed_at)
       VALUES (:id, :event, :action, :installationId, 'processed', now(), now())
       ON CONFLICT (delivery_id) DO UPDATE
         SET outcome = 'processed', error = NULL, attempts = webhook_deliveries.attempts + 1, processed_at = now()
         WHERE webhook_deliveries.outcome = 'failed'
       RETURNING delivery_id`,
      { replacements: { ...delivery }, type: QueryTypes.SELECT, transaction },
    );
    return rows.length === 1;
  }

  /** Never downgrades a row another attempt has meanwhile processed. */
  async #recordFailure(delivery: DeliveryHeaders, error: unknown): Promise<void> {
    const message = maskTokens(error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR_LENGTH);
    this.#log.error({ err: error, delivery: delivery.id, event: delivery.event, action: delivery.action }, "webhook delivery failed");
    try {
      await this.#models.sequelize.query(
        `INSERT INTO webhook_deliveries (delivery_id, event, action, installation_id, outcome, error, received_at)
         VALUES (:id, :event, :action, :installationId, 'failed', :message, now())
         ON CONFLICT (delivery_id) DO UPDATE
           SET error = EXCLUDED.error, attempts = webhook_deliveries.attempts + 1
           WHERE webhook_deliveries.outcome = 'failed'`,
        { replacements: { ...delivery, message } },
      );
    } catch (recordError) {
      // The database may be the very thing that failed; GitHub's own delivery log still shows it.
      this.#log.error({ err: recordError, delivery: delivery.id }, "could not record the failed webhook delivery");
    }
  }
}
