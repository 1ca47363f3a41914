// Which users get GitHub App tokens and whether legacy OAuth tokens may still be served.
import { createHash } from "node:crypto";
import type { FeatureFlags, FlagValues } from "./flags.js";

/** Why the flags keep a user on the legacy token: App tokens are off for everyone, or the user is outside the rollout. */
export type RolloutRefusal = "app_tokens_disabled" | "not_in_rollout";

export interface RolloutPolicy {
  /** Null when the flags allow App tokens for this user, else why not. */
  appTokensRefusedFor(user: { githubId: number; login: string }): Promise<RolloutRefusal | null>;
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

  async appTokensRefusedFor(user: { githubId: number; login: string }): Promise<RolloutRefusal | null> {
    return appTokensRefusedUnder(await this.#flags.read(), user);
  }

  async legacyTokensServedNow(): Promise<boolean> {
    return legacyTokensServedUnder(await this.#flags.read(), this.#now());
  }
}

type RolloutFlags = Pick<FlagValues, "github_app_tokens_enabled" | "github_app_tokens_allow_list" | "github_app_tokens_rollout_percent">;

/** The rollout rule for given flag values (the flag preview asks it of values not yet set): null when App tokens are allowed. */
export function appTokensRefusedUnder(flags: RolloutFlags, user: { githubId: number; login: string }): RolloutRefusal | null {
  if (!flags.github_app_tokens_enabled) return "app_tokens_disabled";
  if (flags.github_app_tokens_allow_list.includes(user.login.toLowerCase())) return null;
  return rolloutBucket(user.githubId) < flags.github_app_tokens_rollout_percent ? null : "not_in_rollout";
}

export function appTokensAllowedUnder(flags: RolloutFlags, user: { githubId: number; login: string }): boolean {
  return appTokensRefusedUnder(flags, user) === null;
}

export function legacyTokensServedUnder(flags: Pick<FlagValues, "oauth_token_deprecation_date">, now: Date): boolean {
  const deprecationDate = flags.oauth_token_deprecation_date;
  return deprecationDate === null || now < deprecationDate;
}
