// Exactly one refresh per user across every instance, and nothing lost to a crash or a lost answer
// (DESIGN.md "Refresh", issue 14). A refresh commits a durable intent on the user's row before GitHub
// is called, calls GitHub holding no transaction and no connection, then stores the new pair with a
// compare-and-swap on the generation it spent. A refresh whose outcome is unknown leaves the row in
// doubt: its access token is not served until one more attempt settles it.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { QueryTypes, type Transaction } from "sequelize";
import type { ConnectionBudget } from "../db/connection-budget.js";
import type { MigrationStatus, Models, RefreshFailureClass, UserRow } from "../db/models/index.js";
import {
  GitHubError,
  GitHubRequestRejectedError,
  TerminalTokenError,
  TransientGitHubError,
  type RequestOutcome,
} from "../github/errors.js";
import { canTransition, transitionUser } from "../users/status-machine.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { classifyTerminalRefreshFailure } from "./refresh-failure.js";
import { SingleFlight } from "./single-flight.js";
import type { TokenActivityRecorder } from "./token-activity.js";
import { tokenMetrics, type RefreshOutcome } from "./token-metrics.js";
import { NO_REFRESH_IN_FLIGHT, type IssuedUserTokens, type ServableAccessToken, type TokenStore } from "./token-store.js";
import type { ResolvableUser } from "./user-lookup.js";
import { backoffSeconds, type Backoff } from "../jobs/backoff.js";

/** Statuses whose App tokens are never used, so never refreshed: no GitHub call for these users. */
const TOKENS_RETIRED = ["reauth_required", "revoked", "failed"] as const satisfies readonly MigrationStatus[];

export function appTokensRetired(status: MigrationStatus): boolean {
  return (TOKENS_RETIRED as readonly MigrationStatus[]).includes(status);
}

type RefreshResult =
  /** No call was needed: the stored pair is fresh (possibly just refreshed by another caller). */
  | { kind: "fresh"; tokens: IssuedUserTokens }
  | { kind: "refreshed"; tokens: IssuedUserTokens }
  /** GitHub proved it did nothing (or a backoff is running): the current pair is kept and servable. */
  | { kind: "transient"; tokens: IssuedUserTokens; retryAfterSeconds: number }
  /** A refresh may have rotated the pair without our reading the answer: the pair is not served. */
  | { kind: "in_doubt"; retryAfterSeconds: number }
  /** The user has to authorize again; the row says why. */
  | { kind: "reauth_required"; reason: string }
  /** Another caller's refresh is in flight (keep-alive skips it) or did not end in time. */
  | { kind: "busy"; retryAfterSeconds: number };

type Freshness =
  | { ok: true; tokens: ServableAccessToken }
  | { ok: false; kind: "reauth_required" }
  | { ok: false; kind: "unavailable"; retryAfterSeconds: number };

interface TokenRefresherOptions {
  models: Models;
  store: TokenStore;
  /** The GitHub call (github/token-refresh.ts with the App's credentials and a timeout). */
  refreshAtGitHub: (refreshToken: string) => Promise<IssuedUserTokens>;
  /**
   * Settles a row in doubt without spending its refresh token: is this access token alive at GitHub
   * (POST /applications/{client_id}/token)? A refresh kills the old access token, so a live one
   * proves no refresh happened. Without it, a row in doubt is settled by a refresh.
   */
  checkAtGitHub?: (accessToken: string) => Promise<boolean>;
  /** Whether GitHub accepts the App's client credentials: the check's 404 is believed only then. */
  confirmCredentials?: () => Promise<boolean>;
  /** Tokens expiring sooner than this are refreshed before being served. */
  marginSeconds: number;
  /** Refresh work's share of the pool: always below the pool size. */
  connectionBudget: ConnectionBudget;
  lockTimeoutMs?: number;
  /** How long an intent holds off everyone else; longer than GitHub's timeout (config.ts checks). */
  leaseSeconds?: number;
  /** How long a caller waits for another caller's refresh before answering "try again". */
  waitTimeoutMs?: number;
  backoff?: Backoff;
  /** Written into each intent, so an interrupted refresh names the instance that died. */
  instanceName?: string;
  /** Told each refresh's outcome and each user moved to reauth_required (the trends' figures). */
  activity?: TokenActivityRecorder;
  log: Logger;
  now?: () => Date;
}

/** What a caller learned under the row lock before GitHub is called. */
type Claim =
  | { kind: "settled"; result: RefreshResult }
  | { kind: "wait"; intentId: string; leaseUntil: Date }
  | { kind: "claimed"; intent: Intent };

/** The refresh this caller committed to: GitHub is called with this pair, the answer stored against this generation. */
interface Intent {
  id: string;
  userId: number;
  githubId: number;
  login: string;
  startedAt: Date;
  spentGeneration: number;
  tokens: IssuedUserTokens & { refreshToken: string };
  /** Set when this attempt settles a row in doubt: since when nobody knows whether the pair lives. */
  inDoubtSince: Date | null;
}

type IsDue = (row: UserRow, tokens: IssuedUserTokens) => boolean;

/** What one attempt ended in: a result for the caller, or "the doubt is gone, decide again". */
type AttemptResult = RefreshResult | { kind: "doubt_cleared" };

const FIRST_POLL_MS = 25;
const LONGEST_POLL_MS = 500;
/** A token checked for life must outlive the check: one closer to its end is settled by a refresh. */
const CHECKABLE_FOR_MS = 60_000;
/** How long credentials GitHub accepted (a probe or a refresh) are taken as still accepted. */
const CREDENTIALS_CONFIRMED_FOR_MS = 10 * 60_000;

export class TokenRefresher {
  readonly #options: Required<Omit<TokenRefresherOptions, "log" | "checkAtGitHub" | "confirmCredentials" | "activity">> &
    Pick<TokenRefresherOptions, "log" | "checkAtGitHub" | "confirmCredentials" | "activity">;
  readonly #flights = new SingleFlight<number, RefreshResult>();
  #credentialsConfirmedAt: number | null = null;

  constructor(options: TokenRefresherOptions) {
    this.#options = {
      lockTimeoutMs: 5_000,
      leaseSeconds: 30,
      waitTimeoutMs: 15_000,
      backoff: { firstSeconds: 30, maxSeconds: 3_600 },
      instanceName: `${hostname()}:${process.pid}`,
      now: () => new Date(),
      ...options,
    };
  }

  /**
   * The user's App tokens, valid for at least the margin (or `minValidSeconds` when longer),
   * refreshing first if needed. Tokens without an expiry are never refreshed. A row in doubt or with
   * a refresh in flight is never answered from what it stores now.
   */
  async ensureFresh(user: ResolvableUser, minValidSeconds = 0): Promise<Freshness> {
    // The access token alone: the refresh token stays sealed unless a refresh opens it from the locked row.
    const tokens = this.#options.store.readAccessToken(user);
    if (!tokens || appTokensRetired(user.tokenMigrationStatus)) return { ok: false, kind: "reauth_required" };
    const neededMs = Math.max(this.#options.marginSeconds, minValidSeconds) * 1000;
    const isDue: IsDue = (_row, current) => this.#expiresWithin(current, neededMs);
    const unsettled = this.#inDoubt(user) || this.#leaseLive(user);
    if (!unsettled && !this.#expiresWithin(tokens, neededMs)) return { ok: true, tokens };
    const backoff = this.#backoffRemainingSeconds(user);
    if (backoff > 0 && this.#inDoubt(user)) return { ok: false, kind: "unavailable", retryAfterSeconds: backoff };
    if (!unsettled && backoff > 0) return this.#serveWhileValid(tokens, backoff);
    if (!unsettled && !user.githubAppRefreshToken) return this.#isValid(tokens) ? { ok: true, tokens } : { ok: false, kind: "reauth_required" };

    // Concurrent callers in this process share one refresh and hold no connection while they wait.
    const result = await this.#flights.run(user.id, () => this.#refresh(user.id, { isDue, waitForOthers: true }));
    switch (result.kind) {
      case "fresh":
      case "refreshed":
        return { ok: true, tokens: result.tokens };
      case "transient":
        return this.#serveWhileValid(result.tokens, result.retryAfterSeconds);
      case "in_doubt":
      case "busy":
        return { ok: false, kind: "unavailable", retryAfterSeconds: result.retryAfterSeconds };
      case "reauth_required":
        return { ok: false, kind: "reauth_required" };
    }
  }

  /**
   * For the keep-alive job: refreshes the user if `isDue` still holds under the row lock, or settles
   * a row in doubt; skips a row another caller holds or is refreshing instead of waiting for it.
   */
  refreshIfDue(userId: number, isDue: IsDue): Promise<RefreshResult> {
    if (this.#flights.isRunning(userId)) return Promise.resolve({ kind: "busy", retryAfterSeconds: 1 });
    return this.#refresh(userId, { isDue, waitForOthers: false });
  }

  async #refresh(userId: number, { isDue, waitForOthers }: { isDue: IsDue; waitForOthers: boolean }): Promise<RefreshResult> {
    const deadline = performance.now() + this.#options.waitTimeoutMs;
    for (;;) {
      const claim = await this.#claim(userId, isDue, { skipLocked: !waitForOthers });
      if (claim.kind === "settled") return claim.result;
      if (claim.kind === "claimed") {
        const result = await this.#attempt(claim.intent);
        if (result.kind === "doubt_cleared") continue;
        return result;
      }
      const retryAfterSeconds = Math.max(1, Math.ceil((claim.leaseUntil.getTime() - this.#options.now().getTime()) / 1000));
      if (!waitForOthers || performance.now() >= deadline) return { kind: "busy", retryAfterSeconds };
      await this.#waitForOutcome(userId, claim, deadline);
    }
  }

  /**
   * Step 2: in one short transaction, lock the row, re-read it, and either answer from it, find
   * another caller's live lease, or commit an intent to refresh.
   */
  async #claim(userId: number, isDue: IsDue, { skipLocked }: { skipLocked: boolean }): Promise<Claim> {
    const { models, store, log } = this.#options;
    try {
      return await this.#inTransaction(async (transaction): Promise<Claim> => {
        const waitStarted = performance.now();
        const row = await models.User.findOne({ where: { id: userId }, lock: transaction.LOCK.UPDATE, skipLocked, transaction });
        tokenMetrics.lockWait.observe((performance.now() - waitStarted) / 1000);
        if (!row) return { kind: "settled", result: { kind: "busy", retryAfterSeconds: 1 } };
        const tokens = store.readAppTokens(row);
        if (!tokens || appTokensRetired(row.tokenMigrationStatus)) {
          return { kind: "settled", result: { kind: "reauth_required", reason: row.migrationError ?? "no usable App token" } };
        }
        if (this.#leaseLive(row)) return { kind: "wait", intentId: row.refreshIntentId as string, leaseUntil: row.refreshLeaseUntil as Date };

        const inDoubtSince = this.#inDoubtSince(row);
        if (row.refreshIntentId !== null) {
          log.warn(
            { event: "token.refresh_interrupted", githubId: row.githubId, login: row.login, instance: row.refreshIntentInstance, startedAt: row.refreshIntentStartedAt },
            "a refresh's lease ran out with no new pair stored; the row is in doubt until one attempt settles it",
          );
        }
        if (inDoubtSince === null && (!tokens.refreshToken || !isDue(row, tokens))) return { kind: "settled", result: { kind: "fresh", tokens } };

        const backoff = this.#backoffRemainingSeconds(row);
        if (backoff > 0) {
          if (inDoubtSince === null) return { kind: "settled", result: { kind: "transient", tokens, retryAfterSeconds: backoff } };
          await row.update({ ...NO_REFRESH_IN_FLIGHT, refreshInDoubtSince: inDoubtSince }, { transaction });
          return { kind: "settled", result: { kind: "in_doubt", retryAfterSeconds: backoff } };
        }
        if (!tokens.refreshToken) {
          // Cannot happen through this code (a pair without a refresh token is never refreshed), but a
          // doubt that no refresh can settle must not be served either.
          return { kind: "settled", result: { kind: "in_doubt", retryAfterSeconds: this.#options.leaseSeconds } };
        }

        const now = this.#options.now();
        const intent: Intent = {
          id: randomUUID(),
          userId: row.id,
          githubId: row.githubId,
          login: row.login,
          startedAt: now,
          spentGeneration: row.appTokenGeneration,
          tokens: { ...tokens, refreshToken: tokens.refreshToken },
          inDoubtSince,
        };
        await row.update(
          {
            refreshIntentId: intent.id,
            refreshIntentInstance: this.#options.instanceName,
            refreshIntentStartedAt: now,
            refreshIntentGeneration: intent.spentGeneration,
            refreshLeaseUntil: new Date(now.getTime() + this.#options.leaseSeconds * 1000),
            refreshInDoubtSince: inDoubtSince,
          },
          { transaction },
        );
        return { kind: "claimed", intent };
      });
    } catch (error) {
      if (isLockTimeout(error)) return { kind: "settled", result: { kind: "busy", retryAfterSeconds: 1 } };
      throw error;
    }
  }

  /**
   * Waits, holding no connection between looks, until the intent we met is gone (stored, given up)
   * or its lease ran out (its refresher died: the next claim settles the doubt), or the deadline.
   * Short polling rather than LISTEN/NOTIFY: a listener needs a connection of its own per instance
   * and a reconnect path, and would still need polling for notifications lost while reconnecting;
   * waits across instances are rare (single flight covers one process), short and bounded.
   */
  async #waitForOutcome(userId: number, met: { intentId: string; leaseUntil: Date }, deadline: number): Promise<void> {
    const { models } = this.#options;
    let pause = FIRST_POLL_MS;
    while (performance.now() < deadline && this.#options.now() < met.leaseUntil) {
      await sleep(Math.min(pause, Math.max(1, deadline - performance.now())));
      pause = Math.min(LONGEST_POLL_MS, pause * 2);
      const [current] = await this.#options.connectionBudget.use(() =>
        models.sequelize.query<{ refresh_intent_id: string | null }>("SELECT refresh_intent_id FROM users WHERE id = :userId", {
          replacements: { userId },
          type: QueryTypes.SELECT,
        }),
      );
      if (current?.refresh_intent_id !== met.intentId) return;
    }
  }

  /** Step 3: one call to GitHub, with no transaction open and no connection held. */
  #attempt(intent: Intent): Promise<AttemptResult> {
    const checkable = intent.tokens.accessTokenExpiresAt === null || intent.tokens.accessTokenExpiresAt.getTime() - this.#options.now().getTime() > CHECKABLE_FOR_MS;
    if (intent.inDoubtSince !== null && checkable && this.#options.checkAtGitHub) return this.#settleByCheck(intent, this.#options.checkAtGitHub);
    return this.#refreshAtGitHub(intent);
  }

  /**
   * Step 7 for a row whose access token has time left: a live access token proves the refresh that
   * left the doubt never rotated the pair (the pair is used again); a dead one under credentials
   * GitHub accepts proves it did (the user must authorize again, class `interrupted`).
   */
  async #settleByCheck(intent: Intent, checkAtGitHub: (accessToken: string) => Promise<boolean>): Promise<AttemptResult> {
    try {
      if (!(await this.#credentialsAccepted())) {
        this.#options.log.error({ githubId: intent.githubId }, "GitHub refuses the App's client credentials (GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET); a row in doubt stays in doubt");
        const refused = new GitHubRequestRejectedError("check token: GitHub refuses the App's client credentials", 200, "incorrect_client_credentials");
        return await this.#recordFailedAttempt(intent, refused, "not_done");
      }
      if (!(await checkAtGitHub(intent.tokens.accessToken))) {
        return await this.#settleTerminal(intent, new TerminalTokenError("check token: GitHub no longer knows the stored access token (404)", 404, "token_dead"));
      }
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      // A check changes nothing at GitHub, so whatever happened to it, the doubt is what it was.
      return this.#recordFailedAttempt(intent, error, "not_done");
    }
    return this.#clearDoubt(intent);
  }

  async #credentialsAccepted(): Promise<boolean> {
    const confirmedAt = this.#credentialsConfirmedAt;
    if (confirmedAt !== null && performance.now() - confirmedAt < CREDENTIALS_CONFIRMED_FOR_MS) return true;
    if (!this.#options.confirmCredentials) return true;
    const accepted = await this.#options.confirmCredentials();
    if (accepted) this.#credentialsConfirmedAt = performance.now();
    return accepted;
  }

  async #clearDoubt(intent: Intent): Promise<AttemptResult> {
    return this.#inTransaction(async (transaction) => {
      const row = await this.#lockedRow(intent.userId, transaction);
      if (!row) return { kind: "reauth_required", reason: "user deleted" };
      if (row.refreshIntentId === intent.id) {
        await row.update({ ...NO_REFRESH_IN_FLIGHT, refreshFailureCount: 0, nextRefreshAttemptAt: null }, { transaction });
        this.#options.log.info({ event: "token.doubt_cleared", githubId: row.githubId, login: row.login }, "the stored access token is alive: the interrupted refresh never rotated the pair");
      }
      return { kind: "doubt_cleared" };
    });
  }

  /** Steps 4 to 6: the refresh itself. */
  async #refreshAtGitHub(intent: Intent): Promise<RefreshResult> {
    const callStarted = performance.now();
    let issued: IssuedUserTokens;
    try {
      issued = await this.#options.refreshAtGitHub(intent.tokens.refreshToken);
    } catch (error) {
      if (error instanceof TerminalTokenError) {
        this.#observe("terminal", callStarted);
        return this.#settleTerminal(intent, error);
      }
      if (error instanceof GitHubError) {
        // A readable refusal (wrong client credentials, an unexpected error body) proves nothing was done.
        const outcome: RequestOutcome = error instanceof TransientGitHubError ? error.outcome : "not_done";
        this.#observe(outcome === "unknown" ? "unknown" : "transient", callStarted);
        return this.#recordFailedAttempt(intent, error, outcome);
      }
      // Not a GitHub answer (missing credentials): nothing was sent.
      await this.#recordFailedAttempt(intent, error, "not_done").catch(() => undefined);
      throw error;
    }
    this.#credentialsConfirmedAt = performance.now();
    return this.#store(intent, issued, callStarted);
  }

  /**
   * Step 4: GitHub has spent the old pair, so the new one must be stored or the user marked. One more
   * try in a new transaction when the first fails (a dropped connection); after that, mark the user
   * reauth_required; if even that fails, the intent stays and its lease runs out: the row is then in
   * doubt and the next attempt meets bad_refresh_token, ending on the interrupted path.
   */
  async #store(intent: Intent, issued: IssuedUserTokens, callStarted: number): Promise<RefreshResult> {
    const { log } = this.#options;
    let lastError: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const result = await this.#storeOnce(intent, issued);
        this.#observe(result.kind === "refreshed" ? "success" : "lost", callStarted);
        return result;
      } catch (error) {
        lastError = error;
      }
    }
    this.#observe("lost", callStarted);
    log.error({ err: lastError, githubId: intent.githubId }, "GitHub rotated a user's tokens but storing the new pair failed");
    const reason = `GitHub issued a new token pair but storing it failed (${describe(lastError)}); the previous refresh token is spent`;
    try {
      return await this.#inTransaction(async (transaction) => {
        const row = await this.#lockedRow(intent.userId, transaction);
        if (!row) return { kind: "reauth_required", reason: "user deleted" };
        if (row.appTokenGeneration !== intent.spentGeneration || appTokensRetired(row.tokenMigrationStatus)) {
          return this.#afterGenerationMoved(row, intent, transaction);
        }
        await this.#markReauthRequired(row, { reason, failureClass: "interrupted" }, transaction);
        return { kind: "reauth_required", reason };
      });
    } catch (error) {
      log.error({ err: error, githubId: intent.githubId }, "could not record a lost refresh; its lease will run out and the next attempt settles it");
      return { kind: "in_doubt", retryAfterSeconds: this.#options.leaseSeconds };
    }
  }

  async #storeOnce(intent: Intent, issued: IssuedUserTokens): Promise<RefreshResult> {
    const { store } = this.#options;
    return this.#inTransaction(async (transaction) => {
      const row = await this.#lockedRow(intent.userId, transaction);
      if (!row) return { kind: "reauth_required", reason: "user deleted" };
      const saved = await store.saveRefreshedAppTokens(row, issued, { spentGeneration: intent.spentGeneration, retiredStatuses: TOKENS_RETIRED }, transaction);
      if (saved) return { kind: "refreshed", tokens: issued };
      this.#options.log.error(
        { githubId: intent.githubId, generation: intent.spentGeneration, stored: row.appTokenGeneration, status: row.tokenMigrationStatus },
        "GitHub answered a refresh after the row had moved on (new pair, wipe or reauth_required); its pair is dropped",
      );
      return this.#afterGenerationMoved(row, intent, transaction);
    });
  }

  /**
   * Step 5: the refresh token is dead. Re-read first: if the row now holds another pair (someone won
   * the race, or the user authorized again), serve that; only otherwise mark the user.
   */
  async #settleTerminal(intent: Intent, error: TerminalTokenError): Promise<RefreshResult> {
    return this.#inTransaction(async (transaction) => {
      const row = await this.#lockedRow(intent.userId, transaction);
      if (!row) return { kind: "reauth_required", reason: "user deleted" };
      if (row.appTokenGeneration !== intent.spentGeneration || appTokensRetired(row.tokenMigrationStatus)) {
        return this.#afterGenerationMoved(row, intent, transaction);
      }
      const now = this.#options.now();
      const failureClass = classifyTerminalRefreshFailure({
        settlingDoubt: intent.inDoubtSince !== null,
        code: error.code,
        refreshTokenExpiresAt: intent.tokens.refreshTokenExpiresAt,
        installationsGone: await this.#installationsGone(row.id, transaction),
        now,
      });
      const reason =
        failureClass === "interrupted"
          ? `a refresh started at ${(intent.inDoubtSince as Date).toISOString()} was interrupted before its answer was stored, and the stored pair was found dead at ${now.toISOString()} (${error.message})`
          : `refresh failed: ${error.message}`;
      await this.#markReauthRequired(row, { reason, failureClass }, transaction);
      return { kind: "reauth_required", reason };
    });
  }

  /**
   * The row no longer holds the pair this refresh spent: another caller stored a newer one (serve it:
   * this refresh lost a race), or the pair was wiped or retired (revocation, disconnect, reauth).
   */
  async #afterGenerationMoved(row: UserRow, intent: Intent, transaction: Transaction): Promise<RefreshResult> {
    const tokens = this.#options.store.readAppTokens(row);
    const alive = tokens !== null && !appTokensRetired(row.tokenMigrationStatus);
    if (alive && row.refreshIntentId === null && row.refreshInDoubtSince === null) {
      await this.#recordFailureClass(row, "lost_race", transaction);
      return { kind: "fresh", tokens };
    }
    if (alive) {
      // A newer pair whose own refresh is unsettled: wait for or settle it like any other caller.
      if (row.refreshIntentId === intent.id) await row.update(NO_REFRESH_IN_FLIGHT, { transaction });
      await this.#recordFailureClass(row, "lost_race", transaction);
      return { kind: "busy", retryAfterSeconds: 1 };
    }
    if (tokens === null || row.tokenMigrationStatus === "revoked") await this.#recordFailureClass(row, "revoked", transaction);
    return { kind: "reauth_required", reason: row.migrationError ?? "no usable App token" };
  }

  /**
   * Step 6: GitHub did not refresh. An answer proving nothing was done keeps the pair servable; no
   * answer at all (timeout after sending, reset, gateway 5xx) may hide a rotation, so the row is in
   * doubt. Either way the intent is cleared and a backoff recorded.
   */
  async #recordFailedAttempt(intent: Intent, error: unknown, outcome: RequestOutcome): Promise<RefreshResult> {
    return this.#inTransaction(async (transaction) => {
      const row = await this.#lockedRow(intent.userId, transaction);
      if (!row) return { kind: "reauth_required", reason: "user deleted" };
      if (row.refreshIntentId !== intent.id) {
        // Our lease ran out and someone else took over (or a new pair arrived): theirs is the truth now.
        return row.appTokenGeneration !== intent.spentGeneration ? this.#afterGenerationMoved(row, intent, transaction) : { kind: "busy", retryAfterSeconds: 1 };
      }
      const failures = row.refreshFailureCount + 1;
      const retryAfterSeconds = this.#backoffSeconds(failures, error instanceof TransientGitHubError ? error.retryAfterSeconds : null);
      const inDoubtSince = outcome === "unknown" ? (intent.inDoubtSince ?? intent.startedAt) : intent.inDoubtSince;
      await row.update(
        {
          ...NO_REFRESH_IN_FLIGHT,
          refreshInDoubtSince: inDoubtSince,
          refreshFailureCount: failures,
          nextRefreshAttemptAt: new Date(this.#options.now().getTime() + retryAfterSeconds * 1000),
          lastRefreshError: describe(error),
        },
        { transaction },
      );
      if (inDoubtSince !== null) return { kind: "in_doubt", retryAfterSeconds };
      return { kind: "transient", tokens: intent.tokens, retryAfterSeconds };
    });
  }

  async #markReauthRequired(
    user: UserRow,
    { reason, failureClass }: { reason: string; failureClass: RefreshFailureClass },
    transaction: Transaction,
  ): Promise<void> {
    const { models, store, log } = this.#options;
    const at = this.#options.now();
    await user.update(
      { ...NO_REFRESH_IN_FLIGHT, lastRefreshError: reason, nextRefreshAttemptAt: null, refreshFailureClass: failureClass, refreshFailedAt: at },
      { transaction },
    );
    if (canTransition(user.tokenMigrationStatus, "reauth_required")) {
      await transitionUser(models, { user, to: "reauth_required", reason, actor: "system", transaction });
      this.#options.activity?.reauthRequired(failureClass);
    } else {
      // A status that cannot become reauth_required (say, rolled back): drop the dead pair so
      // nothing calls GitHub with it again.
      await store.wipeAppTokens(user, transaction);
    }
    await enqueueNotification(
      models,
      {
        eventType: "token.reauth_required",
        payload: { github_id: user.githubId, login: user.login, reason, failure_class: failureClass, occurred_at: at.toISOString() },
      },
      transaction,
    );
    tokenMetrics.refreshFailures.inc({ class: failureClass });
    log.warn({ event: "token.reauth_required", githubId: user.githubId, login: user.login, failureClass, reason }, "user must authorize the GitHub App again");
  }

  async #recordFailureClass(user: UserRow, failureClass: RefreshFailureClass, transaction: Transaction): Promise<void> {
    await user.update({ refreshFailureClass: failureClass, refreshFailedAt: this.#options.now() }, { transaction });
    tokenMetrics.refreshFailures.inc({ class: failureClass });
    this.#options.log.info({ event: "token.refresh_failed", githubId: user.githubId, login: user.login, failureClass }, "a refresh failed; the stored pair is the answer");
  }

  async #installationsGone(userId: number, transaction: Transaction): Promise<boolean> {
    const [counts] = await this.#options.models.sequelize.query<{ known: number; gone: number }>(
      `SELECT count(*)::int AS known,
              count(*) FILTER (WHERE i.deleted_at IS NOT NULL OR i.suspended_at IS NOT NULL)::int AS gone
         FROM user_installations ui JOIN installations i ON i.id = ui.installation_id
        WHERE ui.user_id = :userId`,
      { replacements: { userId }, type: QueryTypes.SELECT, transaction },
    );
    return counts !== undefined && counts.known > 0 && counts.gone === counts.known;
  }

  /** A short transaction within refresh work's share of the pool, waiting at most the lock timeout for a row. */
  #inTransaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    const { models, connectionBudget, lockTimeoutMs } = this.#options;
    return connectionBudget.use(() =>
      models.sequelize.transaction(async (transaction) => {
        await models.sequelize.query(`SET LOCAL lock_timeout = ${Math.floor(lockTimeoutMs)}`, { transaction });
        return work(transaction);
      }),
    );
  }

  #lockedRow(userId: number, transaction: Transaction): Promise<UserRow | null> {
    return this.#options.models.User.findOne({ where: { id: userId }, lock: transaction.LOCK.UPDATE, transaction });
  }

  #leaseLive(row: Pick<UserRow, "refreshIntentId" | "refreshLeaseUntil">): boolean {
    return row.refreshIntentId !== null && row.refreshLeaseUntil !== null && row.refreshLeaseUntil > this.#options.now();
  }

  /** Since when nobody knows whether the stored pair lives: a recorded doubt, or an intent whose lease ran out. */
  #inDoubtSince(row: Pick<UserRow, "refreshInDoubtSince" | "refreshIntentId" | "refreshLeaseUntil" | "refreshIntentStartedAt">): Date | null {
    if (row.refreshInDoubtSince) return row.refreshInDoubtSince;
    if (row.refreshIntentId !== null && !this.#leaseLive(row)) return row.refreshIntentStartedAt;
    return null;
  }

  #inDoubt(row: ResolvableUser): boolean {
    return this.#inDoubtSince(row) !== null;
  }

  /** Exponential, capped, with ±20 % jitter so users failing together do not retry together. */
  #backoffSeconds(failures: number, retryAfterSeconds: number | null): number {
    const jittered = backoffSeconds(failures, this.#options.backoff) * (0.8 + Math.random() * 0.4);
    return Math.ceil(Math.max(jittered, retryAfterSeconds ?? 0));
  }

  #backoffRemainingSeconds(user: Pick<UserRow, "nextRefreshAttemptAt">): number {
    const next = user.nextRefreshAttemptAt?.getTime();
    const remainingMs = next === undefined ? 0 : next - this.#options.now().getTime();
    return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
  }

  #expiresWithin(tokens: ServableAccessToken, ms: number): boolean {
    return tokens.accessTokenExpiresAt !== null && tokens.accessTokenExpiresAt.getTime() - this.#options.now().getTime() < ms;
  }

  #isValid(tokens: ServableAccessToken): boolean {
    return !this.#expiresWithin(tokens, 1);
  }

  /** The current token while it still works at all, else an honest "try again". */
  #serveWhileValid(tokens: ServableAccessToken, retryAfterSeconds: number): Freshness {
    return this.#isValid(tokens) ? { ok: true, tokens } : { ok: false, kind: "unavailable", retryAfterSeconds };
  }

  #observe(outcome: RefreshOutcome, startedAt: number): void {
    tokenMetrics.refreshes.inc({ outcome });
    tokenMetrics.refreshDuration.observe({ outcome }, (performance.now() - startedAt) / 1000);
    this.#options.activity?.refreshed(outcome);
  }
}

function isLockTimeout(error: unknown): boolean {
  return (error as { original?: { code?: string } })?.original?.code === "55P03";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
