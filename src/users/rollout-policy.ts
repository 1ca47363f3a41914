// Which users get GitHub App tokens and whether legacy OAuth tokens may still be served.
import { createHash } from "node:crypto";
import type { FeatureFlags, FlagValues } from "./flags.js";

export interface RolloutPolicy {
  appTokensAllowedFor(user: { githubId: number; login: string }): Promise<boolean>;
  legacyTokensServedNow(): Promise<boolean>;
}

/** The user's place in the rollout, 0–99, stable across instances and restarts. */
export function rolloutBucket(githubId: number): number {
  return createHash("sha256").update(String(githubId)).digest().readUInt32BE(0) % 100;
}

/** The rollout as the flags say it now; flags are read (and validated) by users/flags.ts. */
export class FeatureFlagRolloutPolicy implements RolloutPolicy {
  readonly #flags: Pick<FeatureFlags, "read">;
  readonly #now: () => Date;

  constructor({ flags, now = () => new Date() }: { flags: Pick<FeatureFlags, "read">; now?: () => Date }) {
    this.#flags = flags;
    this.#now = now;
  }

  async appTokensAllowedFor(user: { githubId: number; login: string }): Promise<boolean> {
    return appTokensAllowedUnder(await this.#flags.read(), user);
  }

  async legacyTokensServedNow(): Promise<boolean> {
    return legacyTokensServedUnder(await this.#flags.read(), this.#now());
  }
}

type RolloutFlags = Pick<FlagValues, "github_app_tokens_enabled" | "github_app_tokens_allow_list" | "github_app_tokens_rollout_percent">;

/** The rollout rule for given flag values (the flag preview asks it of values not yet set). */
export function appTokensAllowedUnder(flags: RolloutFlags, user: { githubId: number; login: string }): boolean {
  if (!flags.github_app_tokens_enabled) return false;
  if (flags.github_app_tokens_allow_list.includes(user.login.toLowerCase())) return true;
  return rolloutBucket(user.githubId) < flags.github_app_tokens_rollout_percent;
}

export function legacyTokensServedUnder(flags: Pick<FlagValues, "oauth_token_deprecation_date">, now: Date): boolean {
  const deprecationDate = flags.oauth_token_deprecation_date;
  return deprecationDate === null || now < deprecationDate;
}
