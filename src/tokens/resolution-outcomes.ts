// How token resolutions end, counted per minute: served, reauth_required, or after a failed refresh.
// Each instance counts in memory (a resolution never waits on a write) and adds its counts to
// token_resolution_outcomes every few seconds, so the rollout guard sees every instance's figures.
import { randomUUID } from "node:crypto";
import type { Models } from "../db/models/index.js";

export type ResolutionOutcome = "served" | "reauth_required" | "refresh_failed";

export interface ResolutionOutcomeRecorder {
  record(outcome: ResolutionOutcome): void;
}

const MINUTE_MS = 60_000;

export class ResolutionOutcomeLog implements ResolutionOutcomeRecorder {
  readonly #models: Models;
  readonly #instanceId: string;
  readonly #now: () => Date;
  /** `<minute ms>|<outcome>` → count not yet written. */
  #pending = new Map<string, number>();

  constructor({ models, instanceId = randomUUID(), now = () => new Date() }: { models: Models; instanceId?: string; now?: () => Date }) {
    this.#models = models;
    this.#instanceId = instanceId;
    this.#now = now;
  }

  record(outcome: ResolutionOutcome): void {
    const minute = Math.floor(this.#now().getTime() / MINUTE_MS) * MINUTE_MS;
    const key = `${minute}|${outcome}`;
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
  }

  /** Adds the counts gathered since the last flush; on a database failure they are kept for the next one. */
  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    const rows = [...batch].map(([key, count]) => {
      const [minute, outcome] = key.split("|") as [string, ResolutionOutcome];
      return { minute: new Date(Number(minute)), outcome, count };
    });
    try {
      await this.#models.sequelize.query(
        `INSERT INTO token_resolution_outcomes (minute, instance_id, outcome, count)
         SELECT minute, :instanceId, outcome, count
           FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(minute timestamptz, outcome text, count int)
         ON CONFLICT (minute, instance_id, outcome) DO UPDATE SET count = token_resolution_outcomes.count + EXCLUDED.count`,
        { replacements: { instanceId: this.#instanceId, rows: JSON.stringify(rows) } },
      );
    } catch (error) {
      for (const [key, count] of batch) this.#pending.set(key, (this.#pending.get(key) ?? 0) + count);
      throw error;
    }
  }
}
