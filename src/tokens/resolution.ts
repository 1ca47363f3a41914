// Token resolution, what the application's services call (DESIGN.md "Token resolution"): the App
// token when this user may have it (refreshed first when close to expiry), else the legacy OAuth
// token until the deprecation date, else a clear reauth_required answer with the consent URL.
import type { Models, UserRow } from "../db/models/index.js";
import { UserNotFoundError } from "../users/errors.js";
import { ReauthRequiredError, TokenTemporarilyUnavailableError } from "./errors.js";
import { appTokensRetired, type TokenRefresher } from "./refresh.js";
import type { RolloutPolicy } from "../users/rollout-policy.js";
import { tokenMetrics } from "./token-metrics.js";
import type { ResolutionOutcomeRecorder } from "./resolution-outcomes.js";
import type { LegacyOAuthToken, TokenStore } from "./token-store.js";
import { UserLookup } from "./user-lookup.js";

export type ResolvedTokenType = "github_app_user" | "oauth";

/**
 * Why a user is served their legacy OAuth token: App tokens are off for everyone, the user is outside
 * the rollout, a maintainer rolled this user back, the user has no App token yet, or their App token
 * cannot be used just now (its refresh failed).
 */
export const FALLBACK_REASONS = ["app_tokens_disabled", "not_in_rollout", "rolled_back", "no_app_token", "app_token_unavailable"] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** Never anything secret besides the token itself. */
export type ResolvedToken = {
  token: string;
  expiresAt: Date | null;
  login: string;
} & ({ type: "github_app_user" } | { type: "oauth"; fallbackReason: FallbackReason });

interface ResolveOptions {
  /** Refresh first when the App token expires sooner than this (the margin applies anyway). */
  minValidSeconds?: number;
}

interface TokenResolverOptions {
  models: Models;
  store: TokenStore;
  refresher: TokenRefresher;
  policy: RolloutPolicy;
  /**
   * Where this user is sent to authorize the GitHub App again: a consent link bound to their GitHub
   * account (auth/consent-links.ts), so the sign-in it starts refuses any other account.
   */
  consentUrlFor: (user: { githubId: number; login: string }) => string;
  /** Told how each resolution ended (the rollout guard's figures). */
  outcomes?: ResolutionOutcomeRecorder;
  now?: () => Date;
}

export class TokenResolver {
  readonly #options: TokenResolverOptions;
  readonly #users: UserLookup;

  constructor(options: TokenResolverOptions) {
    this.#options = options;
    this.#users = new UserLookup({ models: options.models });
  }

  /** Throws UserNotFoundError, ReauthRequiredError or TokenTemporarilyUnavailableError. */
  async resolveUserToken(githubId: number, { minValidSeconds = 0 }: ResolveOptions = {}): Promise<ResolvedToken> {
    const { policy } = this.#options;
    // The one query of a resolution: the flags come from memory (users/flags.ts).
    const user = await this.#users.byGithubId(githubId);
    if (!user) throw new UserNotFoundError(githubId);

    const hasAppToken = user.githubAppUserToken !== null && !appTokensRetired(user.tokenMigrationStatus);
    const refusal: FallbackReason | null = !hasAppToken
      ? "no_app_token"
      : user.tokenMigrationStatus === "rolled_back"
        ? "rolled_back"
        : await policy.appTokensRefusedFor(user);
    const appAllowed = refusal === null;
    // The legacy token is looked at only when it may be needed: most calls are served the App token.
    const legacy = appAllowed ? undefined : await this.#usableLegacyToken(user);

    // A user who only ever signed in through the App gets the App token whatever the flags say.
    if (hasAppToken && (appAllowed || !legacy)) {
      const freshness = await this.#options.refresher.ensureFresh(user, minValidSeconds);
      if (freshness.ok) {
        tokenMetrics.resolutions.inc({ type: "github_app_user" });
        this.#options.outcomes?.record("served");
        return { token: freshness.tokens.accessToken, type: "github_app_user", expiresAt: freshness.tokens.accessTokenExpiresAt, login: user.login };
      }
      const fallback = legacy === undefined ? await this.#usableLegacyToken(user) : legacy;
      if (fallback) return this.#fallBack(user, fallback, "app_token_unavailable");
      if (freshness.kind === "unavailable") {
        tokenMetrics.resolutions.inc({ type: "unavailable" });
        this.#options.outcomes?.record("refresh_failed");
        throw new TokenTemporarilyUnavailableError(githubId, freshness.retryAfterSeconds);
      }
      return this.#reauthRequired(user);
    }
    if (legacy) return this.#fallBack(user, legacy, refusal ?? "no_app_token");
    return this.#reauthRequired(user);
  }

  async #usableLegacyToken(user: UserRow): Promise<LegacyOAuthToken | null> {
    const legacy = this.#options.store.readLegacyToken(user);
    if (!legacy || user.legacyTokenValid === false) return null;
    const now = (this.#options.now ?? (() => new Date()))();
    if (legacy.expiresAt && legacy.expiresAt <= now) return null;
    return (await this.#options.policy.legacyTokensServedNow()) ? legacy : null;
  }

  #fallBack(user: UserRow, legacy: LegacyOAuthToken, reason: FallbackReason): ResolvedToken {
    tokenMetrics.fallbacks.inc({ reason });
    tokenMetrics.resolutions.inc({ type: "oauth" });
    // Served, but after the App token could not be refreshed: the guard counts that as a failure.
    this.#options.outcomes?.record(reason === "app_token_unavailable" ? "refresh_failed" : "served");
    return { token: legacy.accessToken, type: "oauth", fallbackReason: reason, expiresAt: legacy.expiresAt, login: user.login };
  }

  #reauthRequired(user: UserRow): never {
    tokenMetrics.resolutions.inc({ type: "reauth_required" });
    this.#options.outcomes?.record("reauth_required");
    throw new ReauthRequiredError(user.githubId, this.#options.consentUrlFor(user));
  }
}
