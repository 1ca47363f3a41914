// Which users get GitHub App tokens and whether legacy OAuth tokens may still be served.
import { createHash } from "node:crypto";
import type { FeatureFlags } from "./flags.js";

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
    const flags = await this.#flags.read();
    if (!flags.github_app_tokens_enabled) return false;
    if (flags.github_app_tokens_allow_list.includes(user.login.toLowerCase())) return true;
    return rolloutBucket(user.githubId) < flags.github_app_tokens_rollout_percent;
  }

  async legacyTokensServedNow(): Promise<boolean> {
    const deprecationDate = (await this.#flags.read()).oauth_token_deprecation_date;
    return deprecationDate === null || this.#now() < deprecationDate;
  }
}
