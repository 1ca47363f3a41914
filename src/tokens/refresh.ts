// Exactly one refresh per user across every instance (DESIGN.md "Refresh"): the user's row lock
// is the only coordinator, the new pair is written before anything else happens, and every way a
// refresh can fail ends in a recorded state — backoff, reauth_required — never in a silent loss.
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import type { Transaction } from "sequelize";
import type { MigrationStatus, Models, UserRow } from "../db/models/index.js";
import { GitHubError, TerminalTokenError, TransientGitHubError } from "../github/errors.js";
import { canTransition, transitionUser } from "../users/status-machine.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { tokenMetrics, type RefreshOutcome } from "./token-metrics.js";
import type { IssuedUserTokens, TokenStore } from "./token-store.js";
import { backoffSeconds, type Backoff } from "../jobs/backoff.js";

/** Statuses whose App tokens are never used, so never refreshed: no GitHub call for these users. */
const TOKENS_RETIRED: ReadonlySet<MigrationStatus> = new Set(["reauth_required", "revoked", "failed"]);

export function appTokensRetired(status: MigrationStatus): boolean {
  return TOKENS_RETIRED.has(status);
}

export type RefreshResult =
  /** No call was needed: the stored pair is fresh (possibly just refreshed by another instance). */
  | { kind: "fresh"; tokens: IssuedUserTokens }
  | { kind: "refreshed"; tokens: IssuedUserTokens }
  /** GitHub failed for now (or a backoff is running): the current pair is kept. */
  | { kind: "transient"; tokens: IssuedUserTokens; retryAfterSeconds: number }
  /** The user has to authorize again; the row says why. */
  | { kind: "reauth_required"; reason: string }
  /** Someone else holds the row (keep-alive skips it) or the lock did not come in time. */
  | { kind: "busy" };

export type Freshness =
  | { ok: true; tokens: IssuedUserTokens }
  | { ok: false; kind: "reauth_required" }
  | { ok: false; kind: "unavailable"; retryAfterSeconds: number };

export interface TokenRefresherOptions {
  models: Models;
  store: TokenStore;
  /** The GitHub call (github/token-refresh.ts with the App's credentials and a timeout). */
  refreshAtGitHub: (refreshToken: string) => Promise<IssuedUserTokens>;
  /** Tokens expiring sooner than this are refreshed before being served. */
  marginSeconds: number;
  lockTimeoutMs?: number;
  backoff?: Backoff;
  log: Logger;
  now?: () => Date;
}

type Pending =
  | { kind: "rotated"; generation: string | null }
  | { kind: "terminal"; generation: string | null; reason: string }
  | undefined;

export class TokenRefresher {
  readonly #options: Required<Omit<TokenRefresherOptions, "log">> & { log: Logger };

  constructor(options: TokenRefresherOptions) {
    this.#options = {
      lockTimeoutMs: 5_000,
      backoff: { firstSeconds: 30, maxSeconds: 3_600 },
      now: () => new Date(),
      ...options,
    };
  }

  /**
   * The user's App tokens, valid for at least the margin (or `minValidSeconds` when longer),
   * refreshing first if needed. Tokens without an expiry are never refreshed.
   */
  async ensureFresh(user: UserRow, minValidSeconds = 0): Promise<Freshness> {
    const { store } = this.#options;
    const tokens = store.readAppTokens(user);
    if (!tokens || appTokensRetired(user.tokenMigrationStatus)) return { ok: false, kind: "reauth_required" };
    const neededMs = Math.max(this.#options.marginSeconds, minValidSeconds) * 1000;
    const isDue = (candidate: IssuedUserTokens) => this.#expiresWithin(candidate, neededMs);
    if (!isDue(tokens)) return { ok: true, tokens };
    const backoff = this.#backoffRemainingSeconds(user);
    if (backoff > 0) return this.#serveWhileValid(tokens, backoff);
    if (!tokens.refreshToken) return this.#isValid(tokens) ? { ok: true, tokens } : { ok: false, kind: "reauth_required" };

    const result = await this.#refreshUnderLock(user.id, { skipLocked: false, isDue: (_row, current) => isDue(current) });
    switch (result.kind) {
      case "fresh":
      case "refreshed":
        return { ok: true, tokens: result.tokens };
      case "transient":
        return this.#serveWhileValid(result.tokens, result.retryAfterSeconds);
      case "busy":
        return this.#serveWhileValid(tokens, 1);
      case "reauth_required":
        return { ok: false, kind: "reauth_required" };
    }
  }

  /**
   * For the keep-alive job: refreshes the user if `isDue` still holds under the row lock, skipping
   * a row another instance holds (SKIP LOCKED) instead of waiting for it.
   */
  refreshIfDue(userId: number, isDue: (row: UserRow, tokens: IssuedUserTokens) => boolean): Promise<RefreshResult> {
    return this.#refreshUnderLock(userId, { skipLocked: true, isDue });
  }

  async #refreshUnderLock(
    userId: number,
    { skipLocked, isDue }: { skipLocked: boolean; isDue: (row: UserRow, tokens: IssuedUserTokens) => boolean },
  ): Promise<RefreshResult> {
    const { models, store, log } = this.#options;
    let pending: Pending;
    let callStarted = 0;
    try {
      const result = await models.sequelize.transaction(async (transaction): Promise<RefreshResult> => {
        await models.sequelize.query(`SET LOCAL lock_timeout = ${Math.floor(this.#options.lockTimeoutMs)}`, { transaction });
        const waitStarted = performance.now();
        const row = await models.User.findOne({ where: { id: userId }, lock: transaction.LOCK.UPDATE, skipLocked, transaction });
        tokenMetrics.lockWait.observe((performance.now() - waitStarted) / 1000);
        if (!row) return { kind: "busy" };
        // Read again under the lock: another instance may have refreshed while we waited.
        const tokens = store.readAppTokens(row);
        if (!tokens || appTokensRetired(row.tokenMigrationStatus)) return { kind: "reauth_required", reason: row.migrationError ?? "no usable App token" };
        if (!isDue(row, tokens) || !tokens.refreshToken) return { kind: "fresh", tokens };
        const backoff = this.#backoffRemainingSeconds(row);
        if (backoff > 0) return { kind: "transient", tokens, retryAfterSeconds: backoff };

        const generation = store.appTokenGeneration(row);
        callStarted = performance.now();
        let issued: IssuedUserTokens;
        try {
          issued = await this.#options.refreshAtGitHub(tokens.refreshToken);
        } catch (error) {
          if (error instanceof TerminalTokenError) {
            this.#observe("terminal", callStarted);
            pending = { kind: "terminal", generation, reason: error.message };
            return await this.#settleTerminal(row, generation, `refresh failed: ${error.message}`, transaction);
          }
          if (error instanceof GitHubError) {
            this.#observe("transient", callStarted);
            return await this.#recordTransientFailure(row, tokens, error, transaction);
          }
          throw error;
        }
        // GitHub has spent the old refresh token: from here on the new pair must be stored or the
        // user marked, never dropped.
        pending = { kind: "rotated", generation };
        if (!(await store.saveRefreshedAppTokens(row, issued, transaction))) {
          throw new Error(`user ${row.githubId}: the token pair changed under the row lock`);
        }
        return { kind: "refreshed", tokens: issued };
      });
      if (result.kind === "refreshed") this.#observe("success", callStarted);
      return result;
    } catch (error) {
      if (pending?.kind === "rotated") {
        this.#observe("lost", callStarted);
        log.error({ err: error, userId }, "GitHub rotated a user's tokens but storing the new pair failed");
        return this.#settleInNewTransaction(
          userId,
          pending.generation,
          `GitHub issued a new token pair but storing it failed (${describe(error)}); the previous refresh token is spent`,
        );
      }
      if (pending?.kind === "terminal") {
        return this.#settleInNewTransaction(userId, pending.generation, `refresh failed: ${pending.reason}`);
      }
      if (isLockTimeout(error)) return { kind: "busy" };
      throw error;
    }
  }

  /**
   * The refresh token is dead. Re-read first: if the row now holds another pair (someone won the
   * race, or the user authorized again), serve that; only otherwise mark the user.
   */
  async #settleTerminal(row: UserRow, generation: string | null, reason: string, transaction: Transaction): Promise<RefreshResult> {
    const { models, store } = this.#options;
    const current = await models.User.findOne({ where: { id: row.id }, lock: transaction.LOCK.UPDATE, transaction });
    if (!current) return { kind: "reauth_required", reason: "user deleted" };
    const tokens = store.readAppTokens(current);
    if (store.appTokenGeneration(current) !== generation) {
      return tokens && !appTokensRetired(current.tokenMigrationStatus)
        ? { kind: "fresh", tokens }
        : { kind: "reauth_required", reason: current.migrationError ?? "no usable App token" };
    }
    if (appTokensRetired(current.tokenMigrationStatus)) return { kind: "reauth_required", reason: current.migrationError ?? reason };
    await this.#markReauthRequired(current, reason, transaction);
    return { kind: "reauth_required", reason };
  }

  /** When the refreshing transaction itself died (commit failed, connection dropped). */
  async #settleInNewTransaction(userId: number, generation: string | null, reason: string): Promise<RefreshResult> {
    const { models, log } = this.#options;
    try {
      return await models.sequelize.transaction(async (transaction) => {
        await models.sequelize.query(`SET LOCAL lock_timeout = ${Math.floor(this.#options.lockTimeoutMs)}`, { transaction });
        const row = await models.User.findOne({ where: { id: userId }, lock: transaction.LOCK.UPDATE, transaction });
        if (!row) return { kind: "reauth_required", reason: "user deleted" };
        return this.#settleTerminal(row, generation, reason, transaction);
      });
    } catch (error) {
      // Nothing more to do now: the stored refresh token is spent, so the next attempt meets
      // bad_refresh_token at GitHub and ends on the terminal path.
      log.error({ err: error, userId }, "could not record a failed refresh; the next attempt will");
      return { kind: "reauth_required", reason };
    }
  }

  async #markReauthRequired(user: UserRow, reason: string, transaction: Transaction): Promise<void> {
    const { models, store } = this.#options;
    await user.update({ lastRefreshError: reason, nextRefreshAttemptAt: null }, { transaction });
    if (canTransition(user.tokenMigrationStatus, "reauth_required")) {
      await transitionUser(models, { user, to: "reauth_required", reason, actor: "system", transaction });
    } else {
      // A status that cannot become reauth_required (say, rolled back): drop the dead pair so
      // nothing calls GitHub with it again.
      await store.wipeAppTokens(user, transaction);
    }
    await enqueueNotification(
      models,
      {
        eventType: "token.reauth_required",
        payload: { github_id: user.githubId, login: user.login, reason, occurred_at: this.#options.now().toISOString() },
      },
      transaction,
    );
  }

  async #recordTransientFailure(
    row: UserRow,
    tokens: IssuedUserTokens,
    error: GitHubError,
    transaction: Transaction,
  ): Promise<RefreshResult> {
    const failures = row.refreshFailureCount + 1;
    const retryAfterSeconds = this.#backoffSeconds(failures, error instanceof TransientGitHubError ? error.retryAfterSeconds : null);
    await row.update(
      {
        refreshFailureCount: failures,
        nextRefreshAttemptAt: new Date(this.#options.now().getTime() + retryAfterSeconds * 1000),
        lastRefreshError: error.message,
      },
      { transaction },
    );
    return { kind: "transient", tokens, retryAfterSeconds };
  }

  /** Exponential, capped, with ±20 % jitter so users failing together do not retry together. */
  #backoffSeconds(failures: number, retryAfterSeconds: number | null): number {
    const jittered = backoffSeconds(failures, this.#options.backoff) * (0.8 + Math.random() * 0.4);
    return Math.ceil(Math.max(jittered, retryAfterSeconds ?? 0));
  }

  #backoffRemainingSeconds(user: UserRow): number {
    const next = user.nextRefreshAttemptAt?.getTime();
    const remainingMs = next === undefined ? 0 : next - this.#options.now().getTime();
    return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
  }

  #expiresWithin(tokens: IssuedUserTokens, ms: number): boolean {
    return tokens.accessTokenExpiresAt !== null && tokens.accessTokenExpiresAt.getTime() - this.#options.now().getTime() < ms;
  }

  #isValid(tokens: IssuedUserTokens): boolean {
    return !this.#expiresWithin(tokens, 1);
  }

  /** The current token while it still works at all, else an honest "try again". */
  #serveWhileValid(tokens: IssuedUserTokens, retryAfterSeconds: number): Freshness {
    return this.#isValid(tokens) ? { ok: true, tokens } : { ok: false, kind: "unavailable", retryAfterSeconds };
  }

  #observe(outcome: RefreshOutcome, startedAt: number): void {
    tokenMetrics.refreshes.inc({ outcome });
    tokenMetrics.refreshDuration.observe({ outcome }, (performance.now() - startedAt) / 1000);
  }
}

function isLockTimeout(error: unknown): boolean {
  return (error as { original?: { code?: string } })?.original?.code === "55P03";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
