// How tokens are used and refreshed, counted in memory on each instance (a resolution never waits on
// a write) and added to the database every few seconds, so every instance reads every instance's
// figures: per minute, how resolutions ended, for the rollout guard (token_resolution_outcomes); per
// hour, resolutions by token type, fallbacks by reason, refresh outcomes and users moved to
// reauth_required, for the trends (token_activity_hours).
import { randomUUID } from "node:crypto";
import type { Models, RefreshFailureClass } from "../db/models/index.js";
import type { FallbackReason } from "./resolution.js";
import type { RefreshOutcome } from "./token-metrics.js";

/** How a resolution ended, as the rollout guard judges it: after a failed refresh even when the OAuth fallback served. */
export type ResolutionOutcome = "served" | "reauth_required" | "refresh_failed";

/** What a token resolution answered: a token of either type, or none (reauth_required, unavailable). */
export const RESOLUTION_TYPES = ["github_app_user", "oauth", "reauth_required", "unavailable"] as const;

/** What a token resolution answered: a token of one type (an OAuth one with why), or no token. */
export type ResolutionEnding =
  | { type: "github_app_user" }
  | { type: "oauth"; fallbackReason: FallbackReason }
  | { type: "reauth_required" }
  | { type: "unavailable" };

/** The hourly measures of token_activity_hours, each counted by one label. */
export type ActivityMeasure = "resolution" | "fallback" | "refresh" | "reauth_required";

export interface TokenActivityRecorder {
  /** A resolution the application asked for ended (inspections, such as the account page's, are not told). */
  resolved(ending: ResolutionEnding): void;
  /** A refresh at GitHub ended, whoever asked for it. */
  refreshed(outcome: RefreshOutcome): void;
  /** A user was moved to reauth_required because a refresh failed for good. */
  reauthRequired(failureClass: RefreshFailureClass): void;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Counts not yet written, by a key naming their bucket and labels; a failed write puts them back. */
class PendingCounts {
  #counts = new Map<string, number>();

  add(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  take(): Map<string, number> {
    const taken = this.#counts;
    this.#counts = new Map();
    return taken;
  }

  restore(taken: Map<string, number>): void {
    for (const [key, count] of taken) this.#counts.set(key, (this.#counts.get(key) ?? 0) + count);
  }
}

export class TokenActivityLog implements TokenActivityRecorder {
  readonly #models: Models;
  readonly #instanceId: string;
  readonly #now: () => Date;
  /** `<minute ms>|<outcome>` */
  readonly #minutes = new PendingCounts();
  /** `<hour ms>|<measure>|<label>` */
  readonly #hours = new PendingCounts();

  constructor({ models, instanceId = randomUUID(), now = () => new Date() }: { models: Models; instanceId?: string; now?: () => Date }) {
    this.#models = models;
    this.#instanceId = instanceId;
    this.#now = now;
  }

  resolved(ending: ResolutionEnding): void {
    const at = this.#now().getTime();
    this.#minutes.add(`${startOf(at, MINUTE_MS)}|${guardOutcome(ending)}`);
    this.#countHourly(at, "resolution", ending.type);
    if (ending.type === "oauth") this.#countHourly(at, "fallback", ending.fallbackReason);
  }

  refreshed(outcome: RefreshOutcome): void {
    this.#countHourly(this.#now().getTime(), "refresh", outcome);
  }

  reauthRequired(failureClass: RefreshFailureClass): void {
    this.#countHourly(this.#now().getTime(), "reauth_required", failureClass);
  }

  /**
   * Adds the counts gathered since the last flush, both tables in one statement; on a database
   * failure every count is kept for the next flush.
   */
  async flush(): Promise<void> {
    const minutes = this.#minutes.take();
    const hours = this.#hours.take();
    if (minutes.size === 0 && hours.size === 0) return;
    const outcomes = [...minutes].map(([key, count]) => {
      const [minute, outcome] = key.split("|") as [string, ResolutionOutcome];
      return { minute: new Date(Number(minute)), outcome, count };
    });
    const activity = [...hours].map(([key, count]) => {
      const [hour, measure, label] = key.split("|") as [string, ActivityMeasure, string];
      return { hour: new Date(Number(hour)), measure, label, count };
    });
    try {
      // Data-modifying CTEs run whether or not the outer query reads them: both inserts or neither.
      await this.#models.sequelize.query(
        `WITH outcomes AS (
           INSERT INTO token_resolution_outcomes (minute, instance_id, outcome, count)
           SELECT minute, :instanceId, outcome, count
             FROM jsonb_to_recordset(CAST(:outcomes AS jsonb)) AS r(minute timestamptz, outcome text, count int)
           ON CONFLICT (minute, instance_id, outcome) DO UPDATE SET count = token_resolution_outcomes.count + EXCLUDED.count
         ), activity AS (
           INSERT INTO token_activity_hours (hour, instance_id, measure, label, count)
           SELECT hour, :instanceId, measure, label, count
             FROM jsonb_to_recordset(CAST(:activity AS jsonb)) AS r(hour timestamptz, measure text, label text, count int)
           ON CONFLICT (hour, instance_id, measure, label) DO UPDATE SET count = token_activity_hours.count + EXCLUDED.count
         )
         SELECT 1`,
        { replacements: { instanceId: this.#instanceId, outcomes: JSON.stringify(outcomes), activity: JSON.stringify(activity) } },
      );
    } catch (error) {
      this.#minutes.restore(minutes);
      this.#hours.restore(hours);
      throw error;
    }
  }

  #countHourly(at: number, measure: ActivityMeasure, label: string): void {
    this.#hours.add(`${startOf(at, HOUR_MS)}|${measure}|${label}`);
  }
}

function startOf(at: number, bucketMs: number): number {
  return Math.floor(at / bucketMs) * bucketMs;
}

function guardOutcome(ending: ResolutionEnding): ResolutionOutcome {
  switch (ending.type) {
    case "github_app_user":
      return "served";
    case "oauth":
      return ending.fallbackReason === "app_token_unavailable" ? "refresh_failed" : "served";
    case "reauth_required":
      return "reauth_required";
    case "unavailable":
      return "refresh_failed";
  }
}
