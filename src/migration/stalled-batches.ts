// Batches whose owner died: a `running` (or `paused`) batch whose heartbeat stopped is marked `failed` with the
// reason, and the users it still held are released at once (not when their lease runs out), so the
// next batch can take them. Runs on every instance; whoever notices first does it, exactly once.
import type { Logger } from "pino";
import { QueryTypes, type Transaction } from "sequelize";
import type { Models } from "../db/models/index.js";
import { runAsSingleton } from "../jobs/singleton.js";

/** A batch heartbeats every few seconds; this long without one means its instance stopped. */
export const BATCH_STALE_AFTER_SECONDS = 120;

export const STALLED_BATCHES_JOB = "stalled-batches";

export interface StalledBatch {
  batchId: number;
  heartbeatAt: Date;
  releasedUsers: number;
}

export interface StalledBatchSweepOptions {
  models: Models;
  log: Logger;
  staleAfterSeconds?: number;
}

export class StalledBatchSweep {
  readonly #models: Models;
  readonly #log: Logger;
  readonly #staleAfterSeconds: number;

  constructor({ models, log, staleAfterSeconds = BATCH_STALE_AFTER_SECONDS }: StalledBatchSweepOptions) {
    this.#models = models;
    this.#log = log;
    this.#staleAfterSeconds = staleAfterSeconds;
  }

  /** One pass; an empty list when nothing had stalled or another instance is sweeping right now. */
  async runPass(): Promise<StalledBatch[]> {
    const outcome = await runAsSingleton(this.#models.sequelize, STALLED_BATCHES_JOB, (transaction) => this.#failStalled(transaction));
    const stalled = outcome.ran ? outcome.result : [];
    for (const batch of stalled) {
      this.#log.warn(
        { event: "batch.stalled", batchId: batch.batchId, heartbeatAt: batch.heartbeatAt.toISOString(), releasedUsers: batch.releasedUsers },
        "a migration batch's instance stopped heartbeating; marked failed and its users released",
      );
    }
    return stalled;
  }

  async #failStalled(transaction: Transaction): Promise<StalledBatch[]> {
    const { sequelize } = this.#models;
    // The state check in the UPDATE makes the change happen once even without the singleton lock:
    // a second sweeper re-reads the row after the first commits and finds it no longer running or paused.
    // The cutoff is on the database's clock, like the heartbeats the batches write.
    const failed = await sequelize.query<{ id: string; heartbeat_at: Date }>(
      `UPDATE migration_batches
          SET state = 'failed', finished_at = now(),
              error = 'owner instance stopped heartbeating at '
                      || to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                      || '; marked failed and its unfinished users released'
        WHERE state IN ('running', 'paused') AND heartbeat_at < now() - make_interval(secs => :staleAfterSeconds)
        RETURNING id, heartbeat_at`,
      { replacements: { staleAfterSeconds: this.#staleAfterSeconds }, type: QueryTypes.SELECT, transaction },
    );
    if (failed.length === 0) return [];
    const released = await sequelize.query<{ batch_id: string; users: string }>(
      `WITH held AS (
         SELECT id, batch_claim_id FROM users WHERE batch_claim_id IN (:batchIds) FOR UPDATE
       ), cleared AS (
         UPDATE users SET batch_claim_id = NULL, batch_claim_expires_at = NULL
           FROM held WHERE users.id = held.id
         RETURNING held.batch_claim_id
       )
       SELECT batch_claim_id AS batch_id, count(*) AS users FROM cleared GROUP BY batch_claim_id`,
      { replacements: { batchIds: failed.map((row) => row.id) }, type: QueryTypes.SELECT, transaction },
    );
    const releasedBy = new Map(released.map((row) => [Number(row.batch_id), Number(row.users)]));
    return failed.map((row) => ({
      batchId: Number(row.id),
      heartbeatAt: new Date(row.heartbeat_at),
      releasedUsers: releasedBy.get(Number(row.id)) ?? 0,
    }));
  }
}
