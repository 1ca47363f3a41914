// Delivers the notification outbox to NOTIFY_WEBHOOK_URL: signed JSON POSTs, retried with
// exponential backoff. Rows are claimed with SKIP LOCKED and a short lease, so every instance can
// run the job at once and each row is sent by one of them; the HTTP call happens outside any
// transaction, so a slow receiver holds no lock and no request ever waits on it.
import { createHmac } from "node:crypto";
import { QueryTypes } from "sequelize";
import type { Models, NotificationRow } from "../db/models/index.js";
import { backoffSeconds } from "../jobs/backoff.js";

interface NotificationTarget {
  url: string;
  secret: string;
}

interface DeliverNotificationsOptions {
  models: Models;
  /** Null when NOTIFY_WEBHOOK_URL is unset: due rows are then marked skipped, not sent. */
  target: NotificationTarget | null;
  /** Rows claimed per run. */
  limit?: number;
  timeoutMs?: number;
  now?: () => Date;
  fetch?: typeof globalThis.fetch;
}

interface DeliveryReport {
  delivered: number;
  failed: number;
  skipped: number;
}

export const SKIPPED_MARK = "skipped: NOTIFY_WEBHOOK_URL is not set";
const RETRY_BACKOFF = { firstSeconds: 10, maxSeconds: 3600 };
/** Long enough for one POST with its timeout; a crashed instance's rows come back after it. */
const CLAIM_LEASE_SECONDS = 120;

/** Seconds to wait after the n-th failed attempt: 10 s, 20 s, 40 s … capped at an hour. */
export function retryDelaySeconds(attempts: number): number {
  return backoffSeconds(attempts, RETRY_BACKOFF);
}

/** `sha256=<hex>` of the raw body, the same scheme GitHub uses for its own webhooks. */
function signNotificationBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

export async function deliverDueNotifications(options: DeliverNotificationsOptions): Promise<DeliveryReport> {
  const { models, target, limit = 50, timeoutMs = 10_000, now = () => new Date(), fetch = globalThis.fetch } = options;
  const report: DeliveryReport = { delivered: 0, failed: 0, skipped: 0 };
  if (target === null) {
    report.skipped = await markDueAsSkipped(models, now());
    return report;
  }
  const claimed = await claimDue(models, limit, now());
  for (const row of claimed) {
    const body = JSON.stringify({
      id: row.id,
      event_type: row.eventType,
      created_at: row.createdAt.toISOString(),
      payload: row.payload,
    });
    const error = await post({ target, body, row, timeoutMs, fetch });
    const attempts = row.attempts + 1;
    if (error === null) {
      await models.Notification.update({ attempts, deliveredAt: now(), lastError: null }, { where: { id: row.id } });
      report.delivered += 1;
    } else {
      const nextAttemptAt = new Date(now().getTime() + retryDelaySeconds(attempts) * 1000);
      await models.Notification.update({ attempts, nextAttemptAt, lastError: error }, { where: { id: row.id } });
      report.failed += 1;
    }
  }
  return report;
}

async function claimDue(models: Models, limit: number, now: Date): Promise<NotificationRow[]> {
  return models.sequelize.transaction(async (transaction) => {
    const ids = await models.sequelize.query<{ id: number }>(
      `SELECT id FROM notifications
        WHERE delivered_at IS NULL AND next_attempt_at <= :now
        ORDER BY next_attempt_at, id
        LIMIT :limit
        FOR UPDATE SKIP LOCKED`,
      { replacements: { now, limit }, type: QueryTypes.SELECT, transaction },
    );
    if (ids.length === 0) return [];
    const rows = await models.Notification.findAll({ where: { id: ids.map((row) => row.id) }, order: [["id", "ASC"]], transaction });
    // The lease: other instances skip these rows until it runs out, even after this commit.
    await models.Notification.update(
      { nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_SECONDS * 1000) },
      { where: { id: ids.map((row) => row.id) }, transaction },
    );
    return rows;
  });
}

async function markDueAsSkipped(models: Models, now: Date): Promise<number> {
  const [count] = await models.Notification.update(
    { deliveredAt: now, lastError: SKIPPED_MARK },
    { where: { deliveredAt: null } },
  );
  return count;
}

/** Null on a 2xx answer, else why it failed (never the body we sent). */
async function post({
  target,
  body,
  row,
  timeoutMs,
  fetch,
}: {
  target: NotificationTarget;
  body: string;
  row: NotificationRow;
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
}): Promise<string | null> {
  try {
    const response = await fetch(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "github-app-user-tokens",
        "x-notification-event": row.eventType,
        "x-notification-id": String(row.id),
        "x-signature-256": signNotificationBody(body, target.secret),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.ok ? null : `receiver answered ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return `receiver unreachable (${cause ?? (error as Error).name})`;
  }
}
