// What the console's overview shows beyond the migration overview: the latest users needing attention
// with their latest event, the latest events, and the last hour's refresh figures read from durable
// rows (so every instance shows the same numbers).
import { QueryTypes } from "sequelize";
import type { MigrationStatus, Models, RefreshFailureClass } from "../db/models/index.js";
import type { MigrationBatches } from "./batches.js";
import type { FeatureFlags } from "../users/flags.js";
import { migrationOverview, type MigrationOverview } from "./overview.js";
import { legacyTokenOnlyUsers } from "./status-counts.js";
import type { CampaignTrends } from "./trends.js";

/** The statuses a maintainer has to look at: the user cannot be served an App token without help. */
export const ATTENTION_STATUSES = ["consent_required", "reauth_required", "revoked", "failed"] as const satisfies readonly MigrationStatus[];

export interface AttentionUser {
  githubId: number;
  login: string;
  status: MigrationStatus;
  /** The latest migration_events row's reason and actor, or the stored error when there is none. */
  lastEvent: { reason: string; actor: string; at: Date } | null;
  migrationError: string | null;
  lastRefreshError: string | null;
  /** Why the last refresh failed for good, when one did. */
  refreshFailureClass: RefreshFailureClass | null;
}

export interface RecentEvent {
  githubId: number;
  login: string;
  from: MigrationStatus | null;
  to: MigrationStatus;
  reason: string;
  actor: string;
  batchId: number | null;
  at: Date;
}

/**
 * Refresh activity of the last hour, from the users and migration_events tables. The prom-client
 * counters are per process and lifetime, so they cannot say this for a whole deployment.
 */
export interface LastHourFigures {
  since: Date;
  /** Users whose App token was issued or renewed (github_app_token_refreshed_at): sign-ins and refreshes. */
  tokensRenewed: number;
  /** Users whose latest refresh failed transiently and who are waiting for their next attempt. */
  refreshesBackingOff: number;
  /** Users moved to reauth_required (a refresh failed terminally). */
  terminalRefreshFailures: number;
  /** Users moved to migrated (authorized the App, or an App token validated). */
  newlyMigrated: number;
  /** Refreshes that failed for good in the last hour, by class (users.refresh_failure_class). */
  refreshFailuresByClass: Partial<Record<RefreshFailureClass, number>>;
  /** Users whose App token is not served right now because a refresh may have rotated it unseen. */
  usersInDoubtNow: number;
}

export interface DashboardSnapshot {
  overview: MigrationOverview;
  attention: AttentionUser[];
  recentEvents: RecentEvent[];
  lastHour: LastHourFigures;
  /** Users holding a legacy OAuth token and no App token: who the OAuth fallback serves today. */
  usersOnLegacyTokenOnly: number;
}

interface DashboardFiguresOptions {
  models: Models;
  flags: FeatureFlags;
  batches: MigrationBatches;
  trends: Pick<CampaignTrends, "fallbacks">;
  now?: () => Date;
}

/** The overview shows the latest few; the Users page lists everyone by status. */
const ATTENTION_LIMIT = 10;
const RECENT_EVENTS_LIMIT = 15;
const HOUR_MS = 3_600_000;

export class DashboardFigures {
  readonly #options: DashboardFiguresOptions;

  constructor(options: DashboardFiguresOptions) {
    this.#options = options;
  }

  async snapshot(): Promise<DashboardSnapshot> {
    const { models, flags, batches, trends } = this.#options;
    const [overview, attention, recentEvents, lastHour, usersOnLegacyTokenOnly] = await Promise.all([
      migrationOverview({ models, flags, batches, trends }),
      this.#attention(),
      this.#recentEvents(),
      this.#lastHour(),
      legacyTokenOnlyUsers(this.#options.models),
    ]);
    return { overview, attention, recentEvents, lastHour, usersOnLegacyTokenOnly };
  }

  /** The GitHub id of the user with this login (case-insensitive, as GitHub treats logins), or null. */
  async githubIdOf(login: string): Promise<number | null> {
    const rows = await this.#options.models.sequelize.query<{ github_id: string }>(
      "SELECT github_id FROM users WHERE lower(login) = lower(:login) ORDER BY updated_at DESC LIMIT 1",
      { replacements: { login }, type: QueryTypes.SELECT },
    );
    return rows[0] ? Number(rows[0].github_id) : null;
  }

  async #attention(): Promise<AttentionUser[]> {
    const rows = await this.#options.models.sequelize.query<{
      github_id: string;
      login: string;
      status: MigrationStatus;
      migration_error: string | null;
      last_refresh_error: string | null;
      refresh_failure_class: RefreshFailureClass | null;
      reason: string | null;
      actor: string | null;
      at: Date | null;
    }>(
      // The latest few of each status, each read from (token_migration_status, updated_at, id) in key
      // order, then merged: however many users wait in a status, no more rows than that are read.
      `SELECT u.github_id, u.login, u.token_migration_status AS status, u.migration_error, u.last_refresh_error,
              u.refresh_failure_class, e.reason, e.actor, e.created_at AS at
         FROM (${ATTENTION_STATUSES.map(
           (_status, index) => `(SELECT * FROM users WHERE token_migration_status = :status${index} ORDER BY updated_at DESC, id DESC LIMIT :limit)`,
         ).join(" UNION ALL ")}) u
         LEFT JOIN LATERAL (
           SELECT reason, actor, created_at FROM migration_events
            WHERE user_id = u.id ORDER BY created_at DESC, id DESC LIMIT 1) e ON true
        ORDER BY u.updated_at DESC, u.id DESC
        LIMIT :limit`,
      {
        replacements: { ...Object.fromEntries(ATTENTION_STATUSES.map((status, index) => [`status${index}`, status])), limit: ATTENTION_LIMIT },
        type: QueryTypes.SELECT,
      },
    );
    return rows.map((row) => ({
      githubId: Number(row.github_id),
      login: row.login,
      status: row.status,
      lastEvent: row.reason !== null && row.actor !== null && row.at !== null ? { reason: row.reason, actor: row.actor, at: new Date(row.at) } : null,
      migrationError: row.migration_error,
      lastRefreshError: row.last_refresh_error,
      refreshFailureClass: row.refresh_failure_class,
    }));
  }

  async #recentEvents(): Promise<RecentEvent[]> {
    const rows = await this.#options.models.sequelize.query<{
      github_id: string;
      login: string;
      from_status: MigrationStatus | null;
      to_status: MigrationStatus;
      reason: string;
      actor: string;
      batch_id: string | null;
      created_at: Date;
    }>(
      `SELECT u.github_id, u.login, e.from_status, e.to_status, e.reason, e.actor, e.batch_id, e.created_at
         FROM migration_events e JOIN users u ON u.id = e.user_id
        ORDER BY e.created_at DESC, e.id DESC
        LIMIT :limit`,
      { replacements: { limit: RECENT_EVENTS_LIMIT }, type: QueryTypes.SELECT },
    );
    return rows.map((row) => ({
      githubId: Number(row.github_id),
      login: row.login,
      from: row.from_status,
      to: row.to_status,
      reason: row.reason,
      actor: row.actor,
      batchId: row.batch_id === null ? null : Number(row.batch_id),
      at: new Date(row.created_at),
    }));
  }

  async #lastHour(): Promise<LastHourFigures> {
    const since = new Date((this.#options.now ?? (() => new Date()))().getTime() - HOUR_MS);
    const [row] = await this.#options.models.sequelize.query<{
      tokens_renewed: number;
      backing_off: number;
      terminal: number;
      migrated: number;
      in_doubt: number;
      failures_by_class: Partial<Record<RefreshFailureClass, number>> | null;
    }>(
      `SELECT
         (SELECT count(*)::int FROM users WHERE github_app_token_refreshed_at >= :since) AS tokens_renewed,
         (SELECT count(*)::int FROM users WHERE refresh_failure_count > 0 AND updated_at >= :since) AS backing_off,
         (SELECT count(DISTINCT user_id)::int FROM migration_events WHERE to_status = 'reauth_required' AND created_at >= :since) AS terminal,
         (SELECT count(DISTINCT user_id)::int FROM migration_events WHERE to_status = 'migrated' AND created_at >= :since) AS migrated,
         (SELECT count(*)::int FROM users
           WHERE refresh_in_doubt_since IS NOT NULL OR (refresh_intent_id IS NOT NULL AND refresh_lease_until <= now())) AS in_doubt,
         (SELECT jsonb_object_agg(refresh_failure_class, n) FROM (
            SELECT refresh_failure_class, count(*)::int AS n FROM users
             WHERE refresh_failed_at >= :since AND refresh_failure_class IS NOT NULL GROUP BY refresh_failure_class) failures) AS failures_by_class`,
      { replacements: { since }, type: QueryTypes.SELECT },
    );
    return {
      since,
      tokensRenewed: row?.tokens_renewed ?? 0,
      refreshesBackingOff: row?.backing_off ?? 0,
      terminalRefreshFailures: row?.terminal ?? 0,
      newlyMigrated: row?.migrated ?? 0,
      refreshFailuresByClass: row?.failures_by_class ?? {},
      usersInDoubtNow: row?.in_doubt ?? 0,
    };
  }
}
