// Builds the token vault's services from configuration: sealing, the store, refresh, resolution,
// keep-alive, key rotation and user Octokits, wired to GitHub through github/.
import type { Logger } from "pino";
import type { AppConfig } from "../config.js";
import type { Models } from "../db/models/index.js";
import { refreshUserToken } from "../github/token-refresh.js";
import type { ConsentLinks } from "../auth/consent-links.js";
import type { FeatureFlags } from "../migration/flags.js";
import { KeyRotation } from "./key-rotation.js";
import { TokenKeepAlive } from "./keep-alive.js";
import { TokenRefresher } from "./refresh.js";
import { TokenResolver } from "./resolution.js";
import { ResolutionOutcomeLog } from "./resolution-outcomes.js";
import { FeatureFlagRolloutPolicy } from "./rollout-policy.js";
import { TokenSealer } from "./sealing.js";
import { observeRateLimit } from "./token-metrics.js";
import { TokenStore } from "./token-store.js";
import { UserOctokitFactory } from "./user-octokit.js";

export interface TokenVault {
  sealer: TokenSealer;
  tokenStore: TokenStore;
  tokenRefresher: TokenRefresher;
  tokenResolver: TokenResolver;
  tokenKeepAlive: TokenKeepAlive;
  keyRotation: KeyRotation;
  userOctokits: UserOctokitFactory;
  /** How resolutions end, per minute, for the rollout guard; flushed to the database by a job. */
  resolutionOutcomes: ResolutionOutcomeLog;
}

export interface CreateTokenVaultOptions {
  config: AppConfig;
  models: Models;
  log: Logger;
  /** The rollout flags (migration/flags.ts), which decide who is served App tokens. */
  flags: FeatureFlags;
  /** Consent links bound to one GitHub account, for reauth_required answers. */
  consentLinks: Pick<ConsentLinks, "createConsentLink">;
}

export function createTokenVault({ config, models, log, flags, consentLinks }: CreateTokenVaultOptions): TokenVault {
  const sealer = new TokenSealer(config.encryptionKeys);
  const tokenStore = new TokenStore({ models, sealer });
  const tokenRefresher = new TokenRefresher({
    models,
    store: tokenStore,
    marginSeconds: config.tokenRefreshMarginSeconds,
    log,
    refreshAtGitHub: (refreshToken) => {
      if (!config.appClientId || !config.appClientSecret) {
        throw new Error("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are required to refresh user tokens");
      }
      return refreshUserToken({
        github: config.github,
        clientId: config.appClientId,
        clientSecret: config.appClientSecret,
        refreshToken,
        timeoutMs: config.githubRequestTimeoutMs,
        onResponseHeaders: observeRateLimit,
      });
    },
  });
  const resolutionOutcomes = new ResolutionOutcomeLog({ models });
  const tokenResolver = new TokenResolver({
    outcomes: resolutionOutcomes,
    models,
    store: tokenStore,
    refresher: tokenRefresher,
    policy: new FeatureFlagRolloutPolicy({ flags }),
    consentUrlFor: (user) => consentLinks.createConsentLink(user.githubId, user.login),
  });
  const client = (clientId: string | null, clientSecret: string | null) =>
    clientId && clientSecret ? { clientId, clientSecret } : null;
  return {
    sealer,
    tokenStore,
    tokenRefresher,
    tokenResolver,
    resolutionOutcomes,
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
