// The readiness scan: the access check for many users as a resumable job. Starting one writes the
// scan and its users; every instance's job (and the instance that started it, at once) claims
// pending users with FOR UPDATE SKIP LOCKED and a lease, checks them through a shared pacer, and
// marks them done. A crash leaves the claimed users to come back when their lease runs out.
import type { Logger } from "pino";
import { QueryTypes, UniqueConstraintError, type Transaction } from "sequelize";
import type { Models, UserRow } from "../db/models/index.js";
import { TransientGitHubError } from "../github/errors.js";
import type { AccessChecker } from "./access-check.js";
import { ReadinessScanRunningError, UnknownUsersError } from "./errors.js";
import { GitHubPacer } from "./github-pacer.js";

export interface ScanProgress {
  state: "idle" | "running" | "finished";
  done: number;
  total: number;
}

export interface StartScanOptions {
  /** Only these users; absent: every user holding a legacy token not checked within a day. */
  githubIds?: number[];
  actor: string;
}

export interface ReadinessScanOptions {
  models: Models;
  checker: AccessChecker;
  log: Logger;
  /** Users checked at once by this instance. */
  concurrency: number;
  /** Users claimed per round. */
  chunkSize?: number;
  leaseSeconds?: number;
  /** Tries per user when GitHub answers with a transient error before the user is marked failed. */
  maxAttempts?: number;
}

/** `{}` re-checks users whose last check is older than this. */
const RECHECK_AFTER = "1 day";

export class ReadinessScan {
  readonly #options: Required<ReadinessScanOptions>;
  #passing: Promise<number> | undefined;

  constructor(options: ReadinessScanOptions) {
    this.#options = { chunkSize: 25, leaseSeconds: 300, maxAttempts: 3, ...options };
  }

  /** Writes the scan and its users in one transaction; throws ReadinessScanRunningError or UnknownUsersError. */
  async start({ githubIds, actor }: StartScanOptions): Promise<ScanProgress> {
    const { models } = this.#options;
    try {
      await this.#create(githubIds, actor);
    } catch (error) {
      // Two instances starting at once: the one-running-scan index refuses the second.
      if (error instanceof UniqueConstraintError) throw new ReadinessScanRunningError(await this.progress());
      throw error;
    }
    return this.progress();
  }

  async #create(githubIds: number[] | undefined, actor: string): Promise<void> {
    const { models } = this.#options;
    await models.sequelize.transaction(async (transaction) => {
      const running = await models.sequelize.query<{ id: string }>("SELECT id FROM readiness_scans WHERE state = 'running' FOR UPDATE", {
        type: QueryTypes.SELECT,
        transaction,
      });
      if (running.length > 0) throw new ReadinessScanRunningError(await this.progress());
      const userIds = githubIds ? await this.#usersNamed(githubIds, transaction) : await this.#usersDue(transaction);
      const [scan] = await models.sequelize.query<{ id: string }>(
        `INSERT INTO readiness_scans (requested_by, total, state, finished_at)
         VALUES (:actor, :total, :state, CASE WHEN :total = 0 THEN now() END) RETURNING id`,
        { replacements: { actor, total: userIds.length, state: userIds.length === 0 ? "finished" : "running" }, type: QueryTypes.SELECT, transaction },
      );
      if (userIds.length > 0) {
        await models.sequelize.query(
          "INSERT INTO readiness_scan_users (scan_id, user_id) SELECT :scanId, unnest(ARRAY[:userIds]::bigint[])",
          { replacements: { scanId: scan!.id, userIds }, transaction },
        );
      }
    });
  }

  /** The latest scan's state and counts; `idle` before the first one. */
  async progress(): Promise<ScanProgress> {
    const [row] = await this.#options.models.sequelize.query<{ state: "running" | "finished"; total: number; done: number }>(
      `SELECT s.state, s.total,
              (SELECT count(*)::int FROM readiness_scan_users u WHERE u.scan_id = s.id AND u.state <> 'pending') AS done
         FROM readiness_scans s ORDER BY s.id DESC LIMIT 1`,
      { type: QueryTypes.SELECT },
    );
    return row ? { state: row.state, done: row.done, total: row.total } : { state: "idle", done: 0, total: 0 };
  }

  /**
   * Checks pending users of the running scan until none is left to claim (others may still be held
   * by other instances); returns how many this pass checked. Concurrent calls in one process share a pass.
   */
  runPass(): Promise<number> {
    this.#passing ??= this.#pass().finally(() => {
      this.#passing = undefined;
    });
    return this.#passing;
  }

  async #pass(): Promise<number> {
    const pacer = new GitHubPacer({ concurrency: this.#options.concurrency });
    let checked = 0;
    for (;;) {
      const claim = await this.#claim();
      if (!claim) return checked;
      if (claim.users.length === 0) {
        await this.#finishIfDone(claim.scanId);
        return checked;
      }
      await Promise.all(
        claim.users.map(async (user) => {
          if (await this.#checkUser(claim.scanId, user, pacer)) checked += 1;
        }),
      );
    }
  }

  async #claim(): Promise<{ scanId: number; users: UserRow[] } | null> {
    const { models, chunkSize, leaseSeconds } = this.#options;
    const [scan] = await models.sequelize.query<{ id: string }>("SELECT id FROM readiness_scans WHERE state = 'running' LIMIT 1", {
      type: QueryTypes.SELECT,
    });
    if (!scan) return null;
    const scanId = Number(scan.id);
    const claimed = await models.sequelize.query<{ user_id: string }>(
      `UPDATE readiness_scan_users SET claimed_until = now() + make_interval(secs => :leaseSeconds), attempts = attempts + 1
        WHERE scan_id = :scanId AND user_id IN (
          SELECT user_id FROM readiness_scan_users
           WHERE scan_id = :scanId AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < now())
           ORDER BY user_id LIMIT :chunkSize
           FOR UPDATE SKIP LOCKED)
        RETURNING user_id`,
      { replacements: { scanId, leaseSeconds, chunkSize }, type: QueryTypes.SELECT },
    );
    if (claimed.length === 0) return { scanId, users: [] };
    const users = await models.User.findAll({ where: { id: claimed.map((row) => Number(row.user_id)) }, order: [["id", "ASC"]] });
    return { scanId, users };
  }

  /** True when the user was checked; transient failures come back after a pause, others end as failed. */
  async #checkUser(scanId: number, user: UserRow, pacer: GitHubPacer): Promise<boolean> {
    const { models, checker, log, maxAttempts } = this.#options;
    try {
      const result = await pacer.run(() => checker.check(user, { onRateLimit: (rateLimit) => pacer.observeRateLimit(rateLimit) }));
      await models.sequelize.transaction(async (transaction) => {
        await checker.record(user, result, transaction);
        await models.sequelize.query(
          "UPDATE readiness_scan_users SET state = 'done', claimed_until = NULL, last_error = NULL WHERE scan_id = :scanId AND user_id = :userId",
          { replacements: { scanId, userId: user.id }, transaction },
        );
      });
      return true;
    } catch (error) {
      const transient = error instanceof TransientGitHubError;
      const waitSeconds = transient ? (error.retryAfterSeconds ?? 30) : 0;
      if (transient) pacer.pauseFor(waitSeconds);
      else log.error({ err: error, githubId: user.githubId }, "readiness check of a user failed");
      await models.sequelize.query(
        `UPDATE readiness_scan_users
            SET state = CASE WHEN :transient AND attempts < :maxAttempts THEN 'pending' ELSE 'failed' END,
                claimed_until = now() + make_interval(secs => :waitSeconds), last_error = :message
          WHERE scan_id = :scanId AND user_id = :userId`,
        { replacements: { transient, maxAttempts, waitSeconds, message: (error as Error).message, scanId, userId: user.id } },
      );
      return false;
    }
  }

  async #finishIfDone(scanId: number): Promise<void> {
    await this.#options.models.sequelize.query(
      `UPDATE readiness_scans SET state = 'finished', finished_at = now()
        WHERE id = :scanId AND state = 'running'
          AND NOT EXISTS (SELECT 1 FROM readiness_scan_users WHERE scan_id = :scanId AND state = 'pending')`,
      { replacements: { scanId } },
    );
  }

  async #usersNamed(githubIds: number[], transaction: Transaction): Promise<number[]> {
    const rows = await this.#options.models.sequelize.query<{ id: string; github_id: string }>(
      "SELECT id, github_id FROM users WHERE github_id IN (:githubIds)",
      { replacements: { githubIds }, type: QueryTypes.SELECT, transaction },
    );
    const known = new Set(rows.map((row) => Number(row.github_id)));
    const unknown = githubIds.filter((githubId) => !known.has(githubId));
    if (unknown.length > 0) throw new UnknownUsersError(unknown);
    return rows.map((row) => Number(row.id));
  }

  async #usersDue(transaction: Transaction): Promise<number[]> {
    const rows = await this.#options.models.sequelize.query<{ id: string }>(
      `SELECT u.id FROM users u LEFT JOIN user_access_checks c ON c.user_id = u.id
        WHERE u.provider_info->>'access_token' IS NOT NULL
          AND (c.checked_at IS NULL OR c.checked_at < now() - interval '${RECHECK_AFTER}')
        ORDER BY u.id`,
      { type: QueryTypes.SELECT, transaction },
    );
    return rows.map((row) => Number(row.id));
  }
}
