// Exactly-once webhook effects. Each delivery is recorded under its X-GitHub-Delivery id in the same
// transaction as its effects, so a redelivery of a processed id finds the row and changes nothing,
// and two copies arriving together meet on the primary key: the second waits for the first to
// commit, then sees it processed. A failure is recorded in a write of its own (the effects'
// transaction rolled back), and rethrown so GitHub sees the delivery failed. A delivery whose
// change is already in the database is recorded alone, in one statement.
import type { Logger } from "pino";
import { QueryTypes, type Transaction } from "sequelize";
import type { Models } from "../db/models/index.js";
import { PreparedStatement } from "../db/prepared-statement.js";
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

/**
 * Inserts the delivery with its outcome, or takes over a row left by a failed attempt; no row back
 * when an earlier attempt already processed (or deliberately ignored) this id. A copy arriving
 * while another attempt holds the id waits for it on the primary key.
 */
const CLAIM = `
  INSERT INTO webhook_deliveries (delivery_id, event, action, installation_id, outcome, received_at, processed_at)
  VALUES ($1, $2, $3, $4, $5, now(), now())
  ON CONFLICT (delivery_id) DO UPDATE
    SET outcome = EXCLUDED.outcome, error = NULL, attempts = webhook_deliveries.attempts + 1, processed_at = now()
    WHERE webhook_deliveries.outcome = 'failed'
  RETURNING delivery_id`;

interface ProcessOptions {
  /**
   * Reads, without a lock, whether the delivery's change is already in the database and what it
   * would be recorded as (null: it writes). When it is, the delivery is recorded alone: one statement,
   * no transaction, no lock to queue on.
   */
  alreadyApplied?: () => Promise<ChangeOutcome | null>;
}

export class DeliveryLedger {
  readonly #models: Models;
  readonly #log: Logger;
  readonly #claimAlone = new PreparedStatement<{ delivery_id: string }>("webhook_delivery_claim", CLAIM);

  constructor({ models, log }: { models: Models; log: Logger }) {
    this.#models = models;
    this.#log = log;
  }

  /** Runs `effect` once per delivery id, in a transaction that also records the delivery. */
  async process(
    delivery: DeliveryHeaders,
    effect: (transaction: Transaction) => Promise<ChangeOutcome>,
    { alreadyApplied }: ProcessOptions = {},
  ): Promise<DeliveryResult> {
    try {
      const applied = alreadyApplied ? await alreadyApplied() : null;
      const result = applied === null ? await this.#applyOnce(delivery, effect) : await this.#record(delivery, applied);
      this.#log.info({ delivery: delivery.id, event: delivery.event, action: delivery.action, result }, "webhook delivery handled");
      return result;
    } catch (error) {
      await this.#recordFailure(delivery, error);
      throw new WebhookDeliveryFailedError(delivery.id, { cause: error });
    }
  }

  async #applyOnce(delivery: DeliveryHeaders, effect: (transaction: Transaction) => Promise<ChangeOutcome>): Promise<DeliveryResult> {
    return this.#models.sequelize.transaction(async (transaction): Promise<DeliveryResult> => {
      const claimed = await this.#models.sequelize.query(CLAIM, { bind: claimValues(delivery, "processed"), type: QueryTypes.SELECT, transaction });
      if (claimed.length === 0) return "duplicate";
      const outcome = await effect(transaction);
      if (outcome === "ignored") {
        await this.#models.WebhookDelivery.update({ outcome }, { where: { deliveryId: delivery.id }, transaction });
      }
      return outcome;
    });
  }

  /** A delivery that changes nothing: its ledger row is its only write. */
  async #record(delivery: DeliveryHeaders, outcome: ChangeOutcome): Promise<DeliveryResult> {
    const claimed = await this.#claimAlone.run(this.#models.sequelize, claimValues(delivery, outcome));
    return claimed.length === 0 ? "duplicate" : outcome;
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

function claimValues({ id, event, action, installationId }: DeliveryHeaders, outcome: ChangeOutcome): unknown[] {
  return [id, event, action, installationId, outcome];
}
