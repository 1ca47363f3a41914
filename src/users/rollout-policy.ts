// Which users get GitHub App tokens and whether legacy OAuth tokens may still be served.
import { createHash } from "node:crypto";
import type { FeatureFlags } from "./flags.js";

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
    const flags = await this.#flags.read();
    if (!flags.github_app_tokens_enabled) return "app_tokens_disabled";
    if (flags.github_app_tokens_allow_list.includes(user.login.toLowerCase())) return null;
    return rolloutBucket(user.githubId) < flags.github_app_tokens_rollout_percent ? null : "not_in_rollout";
  }

  async legacyTokensServedNow(): Promise<boolean> {
    const deprecationDate = (await this.#flags.read()).oauth_token_deprecation_date;
    return deprecationDate === null || this.#now() < deprecationDate;
  }
}
