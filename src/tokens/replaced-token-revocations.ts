// App token pairs a new authorization replaced, revoked at GitHub so no live token is left that we
// no longer hold. The pair is recorded (sealed) in the sign-in's transaction, tried right after the
// sign-in without holding it up, and retried by a job until GitHub confirmed it gone (revoked, or
// already dead under client credentials it confirmed) or both tokens have expired on their own.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { QueryTypes, type Transaction } from "sequelize";
import type { Models } from "../db/models/index.js";
import { TerminalTokenError } from "../github/errors.js";
import type { DeleteOutcome } from "../github/oauth-app-credentials.js";
import type { TokenSealer } from "./sealing.js";
import type { IssuedUserTokens } from "./token-store.js";

const TABLE = "replaced_token_revocations";
/** An access token this close to its expiry is refreshed first: revoking an expired one answers 404 and leaves its refresh token alive. */
const EXPIRY_SLACK_MS = 60_000;
const BACKOFF_BASE_SECONDS = 30;
const BACKOFF_MAX_SECONDS = 3_600;
/** How long one instance holds a row it is working on; others skip it meanwhile. */
const CLAIM_SECONDS = 120;

interface RevocationRow {
  id: string;
  github_id: string;
  seal_key: string;
  access_token: string;
  access_token_expires_at: Date | null;
  refresh_token: string | null;
  refresh_token_expires_at: Date | null;
  attempts: number;
}

export interface RevocationPassReport {
  revoked: number;
  already_dead: number;
  expired: number;
  failed: number;
}

export interface ReplacedTokenRevocationsOptions {
  models: Models;
  sealer: TokenSealer;
  /** DELETE /applications/{client_id}/token with the App's client credentials. */
  revokeToken: (accessToken: string) => Promise<DeleteOutcome>;
  /** Refreshes a pair at GitHub (the old pair's access token may have expired). */
  refreshAtGitHub: (refreshToken: string) => Promise<IssuedUserTokens>;
  log: Logger;
  now?: () => Date;
}

export class ReplacedTokenRevocations {
  readonly #options: ReplacedTokenRevocationsOptions;
  readonly #running = new Set<Promise<unknown>>();

  constructor(options: ReplacedTokenRevocationsOptions) {
    this.#options = options;
  }

  /** Records the pair being replaced, in the caller's transaction (the one storing the new pair). Returns its id. */
  async record(githubId: number, replaced: IssuedUserTokens, transaction: Transaction): Promise<string> {
    const sealKey = randomUUID();
    const seal = (column: string, token: string) => this.#options.sealer.seal(token, { table: TABLE, column, rowId: sealKey });
    const [row] = await this.#options.models.sequelize.query<{ id: string }>(
      `INSERT INTO ${TABLE} (github_id, seal_key, access_token, access_token_expires_at, refresh_token, refresh_token_expires_at)
       VALUES (:githubId, :sealKey, :accessToken, :accessTokenExpiresAt, :refreshToken, :refreshTokenExpiresAt)
       RETURNING id`,
      {
        replacements: {
          githubId,
          sealKey,
          accessToken: seal("access_token", replaced.accessToken),
          accessTokenExpiresAt: replaced.accessTokenExpiresAt,
          refreshToken: replaced.refreshToken ? seal("refresh_token", replaced.refreshToken) : null,
          refreshTokenExpiresAt: replaced.refreshToken ? replaced.refreshTokenExpiresAt : null,
        },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    return row!.id;
  }

  /** Tries one recorded revocation in the background (after a sign-in); a failure is left to the job. */
  revokeSoon(id: string): void {
    const work = this.#run([id]).catch((error: unknown) => {
      this.#options.log.warn({ event: "token.replaced_revocation_deferred", err: error }, "revoking a replaced App token is left to the retry job");
    });
    this.#running.add(work);
    void work.finally(() => this.#running.delete(work));
  }

  /** The job: every due revocation, each claimed so several instances share the work. */
  async runPass(): Promise<RevocationPassReport> {
    return this.#run(null);
  }

  /** Waits for revocations started by revokeSoon (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Pending revocations, for the dashboard and doctor. */
  async pendingCount(): Promise<number> {
    const [row] = await this.#options.models.sequelize.query<{ count: string }>(`SELECT count(*) AS count FROM ${TABLE}`, { type: QueryTypes.SELECT });
    return Number(row!.count);
  }

  async #run(ids: string[] | null): Promise<RevocationPassReport> {
    const report: RevocationPassReport = { revoked: 0, already_dead: 0, expired: 0, failed: 0 };
    for (const row of await this.#claim(ids)) {
      try {
        const outcome = await this.#revoke(row);
        report[outcome] += 1;
        await this.#options.models.sequelize.query(`DELETE FROM ${TABLE} WHERE id = :id`, { replacements: { id: row.id } });
      } catch (error) {
        report.failed += 1;
        await this.#recordFailure(row, error);
      }
    }
    return report;
  }

  /** Due rows, pushed past their claim time in the same statement (SKIP LOCKED: other instances take others). */
  async #claim(ids: string[] | null): Promise<RevocationRow[]> {
    return this.#options.models.sequelize.query<RevocationRow>(
      `UPDATE ${TABLE} SET next_attempt_at = now() + make_interval(secs => :claimSeconds)
        WHERE id IN (
          SELECT id FROM ${TABLE}
           WHERE next_attempt_at <= now() ${ids ? "AND id IN (:ids)" : ""}
           ORDER BY next_attempt_at
           LIMIT 100
           FOR UPDATE SKIP LOCKED)
        RETURNING id, github_id, seal_key, access_token, access_token_expires_at, refresh_token, refresh_token_expires_at, attempts`,
      { replacements: { claimSeconds: CLAIM_SECONDS, ids: ids ?? [] }, type: QueryTypes.SELECT },
    );
  }

  async #revoke(row: RevocationRow): Promise<keyof Omit<RevocationPassReport, "failed">> {
    const now = this.#now().getTime();
    const alive = (expiresAt: Date | null) => expiresAt === null || new Date(expiresAt).getTime() > now + EXPIRY_SLACK_MS;
    const open = (column: string, envelope: string) => this.#options.sealer.open(envelope, { table: TABLE, column, rowId: row.seal_key });
    if (alive(row.access_token_expires_at)) return this.#options.revokeToken(open("access_token", row.access_token));
    if (!row.refresh_token || !alive(row.refresh_token_expires_at)) return "expired";
    // The access token has expired but its refresh token would live for months: spend it, then
    // revoke the fresh access token (which takes its new refresh token with it).
    let fresh: IssuedUserTokens;
    try {
      fresh = await this.#options.refreshAtGitHub(open("refresh_token", row.refresh_token));
    } catch (error) {
      if (error instanceof TerminalTokenError) return "already_dead";
      throw error;
    }
    return this.#options.revokeToken(fresh.accessToken);
  }

  async #recordFailure(row: RevocationRow, error: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    const delaySeconds = Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.min(attempts - 1, 20));
    const reason = error instanceof Error ? error.message : String(error);
    this.#options.log.warn(
      { event: "token.replaced_revocation_failed", github_id: Number(row.github_id), attempts, retry_in_seconds: delaySeconds, reason },
      "could not revoke a replaced App token at GitHub; will retry",
    );
    await this.#options.models.sequelize.query(
      `UPDATE ${TABLE} SET attempts = :attempts, last_error = :reason, next_attempt_at = now() + make_interval(secs => :delaySeconds) WHERE id = :id`,
      { replacements: { id: row.id, attempts, reason: reason.slice(0, 1000), delaySeconds } },
    );
  }

  #now(): Date {
    return (this.#options.now ?? (() => new Date()))();
  }
}
