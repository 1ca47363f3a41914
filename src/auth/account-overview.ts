// What the signed-in user's own page shows: which token the application uses for them right now
// (token resolution's answer, never the token), what is stored, and the installations it reaches.
import type { Logger } from "pino";
import type { MigrationStatus, Models } from "../db/models/index.js";
import type { ReachableInstallation } from "../github/user-api.js";
import { ReauthRequiredError, TokenTemporarilyUnavailableError } from "../tokens/errors.js";
import type { FallbackReason, TokenResolver } from "../tokens/resolution.js";
import type { TokenStore } from "../tokens/token-store.js";
import type { UserAuthorizationCalls } from "../github/github-clients.js";

export type TokenInUse =
  | { kind: "github_app_user"; expiresAt: Date | null }
  | { kind: "oauth"; expiresAt: Date | null; fallbackReason: FallbackReason }
  | { kind: "reauth_required" }
  | { kind: "unavailable"; retryAfterSeconds: number };

export interface AccountOverview {
  githubId: number;
  login: string;
  status: MigrationStatus;
  tokenInUse: TokenInUse;
  appToken: { expiresAt: Date | null; refreshTokenExpiresAt: Date | null } | null;
  hasLegacyToken: boolean;
  /** Null when they cannot be listed: no App token in use, or GitHub did not answer. */
  installations: ReachableInstallation[] | null;
}

interface AccountOverviewsOptions {
  models: Models;
  tokenStore: TokenStore;
  resolver: TokenResolver;
  github: Pick<UserAuthorizationCalls, "listInstallations">;
  log: Logger;
}

export class AccountOverviews {
  readonly #options: AccountOverviewsOptions;

  constructor(options: AccountOverviewsOptions) {
    this.#options = options;
  }

  /** Null when no user has this GitHub id (a session outliving its user). */
  async describe(githubId: number): Promise<AccountOverview | null> {
    const { models, tokenStore } = this.#options;
    const user = await models.User.findOne({ where: { githubId } });
    if (!user) return null;
    const { tokenInUse, appAccessToken } = await this.#tokenInUse(githubId);
    // Resolution may have refreshed the pair; show what is stored now.
    await user.reload();
    const stored = tokenStore.readAppTokens(user);
    return {
      githubId,
      login: user.login,
      status: user.tokenMigrationStatus,
      tokenInUse,
      appToken: stored ? { expiresAt: stored.accessTokenExpiresAt, refreshTokenExpiresAt: stored.refreshTokenExpiresAt } : null,
      hasLegacyToken: tokenStore.readLegacyToken(user) !== null,
      installations: appAccessToken ? await this.#installations(appAccessToken, user.login) : null,
    };
  }

  async #tokenInUse(githubId: number): Promise<{ tokenInUse: TokenInUse; appAccessToken: string | null }> {
    try {
      // The owner looking at their page is not the application using the token: counted nowhere.
      const resolved = await this.#options.resolver.resolveUserToken(githubId, { inspection: true });
      return {
        tokenInUse:
          resolved.type === "oauth"
            ? { kind: "oauth", expiresAt: resolved.expiresAt, fallbackReason: resolved.fallbackReason }
            : { kind: "github_app_user", expiresAt: resolved.expiresAt },
        appAccessToken: resolved.type === "github_app_user" ? resolved.token : null,
      };
    } catch (error) {
      if (error instanceof ReauthRequiredError) return { tokenInUse: { kind: "reauth_required" }, appAccessToken: null };
      if (error instanceof TokenTemporarilyUnavailableError) {
        return { tokenInUse: { kind: "unavailable", retryAfterSeconds: error.retryAfterSeconds }, appAccessToken: null };
      }
      throw error;
    }
  }

  async #installations(accessToken: string, login: string): Promise<ReachableInstallation[] | null> {
    try {
      return await this.#options.github.listInstallations(accessToken);
    } catch (error) {
      this.#options.log.warn(
        { event: "account.installations_unavailable", login, error_code: (error as { code?: unknown }).code ?? null },
        "could not list installations for the account page",
      );
      return null;
    }
  }
}
