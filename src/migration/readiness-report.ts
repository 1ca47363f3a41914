// What the readiness data says: how many users would keep every repository they read today, which
// accounts lack the App (with GitHub's install link), each user's last check, and the users whose
// rate limit would drop after the switch. Read from user_access_checks; calls GitHub only for the
// App's slug (asked once per instance).
import { QueryTypes } from "sequelize";
import type { Models } from "../db/models/index.js";
import { UserNotFoundError } from "../users/errors.js";
import { AccessNotCheckedError } from "./errors.js";
import type { ReadinessScan, ScanProgress } from "./readiness-scan.js";

export interface AccountMissingInstallation {
  account: string;
  users: number;
  repositories: number;
  /** null when the App's slug cannot be learned from GitHub just now. */
  install_url: string | null;
}

export interface ReadinessSummary {
  users_checked: number;
  users_fully_covered: number;
  users_losing_access: number;
  scan: ScanProgress;
  accounts_missing_installation: AccountMissingInstallation[];
}

export interface UserAccess {
  checked_at: string;
  legacy_repositories: number;
  covered_repositories: number;
  missing: Array<{ account: string; repositories: number; install_url: string | null; samples: string[] }>;
  /** Whether the legacy token's list was cut at the cap, and where coverage came from. */
  legacy_truncated: boolean;
  coverage_source: "installations" | "app_token";
  outcome: "checked" | "no_legacy_token" | "legacy_token_dead";
  rate_limits: { legacy: number | null; app: number | null };
}

export interface RateLimitDrop {
  github_id: number;
  login: string;
  legacy_rate_limit: number;
  app_rate_limit: number;
  checked_at: string;
}

export interface ReadinessReportOptions {
  models: Models;
  scan: Pick<ReadinessScan, "progress">;
  /** GitHub's install link for an account (github/install-links.ts); null while the App's slug is unknown. */
  installUrl: (accountId: number) => Promise<string | null>;
}

interface AccountRow {
  account_id: string;
  account: string;
  users: number;
  repositories: number;
}

/** Accounts listed at most; beyond this the list is cut (the counts above it stay whole). */
const ACCOUNTS_LIMIT = 1000;
const DROPS_LIMIT = 200;

export class ReadinessReport {
  readonly #options: ReadinessReportOptions;

  /** The last aggregate of accounts missing the App, and the state of the checks it was read from. */
  #accounts: { version: string; rows: AccountRow[] } | null = null;

  constructor(options: ReadinessReportOptions) {
    this.#options = options;
  }

  async summary(): Promise<ReadinessSummary> {
    const { models, scan } = this.#options;
    const [[counts], accounts, progress] = await Promise.all([
      models.sequelize.query<{ checked: number; covered: number; losing: number }>(
        `SELECT count(*)::int AS checked,
                count(*) FILTER (WHERE covered_repositories = legacy_repositories)::int AS covered,
                count(*) FILTER (WHERE covered_repositories < legacy_repositories)::int AS losing
           FROM user_access_checks`,
        { type: QueryTypes.SELECT },
      ),
      this.#accountsMissingInstallation(),
      scan.progress(),
    ]);
    const installUrls = await this.#installUrls(accounts.map((row) => Number(row.account_id)));
    return {
      users_checked: counts?.checked ?? 0,
      users_fully_covered: counts?.covered ?? 0,
      users_losing_access: counts?.losing ?? 0,
      scan: progress,
      accounts_missing_installation: accounts.map((row) => ({
        account: row.account,
        users: row.users,
        repositories: row.repositories,
        install_url: installUrls.get(Number(row.account_id)) ?? null,
      })),
    };
  }

  /**
   * Accounts missing the App, most users first. Unnesting every check's list of missing repositories
   * costs a few hundred milliseconds at 100,000 users (docs/benchmarks.md, row 7), so the answer is
   * kept until a check listing missing accounts is added, changed or removed, which the rows' count
   * and row versions (read through migration 0022's index) tell at once. Read before the aggregate,
   * so a change that lands in between only makes the next call aggregate again.
   */
  async #accountsMissingInstallation(): Promise<AccountRow[]> {
    const { models } = this.#options;
    const [state] = await models.sequelize.query<{ version: string }>(
      `SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) AS version FROM user_access_checks WHERE missing <> '[]'::jsonb`,
      { type: QueryTypes.SELECT },
    );
    if (this.#accounts && this.#accounts.version === state!.version) return this.#accounts.rows;
    const rows = await models.sequelize.query<AccountRow>(
      `SELECT entry->>'account_id' AS account_id,
              (array_agg(entry->>'account' ORDER BY c.checked_at DESC))[1] AS account,
              count(DISTINCT c.user_id)::int AS users,
              count(DISTINCT repository_id)::int AS repositories
         FROM user_access_checks c
         CROSS JOIN LATERAL jsonb_array_elements(c.missing) AS entry
         CROSS JOIN LATERAL jsonb_array_elements_text(entry->'repository_ids') AS repository_id
        -- Changes no answer (an empty list unnests to nothing); reads only these rows (an index, 0022).
        WHERE c.missing <> '[]'::jsonb
        GROUP BY entry->>'account_id'
        ORDER BY users DESC, repositories DESC, account ASC
        LIMIT :limit`,
      { replacements: { limit: ACCOUNTS_LIMIT }, type: QueryTypes.SELECT },
    );
    this.#accounts = { version: state!.version, rows };
    return rows;
  }

  /** Throws UserNotFoundError, or AccessNotCheckedError before the user's first check. */
  async userAccess(githubId: number): Promise<UserAccess> {
    const { models } = this.#options;
    const [row] = await models.sequelize.query<{
      user_id: string | null;
      checked_at: Date | null;
      outcome: UserAccess["outcome"];
      legacy_repositories: number;
      legacy_truncated: boolean;
      covered_repositories: number;
      coverage_source: UserAccess["coverage_source"];
      missing: Array<{ account_id: number; account: string; repositories: number; samples: string[] }>;
      legacy_rate_limit: number | null;
      app_rate_limit: number | null;
    }>(
      `SELECT c.user_id, c.checked_at, c.outcome, c.legacy_repositories, c.legacy_truncated, c.covered_repositories,
              c.coverage_source, c.missing, c.legacy_rate_limit, c.app_rate_limit
         FROM users u LEFT JOIN user_access_checks c ON c.user_id = u.id
        WHERE u.github_id = :githubId`,
      { replacements: { githubId }, type: QueryTypes.SELECT },
    );
    if (!row) throw new UserNotFoundError(githubId);
    if (row.user_id === null || row.checked_at === null) throw new AccessNotCheckedError(githubId);
    const installUrls = await this.#installUrls(row.missing.map((entry) => entry.account_id));
    return {
      checked_at: new Date(row.checked_at).toISOString(),
      legacy_repositories: row.legacy_repositories,
      covered_repositories: row.covered_repositories,
      missing: row.missing.map((entry) => ({
        account: entry.account,
        repositories: entry.repositories,
        install_url: installUrls.get(entry.account_id) ?? null,
        samples: entry.samples,
      })),
      legacy_truncated: row.legacy_truncated,
      coverage_source: row.coverage_source,
      outcome: row.outcome,
      rate_limits: { legacy: row.legacy_rate_limit, app: row.app_rate_limit },
    };
  }

  /** Users whose App token is granted a lower hourly limit than their legacy token (both seen at GitHub). */
  async rateLimitDrops(): Promise<{ users: number; drops: RateLimitDrop[] }> {
    const { models } = this.#options;
    const rows = await models.sequelize.query<{ github_id: string; login: string; legacy_rate_limit: number; app_rate_limit: number; checked_at: Date; total: number }>(
      `SELECT u.github_id, u.login, c.legacy_rate_limit, c.app_rate_limit, c.checked_at, count(*) OVER ()::int AS total
         FROM user_access_checks c JOIN users u ON u.id = c.user_id
        -- The expression the index of 0022 holds: its statistics tell the planner how few rows match.
        WHERE c.legacy_rate_limit - c.app_rate_limit > 0
        ORDER BY c.legacy_rate_limit - c.app_rate_limit DESC, u.login ASC
        LIMIT :limit`,
      { replacements: { limit: DROPS_LIMIT }, type: QueryTypes.SELECT },
    );
    return {
      users: rows[0]?.total ?? 0,
      drops: rows.map((row) => ({
        github_id: Number(row.github_id),
        login: row.login,
        legacy_rate_limit: row.legacy_rate_limit,
        app_rate_limit: row.app_rate_limit,
        checked_at: new Date(row.checked_at).toISOString(),
      })),
    };
  }

  /** GitHub's install link per account id (GitHub is asked for the App's slug only when there is a link to build). */
  async #installUrls(accountIds: number[]): Promise<Map<number, string | null>> {
    const links = await Promise.all(accountIds.map(async (accountId) => [accountId, await this.#options.installUrl(accountId).catch(() => null)] as const));
    return new Map(links);
  }
}
