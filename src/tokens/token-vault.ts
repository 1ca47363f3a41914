// Builds the token vault's services from configuration: sealing, the store, refresh, resolution,
// keep-alive, key rotation and user Octokits, wired to GitHub through github/.
import type { Logger } from "pino";
import type { AppConfig } from "../config.js";
import type { Models } from "../db/models/index.js";
import type { OAuthClientCredentials } from "../github/client-credentials.js";
import { refreshUserToken } from "../github/token-refresh.js";
import type { ConsentLinks } from "../auth/consent-links.js";
import type { FeatureFlags } from "../migration/flags.js";
import { KeyRotation } from "./key-rotation.js";
import { TokenKeepAlive } from "./keep-alive.js";
import { TokenRefresher } from "./refresh.js";
import { TokenResolver } from "./resolution.js";
import { FeatureFlagRolloutPolicy } from "./rollout-policy.js";
import { TokenSealer } from "./sealing.js";
import { observeRateLimit } from "./token-metrics.js";
import { TokenStore, type IssuedUserTokens } from "./token-store.js";
import { UserOctokitFactory } from "./user-octokit.js";

export interface TokenVault {
  sealer: TokenSealer;
  tokenStore: TokenStore;
  tokenRefresher: TokenRefresher;
  tokenResolver: TokenResolver;
  tokenKeepAlive: TokenKeepAlive;
  keyRotation: KeyRotation;
  userOctokits: UserOctokitFactory;
  /** One refresh at GitHub with the App's client credentials (secrets tried in order), outside any row lock. */
  refreshAtGitHub: (refreshToken: string) => Promise<IssuedUserTokens>;
}

export interface CreateTokenVaultOptions {
  config: AppConfig;
  models: Models;
  log: Logger;
  /** The rollout flags (migration/flags.ts), which decide who is served App tokens. */
  flags: FeatureFlags;
  /** Consent links bound to one GitHub account, for reauth_required answers. */
  consentLinks: Pick<ConsentLinks, "createConsentLink">;
  /** The App's OAuth client; refreshes try its secrets in order. */
  appClient: OAuthClientCredentials | null;
}

export function createTokenVault({ config, models, log, flags, consentLinks, appClient }: CreateTokenVaultOptions): TokenVault {
  const sealer = new TokenSealer(config.encryptionKeys);
  const tokenStore = new TokenStore({ models, sealer });
  const refreshAtGitHub = async (refreshToken: string) => {
    if (!appClient) throw new Error("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are required to refresh user tokens");
    // Wrong client credentials (ClientCredentialsError, a GitHubRequestRejectedError) say nothing
    // about the user's tokens: the refresher backs off and keeps the pair.
    return appClient.withSecretFallback((clientSecret) =>
      refreshUserToken({
        github: config.github,
        clientId: appClient.settings.clientId,
        clientSecret,
        refreshToken,
        timeoutMs: config.githubRequestTimeoutMs,
        onResponseHeaders: observeRateLimit,
      }),
    );
  };
  const tokenRefresher = new TokenRefresher({
    models,
    store: tokenStore,
    marginSeconds: config.tokenRefreshMarginSeconds,
    log,
    refreshAtGitHub,
  });
  const tokenResolver = new TokenResolver({
    models,
    store: tokenStore,
    refresher: tokenRefresher,
    policy: new FeatureFlagRolloutPolicy({ flags }),
    consentUrlFor: (user) => consentLinks.createConsentLink(user.githubId, user.login),
  });
  const client = (clientId: string | null, clientSecret: string | null) =>
    clientId && clientSecret ? { clientId, clientSecret } : null;
  return {
    refreshAtGitHub,
    sealer,
    tokenStore,
    tokenRefresher,
    tokenResolver,
    tokenKeepAlive: new TokenKeepAlive({
      models,
      refresher: tokenRefresher,
      marginSeconds: config.tokenRefreshMarginSeconds,
      intervalSeconds: config.keepAliveIntervalSeconds,
    }),
    keyRotation: new KeyRotation({ models, store: tokenStore, sealer }),
    userOctokits: new UserOctokitFactory({
      resolver: tokenResolver,
      github: config.github,
      appClient: client(config.appClientId, config.appClientSecret),
      legacyClient: client(config.legacyClientId, config.legacyClientSecret),
    }),
  };
}
