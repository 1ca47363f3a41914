// Validates a user's GitHub App token at GitHub: the token's identity is ours (GET /user id equals
// the stored GitHub id), the installations it reaches (GET /user/installations), and the rate
// limit GitHub reported. The result is stored on the user (last_validated_at,
// last_validation_result); a failure moves the user to `failed` with the reason.
import type { Transaction } from "sequelize";
import type { Models, UserRow } from "../db/models/index.js";
import { GitHubError, TransientGitHubError } from "../github/errors.js";
import { UserNotFoundError } from "../users/errors.js";
import type { TokenRefresher } from "../tokens/refresh.js";
import type { TokenStore } from "../tokens/token-store.js";
import type { RateLimitSeen } from "./github-pacer.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { canTransition, transitionUser } from "../users/status-machine.js";

/** What validation needs from GitHub; github/user-api.ts provides it. */
interface UserTokenApi {
  getAuthenticatedUser(token: string): Promise<{ id: number; login: string; rateLimit: RateLimitSeen | null }>;
  listUserInstallations(token: string): Promise<{ installationIds: number[]; rateLimit: RateLimitSeen | null }>;
}

interface ValidationResult {
  ok: boolean;
  checked_at: string;
  /** Why it failed; absent when ok. */
  reason?: string;
  identity?: { expected_github_id: number; github_id: number; login: string };
  installations?: { reachable: number; ids: number[] };
  rate_limit?: { remaining: number; reset_at: string } | null;
}

interface UserValidatorOptions {
  models: Models;
  tokenStore: TokenStore;
  refresher: Pick<TokenRefresher, "ensureFresh">;
  userApi: UserTokenApi;
  /** Asks GitHub whether the App's client credentials are good before a validation relies on a refresh. */
  credentialsGood?: () => Promise<void>;
  now?: () => Date;
}

export class UserValidator {
  readonly #options: UserValidatorOptions;

  constructor(options: UserValidatorOptions) {
    this.#options = options;
  }

  /**
   * Calls GitHub and judges the answers, writing nothing. Throws TransientGitHubError when GitHub
   * could not answer now (the caller retries later rather than failing the user). `onRateLimit`
   * is told every rate limit GitHub reports (a batch's pacer slows down on it).
   */
  async check(user: UserRow, { onRateLimit }: { onRateLimit?: (rateLimit: RateLimitSeen) => void } = {}): Promise<ValidationResult> {
    const checkedAt = this.#now().toISOString();
    const token = await this.#usableAppToken(user);
    if (token.kind === "none") return { ok: false, checked_at: checkedAt, reason: token.reason };
    if (token.kind === "unavailable") {
      throw new TransientGitHubError("refresh before validation failed for now", null, "refresh_unavailable", token.retryAfterSeconds, "not_done");
    }
    const seen = (rateLimit: RateLimitSeen | null) => {
      if (rateLimit) onRateLimit?.(rateLimit);
    };
    try {
      const identity = await this.#options.userApi.getAuthenticatedUser(token.accessToken);
      seen(identity.rateLimit);
      const identityResult = { expected_github_id: user.githubId, github_id: identity.id, login: identity.login };
      if (identity.id !== user.githubId) {
        return {
          ok: false,
          checked_at: checkedAt,
          reason: `the token belongs to GitHub user ${identity.id} (${identity.login}), not ${user.githubId}`,
          identity: identityResult,
        };
      }
      const installations = await this.#options.userApi.listUserInstallations(token.accessToken);
      seen(installations.rateLimit);
      const rateLimit = installations.rateLimit ?? identity.rateLimit;
      return {
        ok: true,
        checked_at: checkedAt,
        identity: identityResult,
        installations: { reachable: installations.installationIds.length, ids: installations.installationIds },
        rate_limit: rateLimit ? { remaining: rateLimit.remaining, reset_at: rateLimit.resetAt.toISOString() } : null,
      };
    } catch (error) {
      if (error instanceof TransientGitHubError || !(error instanceof GitHubError)) throw error;
      return { ok: false, checked_at: checkedAt, reason: `GitHub refused the token: ${error.message}` };
    }
  }

  /**
   * Stores a check's result on the (locked) user row. Success moves a not-yet-migrated user to
   * `migrated` (and notifies); failure moves the user to `failed` where the status machine allows,
   * else only the result and reason are kept.
   */
  async record(
    user: UserRow,
    result: ValidationResult,
    { actor, batchId = null, transaction }: { actor: string; batchId?: number | null; transaction: Transaction },
  ): Promise<void> {
    const { models } = this.#options;
    await user.update(
      { lastValidatedAt: new Date(result.checked_at), lastValidationResult: result as unknown as Record<string, unknown> },
      { transaction },
    );
    if (result.ok) {
      for (const installationId of result.installations?.ids ?? []) {
        await models.UserInstallation.findOrCreate({
          where: { userId: user.id, installationId },
          defaults: { userId: user.id, installationId, source: "validation" },
          transaction,
        });
      }
      if (user.tokenMigrationStatus === "migrated") return;
      await transitionUser(models, { user, to: "migrated", reason: "App token validated", actor, batchId, transaction });
      await enqueueNotification(
        models,
        { eventType: "user.migrated", payload: { github_id: user.githubId, login: user.login } },
        transaction,
      );
      return;
    }
    const reason = `validation failed: ${result.reason}`;
    if (canTransition(user.tokenMigrationStatus, "failed")) {
      await transitionUser(models, { user, to: "failed", reason, actor, batchId, transaction });
    } else {
      await user.update({ migrationError: reason }, { transaction });
    }
  }

  /** Checks and records one user now (admin API, CLI). Throws TransientGitHubError when GitHub cannot answer. */
  async validate(githubId: number, actor: string): Promise<{ user: UserRow; result: ValidationResult }> {
    const { models } = this.#options;
    const user = await models.User.findOne({ where: { githubId } });
    if (!user) throw new UserNotFoundError(githubId);
    await this.#options.credentialsGood?.();
    const result = await this.check(user);
    const locked = await models.sequelize.transaction(async (transaction) => {
      const row = await models.User.findByPk(user.id, { transaction, lock: transaction.LOCK.UPDATE });
      if (!row) throw new UserNotFoundError(githubId);
      await this.record(row, result, { actor, transaction });
      return row;
    });
    return { user: locked, result };
  }

  async #usableAppToken(
    user: UserRow,
  ): Promise<{ kind: "token"; accessToken: string } | { kind: "none"; reason: string } | { kind: "unavailable"; retryAfterSeconds: number }> {
    const stored = this.#options.tokenStore.readAppTokens(user);
    if (!stored) return { kind: "none", reason: "no GitHub App token is stored" };
    const freshness = await this.#options.refresher.ensureFresh(user);
    if (freshness.ok) return { kind: "token", accessToken: freshness.tokens.accessToken };
    if (freshness.kind === "unavailable") return { kind: "unavailable", retryAfterSeconds: freshness.retryAfterSeconds };
    // The refresher never refreshes for users whose tokens are retired (e.g. `failed`); re-checking
    // such a user still makes sense while the stored token has not expired.
    if (stored.accessTokenExpiresAt === null || stored.accessTokenExpiresAt > this.#now()) {
      return { kind: "token", accessToken: stored.accessToken };
    }
    return { kind: "none", reason: "the App token has expired and cannot be refreshed" };
  }

  #now(): Date {
    return (this.#options.now ?? (() => new Date()))();
  }
}
