// The impact of a flag change before it is made: for every user, which token resolution would serve
// today and under the proposed value (from the rows alone: no GitHub call, no write), and, from the
// last readiness data, who would switch to an App token that misses repositories they read today.
import { QueryTypes } from "sequelize";
import type { MigrationStatus, Models } from "../db/models/index.js";
import { appTokensRetired } from "../tokens/refresh.js";
import { appTokensAllowedUnder, legacyTokensServedUnder } from "../users/rollout-policy.js";
import { parseFlagName, parseFlagValue, type FeatureFlags, type FlagValues } from "../users/flags.js";

export interface FlagImpact {
  /** Served the legacy OAuth token today, the App token after the change. */
  switch_to_app: number;
  /** Served the App token today, the legacy OAuth token after the change. */
  switch_to_oauth: number;
  /** Served a token today, none after (reauth_required). */
  lose_token: number;
  /** Of those switching to the App token, users whose last access check found repositories it would not reach. */
  lose_repository_access: number;
}

type Served = "app" | "oauth" | "none";

interface UserServingFacts {
  id: string;
  github_id: string;
  login: string;
  status: MigrationStatus;
  has_app_token: boolean;
  has_legacy_token: boolean;
  legacy_token_valid: boolean | null;
  legacy_expires_at: string | null;
  losing_access: boolean;
}

const PAGE_SIZE = 2000;

export class FlagPreview {
  readonly #models: Models;
  readonly #flags: Pick<FeatureFlags, "read">;
  readonly #now: () => Date;

  constructor({ models, flags, now = () => new Date() }: { models: Models; flags: Pick<FeatureFlags, "read">; now?: () => Date }) {
    this.#models = models;
    this.#flags = flags;
    this.#now = now;
  }

  /** Throws UnknownFlagError or InvalidFlagValueError as setting the value would. */
  async preview(name: string, value: unknown): Promise<FlagImpact> {
    const flagName = parseFlagName(name);
    const current = await this.#flags.read();
    const proposed: FlagValues = { ...current, [flagName]: parseFlagValue(flagName, value) };
    const now = this.#now();
    const impact: FlagImpact = { switch_to_app: 0, switch_to_oauth: 0, lose_token: 0, lose_repository_access: 0 };
    for (let afterId = "0"; ; ) {
      const users = await this.#page(afterId);
      for (const user of users) {
        const before = servedUnder(current, user, now);
        const after = servedUnder(proposed, user, now);
        if (before === "oauth" && after === "app") {
          impact.switch_to_app += 1;
          if (user.losing_access) impact.lose_repository_access += 1;
        }
        if (before === "app" && after === "oauth") impact.switch_to_oauth += 1;
        if (before !== "none" && after === "none") impact.lose_token += 1;
      }
      if (users.length < PAGE_SIZE) return impact;
      afterId = users.at(-1)!.id;
    }
  }

  /** Only what resolution decides on; never a token. */
  #page(afterId: string): Promise<UserServingFacts[]> {
    return this.#models.sequelize.query<UserServingFacts>(
      `SELECT u.id, u.github_id, u.login, u.token_migration_status AS status,
              u.github_app_user_token IS NOT NULL AS has_app_token,
              u.provider_info->>'access_token' IS NOT NULL AS has_legacy_token,
              u.legacy_token_valid, u.provider_info->>'expires_at' AS legacy_expires_at,
              COALESCE(c.covered_repositories < c.legacy_repositories, false) AS losing_access
         FROM users u LEFT JOIN user_access_checks c ON c.user_id = u.id
        WHERE u.id > :afterId
        ORDER BY u.id
        LIMIT :limit`,
      { replacements: { afterId, limit: PAGE_SIZE }, type: QueryTypes.SELECT },
    );
  }
}

/** Token resolution's decision (tokens/resolution.ts) for given flags, assuming a stored App token refreshes. */
function servedUnder(flags: FlagValues, user: UserServingFacts, now: Date): Served {
  const identity = { githubId: Number(user.github_id), login: user.login };
  const hasAppToken = user.has_app_token && !appTokensRetired(user.status);
  const appAllowed = hasAppToken && user.status !== "rolled_back" && appTokensAllowedUnder(flags, identity);
  const legacyExpired = user.legacy_expires_at !== null && new Date(user.legacy_expires_at) <= now;
  const legacyUsable = user.has_legacy_token && user.legacy_token_valid !== false && !legacyExpired && legacyTokensServedUnder(flags, now);
  if (hasAppToken && (appAllowed || !legacyUsable)) return "app";
  return legacyUsable ? "oauth" : "none";
}
