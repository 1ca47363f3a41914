// Migration batches (DESIGN.md "Migration status machine", "Scaling out"): claim the next pending
// or failed users with FOR UPDATE SKIP LOCKED and a lease, then for each one either validate the App
// token it already has (→ migrated / failed) or ask for consent (→ consent_required, with a consent
// link, an install link when needed, the legacy token checked at GitHub, and a notification).
// A batch runs in the background and keeps its migration_batches row (counts, heartbeat) current.
import type { Logger } from "pino";
import { QueryTypes, type Transaction } from "sequelize";
import type { BatchState, BatchUserError, MigrationBatchRow, Models, UserRow } from "../db/models/index.js";
import { ClientCredentialsError, TransientGitHubError } from "../github/errors.js";
import type { TokenCheck } from "../github/oauth-app-credentials.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { maskTokens } from "../observability/redact.js";
import type { TokenStore } from "../tokens/token-store.js";
import { BatchNotFoundError } from "./errors.js";
import type { FeatureFlags } from "../users/flags.js";
import { GitHubPacer } from "./github-pacer.js";
import { ConcurrentTransitionError, transitionUser } from "../users/status-machine.js";
import type { UserValidator } from "./validation.js";
import { backoffSeconds } from "../jobs/backoff.js";
import { BATCH_STALE_AFTER_SECONDS } from "./stalled-batches.js";

/** Where a user is asked to authorize (and, without an installation, install) the GitHub App. */
interface ConsentLinks {
  consentUrl(user: { githubId: number; login: string }): Promise<string>;
  /** `<web>/apps/<slug>/installations/new/permissions?suggested_target_id=<id>`; null when the slug is unknown. */
  installUrl(accountId: number): Promise<string | null>;
}

export interface BatchView {
  id: number;
  requestedBy: string;
  size: number;
  dryRun: boolean;
  /** `finished_with_errors` when some users hit an unexpected error; `failed` when the batch stopped or every user did; `paused` while the rollout guard holds it. */
  state: BatchState;
  /** Outcomes so far: claimed, migrated, consent_required, failed, deferred, skipped, errors, legacy_token_*; would_* for dry runs. */
  counts: Record<string, number>;
  error: string | null;
  /** Who hit an unexpected error and why (the first MAX_RECORDED_USER_ERRORS). */
  userErrors: BatchUserError[];
  startedAt: Date;
  heartbeatAt: Date;
  finishedAt: Date | null;
  /** Still `running` but no heartbeat for a while: the instance running it probably stopped. */
  stale: boolean;
}

interface StartBatchOptions {
  /** Users to claim; the user_migration_batch_size flag when absent. */
  size?: number;
  dryRun?: boolean;
  /** Who asked: a maintainer's login, `admin-api` or `cli`; the audit trail's actor. */
  actor: string;
  onProgress?: (batch: BatchView) => void;
}

interface MigrationBatchesOptions {
  models: Models;
  tokenStore: TokenStore;
  flags: FeatureFlags;
  validator: UserValidator;
  /** The legacy OAuth App's check-token call; null when its credentials are not configured. */
  checkLegacyToken: ((token: string) => Promise<TokenCheck>) | null;
  /**
   * Asks GitHub whether the OAuth clients' credentials are good; throws ClientCredentialsError
   * (naming the variable) or TransientGitHubError. A batch that acts runs only after it passed.
   */
  credentialsGood?: () => Promise<void>;
  consentLinks: ConsentLinks;
  log: Logger;
  /** Calls to GitHub at once per batch. */
  concurrency?: number;
  /** Users claimed per round; the lease covers only these, so a long batch never outlives its lease. */
  chunkSize?: number;
  leaseSeconds?: number;
  heartbeatMs?: number;
  /** Tries per user when GitHub answers with a transient error, before the user is deferred. */
  maxAttempts?: number;
  /** The rollout guard: while it is tripped a batch takes nobody new and waits (state `paused`). */
  guard?: { isTripped(): Promise<boolean> };
  /** How often a paused batch asks whether the guard was cleared. */
  guardPollMs?: number;
}

/** A guard's answer is reused this long, so a chunk of users asks it once, not once per user. */
const GUARD_ANSWER_MS = 500;

type CountKey = string;
const MAX_RECORDED_USER_ERRORS = 100;

/** What one batch run has seen so far; a user is claimed at most once per batch. */
interface BatchRun {
  counts: Record<CountKey, number>;
  userErrors: BatchUserError[];
  inFlight: Set<number>;
  erroredUserIds: Set<number>;
  /** Users this batch claimed, plus users that errored earlier in the same runToCompletion. */
  excluded: Set<number>;
}
/** Between a user's tries when GitHub gives no Retry-After: 2 s, 4 s, … (the pacer caps any pause too). */
const RETRY_BACKOFF = { firstSeconds: 2, maxSeconds: 60 };
/**
 * Users a batch may take: pending ones, and failed ones that failed before this run began (so a run
 * never retries what it just failed), unless another batch's lease on them is still running.
 */
const CLAIMABLE = `(token_migration_status = 'pending'
      OR (token_migration_status = 'failed' AND updated_at < :retryFailedBefore))
  AND (batch_claim_expires_at IS NULL OR batch_claim_expires_at < now())`;

/** Outcome fields written only while the batch is still running: a batch another instance marked failed stays failed. */
type BatchOutcomeFields = Partial<Pick<MigrationBatchRow, "state" | "error">> & { finished?: true };

export class MigrationBatches {
  readonly #options: Required<MigrationBatchesOptions>;
  readonly #running = new Set<Promise<unknown>>();

  constructor(options: MigrationBatchesOptions) {
    this.#options = {
      concurrency: 8,
      chunkSize: 50,
      leaseSeconds: 300,
      heartbeatMs: 5_000,
      maxAttempts: 3,
      guardPollMs: 2_000,
      credentialsGood: async () => {},
      ...options,
      guard: options.guard ?? { isTripped: async () => false },
    };
  }

  /**
   * Creates the batch row and runs the batch in the background; `finished` settles when it ends.
   * Refused (ClientCredentialsError) before anything is written when the credentials are wrong.
   */
  async start(options: StartBatchOptions): Promise<{ batchId: number; finished: Promise<BatchView> }> {
    if (!options.dryRun) await this.#options.credentialsGood();
    const batch = await this.#create(options);
    const finished = this.#execute(batch, { ...options, retryFailedBefore: batch.startedAt, erroredInRun: new Set() });
    return { batchId: batch.id, finished: this.#track(finished) };
  }

  /** Runs one batch in the foreground (the CLI). */
  async run(options: StartBatchOptions): Promise<BatchView> {
    return (await this.start(options)).finished;
  }

  /**
   * Runs batch after batch until one finds nobody left to claim. Users that fail during this run are
   * not retried by it (only users that had failed before it started), and users that hit an error
   * are not taken again by a later batch of the run, so each is processed once.
   */
  async runToCompletion(options: Omit<StartBatchOptions, "dryRun">): Promise<BatchView[]> {
    await this.#options.credentialsGood();
    const batches: BatchView[] = [];
    const erroredInRun = new Set<number>();
    let retryFailedBefore: Date | undefined;
    for (;;) {
      const batch = await this.#create(options);
      retryFailedBefore ??= batch.startedAt;
      const view = await this.#track(this.#execute(batch, { ...options, retryFailedBefore, erroredInRun }));
      batches.push(view);
      if (view.state === "failed" || (view.counts.claimed ?? 0) === 0) return batches;
    }
  }

  async get(batchId: number): Promise<BatchView> {
    const batch = await this.#options.models.MigrationBatch.findByPk(batchId);
    if (!batch) throw new BatchNotFoundError(batchId);
    return toView(batch);
  }

  async recent(limit = 10): Promise<BatchView[]> {
    const rows = await this.#options.models.MigrationBatch.findAll({
      order: [
        ["startedAt", "DESC"],
        ["id", "DESC"],
      ],
      limit,
    });
    return rows.map(toView);
  }

  /** Waits for every batch this instance started (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    void work.finally(() => this.#running.delete(work)).catch(() => {});
    return work;
  }

  async #create({ size, dryRun = false, actor }: StartBatchOptions): Promise<MigrationBatchRow> {
    const batchSize = size ?? (await this.#options.flags.read()).user_migration_batch_size;
    return this.#options.models.MigrationBatch.create({ requestedBy: actor, size: batchSize, dryRun });
  }

  async #execute(
    batch: MigrationBatchRow,
    { actor, onProgress, retryFailedBefore, erroredInRun }: StartBatchOptions & { retryFailedBefore: Date; erroredInRun: Set<number> },
  ): Promise<BatchView> {
    const { models, log, heartbeatMs } = this.#options;
    const run: BatchRun = { counts: {}, userErrors: [], inFlight: new Set(), erroredUserIds: new Set(), excluded: new Set(erroredInRun) };
    const heartbeat = setInterval(() => {
      void this.#heartbeat(batch, run).catch((error: unknown) => log.warn({ err: error, batchId: batch.id }, "batch heartbeat failed"));
    }, heartbeatMs);
    heartbeat.unref();
    try {
      if (batch.dryRun) {
        await this.#dryRun(batch, run.counts, retryFailedBefore);
      } else {
        const pacer = new GitHubPacer({ concurrency: this.#options.concurrency });
        const guardTripped = cachedAnswer(() => this.#options.guard.isTripped(), GUARD_ANSWER_MS);
        let remaining = batch.size;
        while (remaining > 0) {
          await this.#waitWhileGuardTripped(batch, guardTripped, onProgress);
          const users = await this.#claim(batch.id, Math.min(remaining, this.#options.chunkSize), retryFailedBefore, run.excluded);
          if (users.length === 0) break;
          remaining -= users.length;
          add(run.counts, "claimed", users.length);
          for (const user of users) {
            run.inFlight.add(user.id);
            run.excluded.add(user.id);
          }
          // Users start a few at a time (twice the GitHub concurrency, so database work overlaps the
          // calls), each asking the guard first: a trip stops the chunk within a few users.
          const queue = [...users];
          const worker = async () => {
            for (let user = queue.shift(); user; user = queue.shift()) {
              if (await guardTripped()) {
                // Not started: handed back, and taken again once the guard is cleared.
                await this.#release(user, batch.id);
                add(run.counts, "claimed", -1);
                run.excluded.delete(user.id);
                remaining += 1;
              } else {
                for (const key of await this.#processUser(user, batch.id, actor, pacer, run)) add(run.counts, key);
              }
              run.inFlight.delete(user.id);
            }
          };
          await Promise.all(Array.from({ length: Math.min(queue.length, this.#options.concurrency * 2) }, worker));
          await this.#heartbeat(batch, run);
          onProgress?.(toView(batch));
        }
      }
      for (const userId of run.erroredUserIds) erroredInRun.add(userId);
      await this.#writeProgress(batch, run, { ...endState(run.counts), finished: true });
    } catch (error) {
      log.error({ err: error, batchId: batch.id }, "migration batch failed");
      await models.User.update({ batchClaimId: null, batchClaimExpiresAt: null }, { where: { batchClaimId: batch.id } });
      await this.#writeProgress(batch, run, { state: "failed", error: maskTokens((error as Error).message), finished: true });
    } finally {
      clearInterval(heartbeat);
    }
    const view = toView(batch);
    onProgress?.(view);
    return view;
  }

  /** What a batch would do, from the rows alone: no claim, no GitHub call, no write but the batch row. */
  async #dryRun(batch: MigrationBatchRow, counts: Record<CountKey, number>, retryFailedBefore: Date): Promise<void> {
    const { models } = this.#options;
    const ids = await models.sequelize.query<{ id: number }>(
      `SELECT id FROM users WHERE ${CLAIMABLE} ORDER BY id LIMIT :limit`,
      { replacements: { retryFailedBefore, limit: batch.size }, type: QueryTypes.SELECT },
    );
    const candidates = await models.User.findAll({ where: { id: ids.map((row) => row.id) }, order: [["id", "ASC"]] });
    add(counts, "candidates", candidates.length);
    for (const user of candidates) {
      add(counts, user.githubAppUserToken ? "would_validate" : "would_require_consent");
      if (!user.githubAppUserToken && this.#options.tokenStore.readLegacyToken(user) && this.#options.checkLegacyToken) {
        add(counts, "would_check_legacy_token");
      }
    }
  }

  async #claim(batchId: number, limit: number, retryFailedBefore: Date, excluded: Set<number>): Promise<UserRow[]> {
    const { models, leaseSeconds } = this.#options;
    // SKIP LOCKED: concurrent batches (other instances, other maintainers) each take different
    // rows. The lease (batch_claim_expires_at) outlives this statement, so a crashed batch's users
    // come back once it runs out (or at once, when the stalled-batch sweep marks it failed). A batch
    // no longer running (marked failed by that sweep while this instance was cut off) claims nobody.
    const claimed = await models.sequelize.query<{ id: number }>(
      `UPDATE users SET batch_claim_id = :batchId, batch_claim_expires_at = now() + make_interval(secs => :leaseSeconds)
        WHERE id IN (
          SELECT id FROM users WHERE ${CLAIMABLE}
             AND id NOT IN (:excluded)
           ORDER BY id
           LIMIT :limit
           FOR UPDATE SKIP LOCKED)
          AND EXISTS (SELECT 1 FROM migration_batches WHERE id = :batchId AND state = 'running')
        RETURNING id`,
      // 0 is never a row id; it keeps the list non-empty (an empty NOT IN list is not SQL).
      { replacements: { batchId, leaseSeconds, retryFailedBefore, limit, excluded: [0, ...excluded] }, type: QueryTypes.SELECT },
    );
    if (claimed.length === 0) return [];
    return models.User.findAll({ where: { id: claimed.map((row) => row.id) }, order: [["id", "ASC"]] });
  }

  /** The count keys this user adds to the batch. */
  async #processUser(user: UserRow, batchId: number, actor: string, pacer: GitHubPacer, run: BatchRun): Promise<CountKey[]> {
    const { log, maxAttempts } = this.#options;
    for (let attempt = 1; ; attempt += 1) {
      try {
        // The pacer bounds GitHub calls only (#migrateUser wraps each one): holding its slot through
        // the user's database work too held a batch to 78 users/s instead of ~120 with GitHub
        // answering in 50 ms (docs/benchmarks.md).
        return await this.#migrateUser(user, batchId, actor, pacer);
      } catch (error) {
        if (error instanceof TransientGitHubError) {
          if (attempt < maxAttempts) {
            pacer.pauseFor(error.retryAfterSeconds ?? backoffSeconds(attempt, RETRY_BACKOFF));
            continue;
          }
          await this.#defer(user, batchId, error.retryAfterSeconds ?? 60);
          return ["deferred"];
        }
        if (error instanceof ConcurrentTransitionError) return ["skipped"];
        // The credentials went bad mid-batch: stop the batch rather than read more answers under them.
        if (error instanceof ClientCredentialsError) throw error;
        // Recorded in the batch's outcome (dashboard, API, CLI summary); the log keeps the stack.
        log.warn({ err: error, batchId, githubId: user.githubId }, "migrating a user failed; released for a later batch");
        run.erroredUserIds.add(user.id);
        if (run.userErrors.length < MAX_RECORDED_USER_ERRORS) {
          run.userErrors.push({ github_id: user.githubId, login: user.login, error: maskTokens((error as Error).message) });
        }
        await this.#defer(user, batchId, 0);
        return ["errors"];
      }
    }
  }

  async #migrateUser(user: UserRow, batchId: number, actor: string, pacer: GitHubPacer): Promise<CountKey[]> {
    const { models, validator, consentLinks } = this.#options;
    if (user.githubAppUserToken) {
      const result = await pacer.run(() => validator.check(user, { onRateLimit: (rateLimit) => pacer.observeRateLimit(rateLimit) }));
      return this.#settle(user, batchId, async (row, transaction) => {
        await validator.record(row, result, { actor, batchId, transaction });
        return [result.ok ? "migrated" : "failed"];
      });
    }
    const legacy = await pacer.run(() => this.#checkLegacyToken(user));
    const consentUrl = await consentLinks.consentUrl(user);
    const installUrl = (await this.#hasInstallation(user)) ? null : await consentLinks.installUrl(user.githubId);
    return this.#settle(user, batchId, async (row, transaction) => {
      if (legacy) await row.update({ legacyTokenCheckedAt: legacy.checkedAt, legacyTokenValid: legacy.valid }, { transaction });
      await transitionUser(models, {
        user: row,
        to: "consent_required",
        reason: `no GitHub App token; consent link issued${installUrl ? " with an install link" : ""}`,
        actor,
        batchId,
        transaction,
      });
      await enqueueNotification(
        models,
        {
          eventType: "user.consent_required",
          payload: {
            github_id: row.githubId,
            login: row.login,
            consent_url: consentUrl,
            install_url: installUrl,
            legacy_token_valid: legacy ? legacy.valid : null,
          },
        },
        transaction,
      );
      const legacyKey = legacy === null ? "legacy_token_unchecked" : legacy.valid ? "legacy_token_valid" : "legacy_token_dead";
      return ["consent_required", legacyKey];
    });
  }

  /**
   * Applies a user's outcome on the locked row, only if this batch still holds the claim and the
   * status is still the one decided on; releases the claim in the same transaction.
   */
  async #settle(
    user: UserRow,
    batchId: number,
    work: (row: UserRow, transaction: Transaction) => Promise<CountKey[]>,
  ): Promise<CountKey[]> {
    const { models } = this.#options;
    return models.sequelize.transaction(async (transaction) => {
      const row = await models.User.findByPk(user.id, { transaction, lock: transaction.LOCK.UPDATE });
      if (!row || row.batchClaimId !== batchId) return ["skipped"];
      if (row.tokenMigrationStatus !== user.tokenMigrationStatus || row.githubAppUserToken !== user.githubAppUserToken) {
        await row.update({ batchClaimId: null, batchClaimExpiresAt: null }, { transaction });
        return ["skipped"];
      }
      const keys = await work(row, transaction);
      await row.update({ batchClaimId: null, batchClaimExpiresAt: null }, { transaction });
      return keys;
    });
  }

  async #checkLegacyToken(user: UserRow): Promise<{ valid: boolean; checkedAt: Date } | null> {
    const { checkLegacyToken, tokenStore } = this.#options;
    const legacy = tokenStore.readLegacyToken(user);
    if (!legacy || !checkLegacyToken) return null;
    const check = await checkLegacyToken(legacy.accessToken);
    return { valid: check.valid && (check.githubId === null || check.githubId === user.githubId), checkedAt: new Date() };
  }

  async #hasInstallation(user: UserRow): Promise<boolean> {
    const { models } = this.#options;
    const linked = await models.UserInstallation.count({ where: { userId: user.id } });
    if (linked > 0) return true;
    return (await models.Installation.count({ where: { accountId: user.githubId, deletedAt: null } })) > 0;
  }

  /** While the rollout guard is tripped the batch is `paused`: it takes nobody and asks again every guardPollMs. */
  async #waitWhileGuardTripped(batch: MigrationBatchRow, guardTripped: () => Promise<boolean>, onProgress?: (batch: BatchView) => void): Promise<void> {
    if (!(await guardTripped())) return;
    await batch.update({ state: "paused", heartbeatAt: new Date() });
    onProgress?.(toView(batch));
    this.#options.log.warn({ batchId: batch.id }, "migration batch paused by the rollout guard");
    while (await guardTripped()) await new Promise((resolve) => setTimeout(resolve, this.#options.guardPollMs));
    await batch.update({ state: "running", heartbeatAt: new Date() });
    onProgress?.(toView(batch));
  }

  async #release(user: UserRow, batchId: number): Promise<void> {
    await this.#options.models.User.update({ batchClaimId: null, batchClaimExpiresAt: null }, { where: { id: user.id, batchClaimId: batchId } });
  }

  /** Leaves the claim in place until `seconds` from now, so no batch takes the user before then. */
  async #defer(user: UserRow, batchId: number, seconds: number): Promise<void> {
    await this.#options.models.User.update(
      { batchClaimExpiresAt: new Date(Date.now() + seconds * 1000) },
      { where: { id: user.id, batchClaimId: batchId } },
    );
  }

  async #heartbeat(batch: MigrationBatchRow, run: BatchRun): Promise<void> {
    const { models, leaseSeconds } = this.#options;
    if (run.inFlight.size > 0) {
      await models.User.update(
        { batchClaimExpiresAt: new Date(Date.now() + leaseSeconds * 1000) },
        { where: { id: [...run.inFlight], batchClaimId: batch.id } },
      );
    }
    await this.#writeProgress(batch, run, {});
  }

  /**
   * Counts, user errors and the heartbeat (on the database's clock, which the stalled-batch sweep
   * compares with), plus the outcome when given; `batch` then holds the row as stored.
   */
  async #writeProgress(batch: MigrationBatchRow, run: BatchRun, { finished, ...outcome }: BatchOutcomeFields): Promise<void> {
    const { models, log } = this.#options;
    const now = models.sequelize.fn("now");
    const progress = { counts: { ...run.counts }, userErrors: [...run.userErrors] };
    const [updated] = await models.MigrationBatch.update(
      { ...progress, heartbeatAt: now, ...outcome, ...(finished ? { finishedAt: now } : {}) },
      // A paused batch (the rollout guard holds it) still heartbeats: its owner is alive.
      { where: { id: batch.id, state: ["running", "paused"] } },
    );
    if (updated === 0) {
      // Marked failed by another instance: what this one did still counts, its state and reason stay.
      await models.MigrationBatch.update(progress, { where: { id: batch.id } });
      if (batch.state === "running" || batch.state === "paused") {
        log.warn({ batchId: batch.id }, "this batch was marked failed by another instance (no heartbeat seen); it stops claiming users");
      }
    }
    await batch.reload();
  }
}

/** `ask`'s answer, reused for `ms` (concurrent callers share one question). */
function cachedAnswer(ask: () => Promise<boolean>, ms: number): () => Promise<boolean> {
  let answer: { value: Promise<boolean>; at: number } | undefined;
  return () => {
    if (!answer || Date.now() - answer.at > ms) answer = { value: ask(), at: Date.now() };
    return answer.value;
  };
}

/** How a batch that ran to its end ended: never plain "finished" when users hit errors. */
function endState(counts: Record<CountKey, number>): { state: BatchState; error: string | null } {
  const errors = counts.errors ?? 0;
  if (errors === 0) return { state: "finished", error: null };
  if (errors === (counts.claimed ?? 0)) return { state: "failed", error: `every user it claimed (${errors}) hit an error; see its user errors` };
  return { state: "finished_with_errors", error: `${errors} of ${counts.claimed} users hit an error; see its user errors` };
}

function add(counts: Record<CountKey, number>, key: CountKey, amount = 1): void {
  counts[key] = (counts[key] ?? 0) + amount;
}

function toView(batch: MigrationBatchRow): BatchView {
  return {
    id: batch.id,
    requestedBy: batch.requestedBy,
    size: batch.size,
    dryRun: batch.dryRun,
    state: batch.state,
    counts: batch.counts,
    error: batch.error ?? null,
    userErrors: batch.userErrors ?? [],
    startedAt: batch.startedAt,
    heartbeatAt: batch.heartbeatAt,
    finishedAt: batch.finishedAt ?? null,
    stale: batch.state === "running" && Date.now() - batch.heartbeatAt.getTime() > BATCH_STALE_AFTER_SECONDS * 1000,
  };
}
