// Token resolution, what the application's services call (DESIGN.md "Token resolution"): the App
// token when this user may have it (refreshed first when close to expiry), else the legacy OAuth
// token until the deprecation date, else a clear reauth_required answer with the consent URL.
import type { Models } from "../db/models/index.js";
import { UserNotFoundError } from "../users/errors.js";
import { ReauthRequiredError, TokenTemporarilyUnavailableError } from "./errors.js";
import { appTokensRetired, type TokenRefresher } from "./refresh.js";
import type { RolloutPolicy } from "../users/rollout-policy.js";
import { tokenMetrics } from "./token-metrics.js";
import type { ResolutionEnding, TokenActivityRecorder } from "./token-activity.js";
import type { LegacyOAuthToken, TokenStore } from "./token-store.js";
import { UserLookup, type ResolvableUser } from "./user-lookup.js";

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
  /**
   * The account page showing its owner which token the application gets: an inspection, not a use
   * of the token, so it counts nowhere (token_resolutions_total and the fallbacks, the trends, the
   * rollout guard). It resolves (and refreshes) exactly as a use does.
   */
  inspection?: boolean;
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
  /** Told how each resolution ended (the rollout guard's and the trends' figures). */
  activity?: TokenActivityRecorder;
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
  async resolveUserToken(githubId: number, { minValidSeconds = 0, inspection = false }: ResolveOptions = {}): Promise<ResolvedToken> {
    let resolved: ResolvedToken;
    try {
      resolved = await this.#resolve(githubId, minValidSeconds);
    } catch (error) {
      if (!inspection && error instanceof ReauthRequiredError) this.#count({ type: "reauth_required" });
      if (!inspection && error instanceof TokenTemporarilyUnavailableError) this.#count({ type: "unavailable" });
      throw error;
    }
    if (!inspection) this.#count(resolved.type === "oauth" ? { type: "oauth", fallbackReason: resolved.fallbackReason } : { type: "github_app_user" });
    return resolved;
  }

  async #resolve(githubId: number, minValidSeconds: number): Promise<ResolvedToken> {
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
        return { token: freshness.tokens.accessToken, type: "github_app_user", expiresAt: freshness.tokens.accessTokenExpiresAt, login: user.login };
      }
      const fallback = legacy === undefined ? await this.#usableLegacyToken(user) : legacy;
      if (fallback) return this.#fallBack(user, fallback, "app_token_unavailable");
      if (freshness.kind === "unavailable") throw new TokenTemporarilyUnavailableError(githubId, freshness.retryAfterSeconds);
      return this.#reauthRequired(user);
    }
    if (legacy) return this.#fallBack(user, legacy, refusal ?? "no_app_token");
    return this.#reauthRequired(user);
  }

  async #usableLegacyToken(user: ResolvableUser): Promise<LegacyOAuthToken | null> {
    const legacy = this.#options.store.readLegacyToken(user);
    if (!legacy || user.legacyTokenValid === false) return null;
    const now = (this.#options.now ?? (() => new Date()))();
    if (legacy.expiresAt && legacy.expiresAt <= now) return null;
    return (await this.#options.policy.legacyTokensServedNow()) ? legacy : null;
  }

  #fallBack(user: ResolvableUser, legacy: LegacyOAuthToken, reason: FallbackReason): ResolvedToken {
    return { token: legacy.accessToken, type: "oauth", fallbackReason: reason, expiresAt: legacy.expiresAt, login: user.login };
  }

  #reauthRequired(user: ResolvableUser): never {
    throw new ReauthRequiredError(user.githubId, this.#options.consentUrlFor(user));
  }

  /** One count per resolution the application asked for: Prometheus (this process) and the shared activity log. */
  #count(ending: ResolutionEnding): void {
    tokenMetrics.resolutions.inc({ type: ending.type });
    if (ending.type === "oauth") tokenMetrics.fallbacks.inc({ reason: ending.fallbackReason });
    this.#options.activity?.resolved(ending);
  }
}
