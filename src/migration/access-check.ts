// The per-user access check: which repositories the user's legacy OAuth token reads (GET /user/repos,
// capped), which of those a GitHub App user token would reach (from the installations we know: an
// `all` installation covers its account, a `selected` one only its repositories; or, when the user
// already holds an App token, what that token reaches for real), and the rate limit GitHub grants
// each kind of token. Stored per user in user_access_checks; never a token.
import { QueryTypes, type Transaction } from "sequelize";
import type { Models, UserRow } from "../db/models/index.js";
import { TerminalTokenError } from "../github/errors.js";
import type { RateLimitHeaders, RepositoryListing } from "../github/repository-access.js";
import { UserNotFoundError } from "../users/errors.js";
import type { TokenRefresher } from "../tokens/refresh.js";
import type { TokenStore } from "../tokens/token-store.js";

/** What the check needs from GitHub; github/repository-access.ts provides it. */
export interface RepositoryAccessApi {
  listLegacyRepositories(token: string, onRateLimit: (rateLimit: RateLimitHeaders) => void): Promise<RepositoryListing>;
  listAppTokenRepositories(token: string, onRateLimit: (rateLimit: RateLimitHeaders) => void): Promise<RepositoryListing>;
}

/** Sample repository names kept per uncovered account. */
export const MISSING_SAMPLES = 3;

export interface MissingAccount {
  account_id: number;
  account: string;
  account_type: string;
  repositories: number;
  /** A few full names, alphabetically first. */
  samples: string[];
  repository_ids: number[];
}

export interface AccessCheckResult {
  checkedAt: Date;
  outcome: "checked" | "no_legacy_token" | "legacy_token_dead";
  legacyRepositories: number;
  legacyTruncated: boolean;
  coveredRepositories: number;
  coverageSource: "installations" | "app_token";
  appTokenRepositories: number | null;
  missing: MissingAccount[];
  legacyRateLimit: number | null;
  appRateLimit: number | null;
}

export interface AccessCheckerOptions {
  models: Models;
  tokenStore: Pick<TokenStore, "readLegacyToken">;
  refresher: Pick<TokenRefresher, "ensureFresh">;
  api: RepositoryAccessApi;
  now?: () => Date;
}

export class AccessChecker {
  readonly #options: AccessCheckerOptions;

  constructor(options: AccessCheckerOptions) {
    this.#options = options;
  }

  /**
   * Calls GitHub and works out the user's coverage, writing nothing. Throws TransientGitHubError
   * when GitHub cannot answer now (the scan retries the user later).
   */
  async check(user: UserRow, { onRateLimit = () => {} }: { onRateLimit?: (rateLimit: RateLimitHeaders) => void } = {}): Promise<AccessCheckResult> {
    const checkedAt = (this.#options.now ?? (() => new Date()))();
    const empty = { checkedAt, legacyRepositories: 0, legacyTruncated: false, coveredRepositories: 0, missing: [], legacyRateLimit: null };
    const legacy = this.#options.tokenStore.readLegacyToken(user);
    if (!legacy) return { ...empty, outcome: "no_legacy_token", coverageSource: "installations", appTokenRepositories: null, appRateLimit: null };

    let legacyListing: RepositoryListing;
    try {
      legacyListing = await this.#options.api.listLegacyRepositories(legacy.accessToken, onRateLimit);
    } catch (error) {
      if (!(error instanceof TerminalTokenError)) throw error;
      return { ...empty, outcome: "legacy_token_dead", coverageSource: "installations", appTokenRepositories: null, appRateLimit: null };
    }
    const appListing = await this.#appTokenListing(user, onRateLimit);
    const reached = appListing
      ? new Set(appListing.repositories.map((repository) => repository.id))
      : await this.#coveredByInstallations(legacyListing);
    const uncovered = legacyListing.repositories.filter((repository) => !reached.has(repository.id));
    return {
      checkedAt,
      outcome: "checked",
      legacyRepositories: legacyListing.repositories.length,
      legacyTruncated: legacyListing.truncated,
      coveredRepositories: legacyListing.repositories.length - uncovered.length,
      coverageSource: appListing ? "app_token" : "installations",
      appTokenRepositories: appListing ? appListing.repositories.length : null,
      missing: groupByOwner(uncovered),
      legacyRateLimit: legacyListing.rateLimit?.limit ?? null,
      appRateLimit: appListing?.rateLimit?.limit ?? null,
    };
  }

  /** Replaces the user's stored check with this one. */
  async record(user: UserRow, result: AccessCheckResult, transaction?: Transaction): Promise<void> {
    await this.#options.models.sequelize.query(
      `INSERT INTO user_access_checks (user_id, checked_at, outcome, legacy_repositories, legacy_truncated, covered_repositories,
                                       coverage_source, app_token_repositories, missing, legacy_rate_limit, app_rate_limit)
       VALUES (:userId, :checkedAt, :outcome, :legacy, :truncated, :covered, :source, :appRepositories, CAST(:missing AS jsonb), :legacyLimit, :appLimit)
       ON CONFLICT (user_id) DO UPDATE SET
         checked_at = EXCLUDED.checked_at, outcome = EXCLUDED.outcome, legacy_repositories = EXCLUDED.legacy_repositories,
         legacy_truncated = EXCLUDED.legacy_truncated, covered_repositories = EXCLUDED.covered_repositories,
         coverage_source = EXCLUDED.coverage_source, app_token_repositories = EXCLUDED.app_token_repositories,
         missing = EXCLUDED.missing, legacy_rate_limit = EXCLUDED.legacy_rate_limit, app_rate_limit = EXCLUDED.app_rate_limit`,
      {
        replacements: {
          userId: user.id,
          checkedAt: result.checkedAt,
          outcome: result.outcome,
          legacy: result.legacyRepositories,
          truncated: result.legacyTruncated,
          covered: result.coveredRepositories,
          source: result.coverageSource,
          appRepositories: result.appTokenRepositories,
          missing: JSON.stringify(result.missing),
          // A limit GitHub did not send stays unknown rather than 0.
          legacyLimit: result.legacyRateLimit,
          appLimit: result.appRateLimit,
        },
        transaction,
      },
    );
  }

  /** Checks one user now and stores the result (admin API, CLI). */
  async checkAndRecord(githubId: number): Promise<AccessCheckResult> {
    const user = await this.#options.models.User.findOne({ where: { githubId } });
    if (!user) throw new UserNotFoundError(githubId);
    const result = await this.check(user);
    await this.record(user, result);
    return result;
  }

  /** The App token's real reach, when the user holds a usable one; null otherwise (or when GitHub refuses it). */
  async #appTokenListing(user: UserRow, onRateLimit: (rateLimit: RateLimitHeaders) => void): Promise<RepositoryListing | null> {
    if (!user.githubAppUserToken) return null;
    const freshness = await this.#options.refresher.ensureFresh(user);
    if (!freshness.ok) return null;
    try {
      return await this.#options.api.listAppTokenRepositories(freshness.tokens.accessToken, onRateLimit);
    } catch (error) {
      if (error instanceof TerminalTokenError) return null;
      throw error;
    }
  }

  /**
   * Repository ids an App token would reach, from the installations table: an active (not deleted,
   * not suspended) installation on the owner with `all` repositories, or a `selected` one listing it.
   */
  async #coveredByInstallations(listing: RepositoryListing): Promise<Set<number>> {
    const ownerIds = [...new Set(listing.repositories.map((repository) => repository.owner.id))];
    if (ownerIds.length === 0) return new Set();
    const rows = await this.#options.models.sequelize.query<{ account_id: string; repository_selection: string; repository_ids: string[] | null }>(
      `SELECT i.account_id, i.repository_selection,
              array_agg(r.repository_id) FILTER (WHERE r.repository_id IS NOT NULL) AS repository_ids
         FROM installations i
         LEFT JOIN installation_repositories r ON r.installation_id = i.id
        WHERE i.account_id IN (:ownerIds) AND i.deleted_at IS NULL AND i.suspended_at IS NULL
        GROUP BY i.id, i.account_id, i.repository_selection`,
      { replacements: { ownerIds }, type: QueryTypes.SELECT },
    );
    const allOwners = new Set(rows.filter((row) => row.repository_selection === "all").map((row) => Number(row.account_id)));
    const selected = new Set(rows.flatMap((row) => (row.repository_ids ?? []).map(Number)));
    return new Set(
      listing.repositories
        .filter((repository) => allOwners.has(repository.owner.id) || selected.has(repository.id))
        .map((repository) => repository.id),
    );
  }
}

function groupByOwner(repositories: RepositoryListing["repositories"]): MissingAccount[] {
  const byOwner = new Map<number, MissingAccount>();
  for (const repository of [...repositories].sort((a, b) => a.fullName.localeCompare(b.fullName))) {
    const entry = byOwner.get(repository.owner.id) ?? {
      account_id: repository.owner.id,
      account: repository.owner.login,
      account_type: repository.owner.type,
      repositories: 0,
      samples: [],
      repository_ids: [],
    };
    entry.repositories += 1;
    entry.repository_ids.push(repository.id);
    if (entry.samples.length < MISSING_SAMPLES) entry.samples.push(repository.fullName);
    byOwner.set(repository.owner.id, entry);
  }
  return [...byOwner.values()].sort((a, b) => b.repositories - a.repositories || a.account.localeCompare(b.account));
}
