// GitHub never retries a failed webhook delivery by itself. This pass lists the App's recent
// deliveries (GET /app/hook/deliveries) and asks GitHub to redeliver the failed ones whose guid
// (X-GitHub-Delivery) our ledger has not processed since, oldest first and a bounded number per
// run. A redelivery keeps its guid, so the ledger makes it take effect at most once.
import type { Logger } from "pino";
import { Op } from "sequelize";
import type { Models } from "../db/models/index.js";
import type { GitHubAppApi, GitHubHookDelivery } from "../github/app-api.js";
import { GitHubError, TransientGitHubError } from "../github/errors.js";
import { scheduleJob, type IntervalJob } from "../jobs/interval-job.js";
import { runAsSingleton, type SingletonOutcome } from "../jobs/singleton.js";

const REDELIVERY_JOB = "webhook-redelivery";
/** Often enough that a missed change heals within minutes, rarely enough to stay far below rate limits. */
const REDELIVERY_INTERVAL_MS = 600_000;

interface RedeliveryOptions {
  /** How far back to look; GitHub refuses to redeliver anything older than three days. */
  windowHours?: number;
  /** At most this many deliveries listed per run. */
  maxScanned?: number;
  /** At most this many redeliveries asked for per run. */
  maxRedeliveries?: number;
  /** A guid that failed this many times within the window is left to reconciliation. */
  maxAttemptsPerGuid?: number;
  /** Decide, but ask GitHub for nothing. */
  dryRun?: boolean;
}

interface RedeliveryReport {
  scanned: number;
  /** Guids whose every attempt in the window failed. */
  failed: number;
  /** Failed at GitHub, yet processed by us (say, we answered after GitHub gave up waiting). */
  alreadyProcessed: number;
  gaveUp: number;
  /** Guids redelivered (or, in a dry run, that would have been). */
  redelivered: string[];
  /** Failed guids left for the next run by maxRedeliveries. */
  deferred: number;
  /** GitHub refused these redeliveries (e.g. too old). */
  refused: number;
}

export class WebhookRedelivery {
  readonly #models: Models;
  readonly #github: GitHubAppApi;
  readonly #log: Logger;
  readonly #now: () => Date;

  constructor(options: { models: Models; github: GitHubAppApi; log: Logger; now?: () => Date }) {
    this.#models = options.models;
    this.#github = options.github;
    this.#log = options.log;
    this.#now = options.now ?? (() => new Date());
  }

  /** One pass, unless another instance is running one (then `{ ran: false }`). */
  async runPass(options: RedeliveryOptions = {}): Promise<SingletonOutcome<RedeliveryReport>> {
    return runAsSingleton(this.#models.sequelize, REDELIVERY_JOB, () => this.#redeliver(options));
  }

  async #redeliver({
    windowHours = 24,
    maxScanned = 2000,
    maxRedeliveries = 25,
    maxAttemptsPerGuid = 5,
    dryRun = false,
  }: RedeliveryOptions): Promise<RedeliveryReport> {
    const since = new Date(this.#now().getTime() - windowHours * 3_600_000);
    const deliveries = await this.#github.listRecentDeliveries({ since, maxDeliveries: maxScanned });
    const failed = failedGuids(deliveries);
    const processed = await this.#processedGuids(failed.map((entry) => entry.guid));
    const report: RedeliveryReport = {
      scanned: deliveries.length,
      failed: failed.length,
      alreadyProcessed: 0,
      gaveUp: 0,
      redelivered: [],
      deferred: 0,
      refused: 0,
    };
    for (const { guid, latest, attempts } of failed) {
      if (processed.has(guid)) {
        report.alreadyProcessed += 1;
      } else if (attempts >= maxAttemptsPerGuid) {
        report.gaveUp += 1;
        this.#log.warn({ guid, event: latest.event, attempts }, "webhook delivery keeps failing; leaving it to reconciliation");
      } else if (report.redelivered.length + report.refused >= maxRedeliveries) {
        report.deferred += 1;
      } else if (dryRun || (await this.#requestRedelivery(latest))) {
        report.redelivered.push(guid);
      } else {
        report.refused += 1;
      }
    }
    if (report.redelivered.length > 0 || report.gaveUp > 0) this.#log.info({ ...report, dryRun }, "webhook redelivery pass");
    return report;
  }

  /** False when GitHub refused; transient trouble ends the pass (it runs again on schedule). */
  async #requestRedelivery(delivery: GitHubHookDelivery): Promise<boolean> {
    try {
      await this.#github.requestRedelivery(Number(delivery.id));
      return true;
    } catch (error) {
      if (!(error instanceof GitHubError) || error instanceof TransientGitHubError) throw error;
      this.#log.warn({ err: error, guid: delivery.guid }, "GitHub refused to redeliver a webhook delivery");
      return false;
    }
  }

  async #processedGuids(guids: string[]): Promise<Set<string>> {
    if (guids.length === 0) return new Set();
    const rows = await this.#models.WebhookDelivery.findAll({
      attributes: ["deliveryId"],
      where: { deliveryId: { [Op.in]: guids }, outcome: { [Op.in]: ["processed", "ignored"] } },
    });
    return new Set(rows.map((row) => row.deliveryId));
  }
}

/** The scheduled pass; one instance at a time runs it. */
export function createWebhookRedeliveryJob({ redelivery, log }: { redelivery: Pick<WebhookRedelivery, "runPass">; log: Logger }): IntervalJob {
  return scheduleJob({ name: REDELIVERY_JOB, intervalMs: REDELIVERY_INTERVAL_MS, log, run: () => redelivery.runPass() });
}

interface FailedGuid {
  guid: string;
  /** The newest attempt: the one to redeliver. */
  latest: GitHubHookDelivery;
  attempts: number;
}

/** Guids none of whose attempts succeeded, oldest first so changes are replayed in their order. */
function failedGuids(deliveries: GitHubHookDelivery[]): FailedGuid[] {
  const byGuid = new Map<string, GitHubHookDelivery[]>();
  for (const delivery of deliveries) byGuid.set(delivery.guid, [...(byGuid.get(delivery.guid) ?? []), delivery]);
  const failed: Array<FailedGuid & { firstAt: number }> = [];
  for (const [guid, attempts] of byGuid) {
    if (attempts.some(succeeded)) continue;
    const byTime = [...attempts].sort((a, b) => Date.parse(a.delivered_at) - Date.parse(b.delivered_at));
    failed.push({ guid, latest: byTime[byTime.length - 1]!, attempts: attempts.length, firstAt: Date.parse(byTime[0]!.delivered_at) });
  }
  return failed.sort((a, b) => a.firstAt - b.firstAt).map(({ guid, latest, attempts }) => ({ guid, latest, attempts }));
}

/** GitHub lists a delivery that never got an answer with status_code 0. */
function succeeded(delivery: GitHubHookDelivery): boolean {
  return delivery.status_code >= 200 && delivery.status_code < 300;
}
