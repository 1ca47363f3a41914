// Figures the alerts need that only the database knows (ops/prometheus/alerts.yml): sampled by a job
// on every instance every few seconds, never per request. Every instance reports the same database
// truth, so the rules read them with max(). Each query is an index lookup (migration 0020).
import type { Logger } from "pino";
import { Gauge } from "prom-client";
import { QueryTypes, type Sequelize } from "sequelize";
import { isDatabaseUnreachable } from "../db/database-unreachable.js";
import { metricsRegistry } from "./metrics.js";

/** Keep-alive renews refresh tokens 14 days before their end; one this close to it was not renewed. */
export const REFRESH_TOKEN_NEAR_END_DAYS = 7;

const gauges = {
  databaseReachable: new Gauge({
    name: "database_reachable",
    help: "1 when this instance's last sample reached the database, 0 when the database could not be reached.",
    registers: [metricsRegistry],
  }),
  stalledBatches: new Gauge({
    name: "migration_batches_stalled",
    help: "Migration batches still running whose instance stopped heartbeating (the stalled-batch sweep fails them).",
    registers: [metricsRegistry],
  }),
  refreshTokensNearEnd: new Gauge({
    name: "token_refresh_tokens_near_end",
    help: `App refresh tokens ending within ${REFRESH_TOKEN_NEAR_END_DAYS} days or already ended, still stored: keep-alive did not renew them.`,
    registers: [metricsRegistry],
  }),
  reauthRequiredLastHour: new Gauge({
    name: "migration_reauth_required_last_hour",
    help: "Users moved to reauth_required in the last hour, from the audit trail (every instance, every cause).",
    registers: [metricsRegistry],
  }),
};

export interface DatabaseGaugesOptions {
  sequelize: Sequelize;
  /** A running batch without a heartbeat for this long has stalled (the sweep's own threshold). */
  batchStaleAfterSeconds: number;
  log: Logger;
}

export class DatabaseGauges {
  readonly #options: DatabaseGaugesOptions;

  constructor(options: DatabaseGaugesOptions) {
    this.#options = options;
  }

  async sample(): Promise<void> {
    const { sequelize, batchStaleAfterSeconds, log } = this.#options;
    let row: { stalled: string; near_end: string; reauth: string } | undefined;
    try {
      [row] = await sequelize.query<{ stalled: string; near_end: string; reauth: string }>(
        `SELECT
           (SELECT count(*) FROM migration_batches
             WHERE state IN ('running', 'paused') AND heartbeat_at < now() - make_interval(secs => :batchStaleAfterSeconds)) AS stalled,
           (SELECT count(*) FROM users
             WHERE github_app_refresh_token IS NOT NULL
               AND github_app_refresh_token_expires_at < now() + make_interval(days => :nearEndDays)) AS near_end,
           (SELECT count(*) FROM migration_events
             WHERE created_at > now() - interval '1 hour' AND to_status = 'reauth_required') AS reauth`,
        { replacements: { batchStaleAfterSeconds, nearEndDays: REFRESH_TOKEN_NEAR_END_DAYS }, type: QueryTypes.SELECT },
      );
    } catch (error) {
      if (!isDatabaseUnreachable(error)) throw error;
      gauges.databaseReachable.set(0);
      log.warn({ event: "database.unreachable" }, "the database could not be reached while sampling the operations gauges");
      return;
    }
    gauges.databaseReachable.set(1);
    gauges.stalledBatches.set(Number(row?.stalled ?? 0));
    gauges.refreshTokensNearEnd.set(Number(row?.near_end ?? 0));
    gauges.reauthRequiredLastHour.set(Number(row?.reauth ?? 0));
  }
}
