// The campaign's trends, read from the database so every instance shows the same figures: users per
// status per day (from the audit trail: a user row arrives in pending at its created_at, then each
// migration_events row moves one user from one status to another), and per hour over the last 48
// hours the token activity every instance adds to token_activity_hours (tokens/token-activity.ts).
// A singleton job rolls closed hours of status changes up into user_status_hours, so a page reads a
// few hundred rows plus the events since the last closed hour, however long the audit trail is.
import { QueryTypes } from "sequelize";
import { MIGRATION_STATUSES, type MigrationStatus, type Models } from "../db/models/index.js";
import { runAsSingleton } from "../jobs/singleton.js";
import { FALLBACK_REASONS, type FallbackReason } from "../tokens/resolution.js";
import { RESOLUTION_TYPES, type ActivityMeasure } from "../tokens/token-activity.js";
import { REFRESH_OUTCOMES, type RefreshOutcome } from "../tokens/token-metrics.js";

export type ResolutionType = (typeof RESOLUTION_TYPES)[number];

export interface StatusDay {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  /** Users in each status at the end of the day; for today, now. */
  users: Record<MigrationStatus, number>;
  /** Moves to migrated during the day: first migrations and recoveries. */
  migrated: number;
}

export interface ActivityHour {
  /** The hour's start; the last one is the current hour, still counting. */
  hour: Date;
  /** Resolutions the application asked for, by what they answered. */
  resolutions: Record<ResolutionType, number>;
  /** OAuth tokens served, by why the App token was not. */
  fallbacks: Record<FallbackReason, number>;
  /** Refreshes at GitHub, by outcome. */
  refreshes: Record<RefreshOutcome, number>;
  /** Users moved to reauth_required: a refresh failed for good. */
  reauth_required: number;
}

export interface FallbackWindow {
  /** The window's start, on an hour; it runs to now. */
  since: Date;
  by_reason: Record<FallbackReason, number>;
  total: number;
}

/** OAuth tokens served instead of App tokens, every instance's, since the hour began and over the last 24 hours. */
export interface FallbackFigures {
  this_hour: FallbackWindow;
  last_24_hours: FallbackWindow;
}

export interface TrendsView {
  /** The database's clock when the figures were read. */
  generated_at: Date;
  /** Oldest first, one per day from the campaign's first (at most the last STATUS_DAYS_SHOWN); the last is today. */
  status_days: StatusDay[];
  /** The last ACTIVITY_HOURS hours, oldest first; the last is the current hour. */
  activity_hours: ActivityHour[];
  fallbacks: FallbackFigures;
}

/** Days of the status trend returned; earlier days still count towards the first one shown. */
export const STATUS_DAYS_SHOWN = 180;
export const ACTIVITY_HOURS = 48;
export const USER_STATUS_ROLLUP_JOB = "user-status-rollup";
/** An hour is rolled up this long after it closed, so a transaction stamped inside it has committed. */
const ROLLUP_SETTLE_SECONDS = 300;
/** Each rollup recounts this much before its mark too, catching events committed later still. */
const ROLLUP_RECOUNT_MS = 2 * 3_600_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export class CampaignTrends {
  readonly #models: Models;

  constructor({ models }: { models: Models }) {
    this.#models = models;
  }

  async view(): Promise<TrendsView> {
    const [statusDays, activity] = await Promise.all([this.statusDays(), this.#activity()]);
    return { generated_at: activity.now, status_days: statusDays, activity_hours: activity.hours, fallbacks: fallbackFigures(activity.hours) };
  }

  /** What the overview shows of the fallbacks (one small read of token_activity_hours). */
  async fallbacks(): Promise<FallbackFigures> {
    return fallbackFigures((await this.#activity()).hours);
  }

  /**
   * Users per status at the end of each day: the rolled-up hours before the rollup's mark, and the
   * users created and the events written since it, in one statement (one snapshot). The mark is
   * read first and given as a value, so the planner reads only the index range after it; a pass of
   * the job in between moves the mark on, which changes nothing below the mark read.
   */
  async statusDays(): Promise<StatusDay[]> {
    const { sequelize } = this.#models;
    const [mark] = await sequelize.query<{ rolled_until: Date }>("SELECT rolled_until FROM user_status_rollup", { type: QueryTypes.SELECT });
    const rows = await sequelize.query<{ day: string; today: string; status: MigrationStatus | null; arrived: number; departed: number }>(
      `WITH changes AS (
         SELECT (hour AT TIME ZONE 'UTC')::date AS day, status, arrived, departed
           FROM user_status_hours WHERE hour < :mark
         UNION ALL
         -- One pass over the events after the mark (a busy hour holds one per user moved): each
         -- change is an arrival in its new status and, when it had one, a departure from the old.
         SELECT (e.created_at AT TIME ZONE 'UTC')::date, side.status, side.arrived, side.departed
           FROM migration_events e
           CROSS JOIN LATERAL (VALUES (e.to_status, 1, 0), (e.from_status, 0, 1)) AS side (status, arrived, departed)
          WHERE e.created_at >= :mark AND e.from_status IS DISTINCT FROM e.to_status AND side.status IS NOT NULL
         UNION ALL
         SELECT (created_at AT TIME ZONE 'UTC')::date, 'pending', 1, 0
           FROM users WHERE created_at >= :mark
       )
       SELECT to_char(day, 'YYYY-MM-DD') AS day, to_char((now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS today,
              status, sum(arrived)::int AS arrived, sum(departed)::int AS departed
         FROM changes GROUP BY day, status
       UNION ALL
       SELECT NULL, to_char((now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'), NULL, 0, 0
       ORDER BY day NULLS LAST`,
      { replacements: { mark: mark?.rolled_until ?? "-infinity" }, type: QueryTypes.SELECT },
    );
    const today = rows[0]!.today;
    const changes = rows.filter((row): row is typeof row & { status: MigrationStatus } => row.status !== null);
    if (changes.length === 0) return [];
    const byDay = new Map<string, typeof changes>();
    for (const change of changes) byDay.set(change.day, [...(byDay.get(change.day) ?? []), change]);
    const users = emptyCounts(MIGRATION_STATUSES);
    const days: StatusDay[] = [];
    const last = Math.max(dayStart(today), dayStart(changes.at(-1)!.day));
    for (let at = dayStart(changes[0]!.day); at <= last; at += DAY_MS) {
      const day = new Date(at).toISOString().slice(0, 10);
      let migrated = 0;
      for (const change of byDay.get(day) ?? []) {
        users[change.status] += change.arrived - change.departed;
        if (change.status === "migrated") migrated += change.arrived;
      }
      days.push({ day, users: { ...users }, migrated });
    }
    return days.slice(-STATUS_DAYS_SHOWN);
  }

  /**
   * The job's pass (every instance runs it; one at a time): rolls every hour that closed at least
   * ROLLUP_SETTLE_SECONDS ago into user_status_hours, recounting the hours just before the mark.
   * Counting replaces what an hour held, so a pass repeated, or cut short by a crash, changes nothing.
   */
  async rollUpClosedHours(): Promise<void> {
    const { sequelize } = this.#models;
    await runAsSingleton(sequelize, USER_STATUS_ROLLUP_JOB, async (transaction) => {
      const [mark] = await sequelize.query<{ rolled_until: Date | null; target: Date }>(
        `SELECT (SELECT rolled_until FROM user_status_rollup) AS rolled_until,
                date_trunc('hour', now() - make_interval(secs => :settle), 'UTC') AS target`,
        { replacements: { settle: ROLLUP_SETTLE_SECONDS }, type: QueryTypes.SELECT, transaction },
      );
      const { rolled_until: rolledUntil, target } = mark!;
      if (rolledUntil !== null && rolledUntil >= target) return;
      const replacements = { from: rolledUntil === null ? null : new Date(rolledUntil.getTime() - ROLLUP_RECOUNT_MS), target };
      const range = "created_at >= COALESCE(CAST(:from AS timestamptz), '-infinity') AND created_at < :target";
      await sequelize.query(`DELETE FROM user_status_hours WHERE hour >= COALESCE(CAST(:from AS timestamptz), '-infinity') AND hour < :target`, {
        replacements,
        transaction,
      });
      await sequelize.query(
        `INSERT INTO user_status_hours (hour, status, arrived, departed)
         SELECT date_trunc('hour', at, 'UTC'), status, sum(arrived)::int, sum(departed)::int FROM (
           SELECT created_at AS at, to_status AS status, 1 AS arrived, 0 AS departed
             FROM migration_events WHERE ${range} AND from_status IS DISTINCT FROM to_status
           UNION ALL
           SELECT created_at, from_status, 0, 1 FROM migration_events WHERE ${range} AND from_status <> to_status
           UNION ALL
           SELECT created_at, 'pending', 1, 0 FROM users WHERE ${range}
         ) changes
         GROUP BY 1, 2`,
        { replacements, transaction },
      );
      await sequelize.query(
        `INSERT INTO user_status_rollup (single, rolled_until) VALUES (true, :target)
         ON CONFLICT (single) DO UPDATE SET rolled_until = EXCLUDED.rolled_until`,
        { replacements, transaction },
      );
    });
  }

  /** Every instance's activity per hour over the last ACTIVITY_HOURS hours, on the database's clock. */
  async #activity(): Promise<{ now: Date; hours: ActivityHour[] }> {
    const rows = await this.#models.sequelize.query<{ now: Date; current_hour: Date; hour: Date | null; measure: ActivityMeasure | null; label: string | null; count: number | null }>(
      `WITH clock AS (SELECT now() AS now, date_trunc('hour', now(), 'UTC') AS current_hour)
       SELECT clock.now, clock.current_hour, a.hour, a.measure, a.label, a.count
         FROM clock LEFT JOIN LATERAL (
           SELECT hour, measure, label, sum(count)::int AS count FROM token_activity_hours
            WHERE hour >= clock.current_hour - make_interval(hours => :earlier) GROUP BY hour, measure, label) a ON true`,
      { replacements: { earlier: ACTIVITY_HOURS - 1 }, type: QueryTypes.SELECT },
    );
    const { now, current_hour: currentHour } = rows[0]!;
    const first = currentHour.getTime() - (ACTIVITY_HOURS - 1) * HOUR_MS;
    const hours = Array.from({ length: ACTIVITY_HOURS }, (_, index): ActivityHour => ({
      hour: new Date(first + index * HOUR_MS),
      resolutions: emptyCounts(RESOLUTION_TYPES),
      fallbacks: emptyCounts(FALLBACK_REASONS),
      refreshes: emptyCounts(REFRESH_OUTCOMES),
      reauth_required: 0,
    }));
    for (const row of rows) {
      if (row.hour === null || row.count === null) continue;
      const hour = hours[Math.round((row.hour.getTime() - first) / HOUR_MS)];
      if (!hour) continue;
      if (row.measure === "reauth_required") hour.reauth_required += row.count;
      else if (row.measure === "resolution") addTo(hour.resolutions, row.label, row.count);
      else if (row.measure === "fallback") addTo(hour.fallbacks, row.label, row.count);
      else if (row.measure === "refresh") addTo(hour.refreshes, row.label, row.count);
    }
    return { now: new Date(now), hours };
  }
}

function fallbackFigures(hours: ActivityHour[]): FallbackFigures {
  const windowOf = (last: ActivityHour[]): FallbackWindow => {
    const byReason = emptyCounts(FALLBACK_REASONS);
    for (const hour of last) for (const reason of FALLBACK_REASONS) byReason[reason] += hour.fallbacks[reason];
    return { since: last[0]!.hour, by_reason: byReason, total: Object.values(byReason).reduce((sum, count) => sum + count, 0) };
  };
  return { this_hour: windowOf(hours.slice(-1)), last_24_hours: windowOf(hours.slice(-24)) };
}

function emptyCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/** Adds a count under a label this version knows; a label only a newer version writes is left out. */
function addTo<K extends string>(counts: Record<K, number>, label: string | null, count: number): void {
  if (label !== null && Object.hasOwn(counts, label)) counts[label as K] += count;
}

function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}
