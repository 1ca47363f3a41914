// Builds the migration engine's services from configuration and the token vault: flags, legacy
// import, batches, validation, rollback, cleanup and the maintainers' views, wired to GitHub
// through github/.
import type { Logger } from "pino";
import type { AuthServices } from "../auth/auth-services.js";
import type { AppConfig } from "../config.js";
import type { Models } from "../db/models/index.js";
import { appInstallUrl } from "../github/install-links.js";
import { OAuthAppCredentials } from "../github/oauth-app-credentials.js";
import { getAuthenticatedUser, listUserInstallations } from "../github/user-api.js";
import type { TokenVault } from "../tokens/token-vault.js";
import { MigrationBatches } from "./batches.js";
import { LegacyCleanup } from "./cleanup.js";
import { FeatureFlags } from "./flags.js";
import { LegacyImporter } from "./legacy-import.js";
import { MigrationRollback } from "./rollback.js";
import { UserDirectory } from "./user-directory.js";
import { UserValidator } from "./validation.js";

export interface MigrationEngine {
  flags: FeatureFlags;
  legacyImporter: LegacyImporter;
  userValidator: UserValidator;
  migrationBatches: MigrationBatches;
  migrationRollback: MigrationRollback;
  legacyCleanup: LegacyCleanup;
  userDirectory: UserDirectory;
}

export interface CreateMigrationEngineOptions
  extends Pick<TokenVault, "tokenStore" | "tokenRefresher">,
    Pick<AuthServices, "createConsentLink"> {
  config: AppConfig;
  models: Models;
  log: Logger;
  /**
   * The GitHub App's slug, for install links (GET /app answers it). Without it consent
   * notifications carry no install link.
   */
  appSlug?: () => Promise<string | null>;
  flags: FeatureFlags;
  /** Pauses running batches while it is tripped (migration/rollout-guard.ts). */
  rolloutGuard?: { isTripped(): Promise<boolean> };
}

export function createMigrationEngine({
  config,
  models,
  log,
  tokenStore,
  tokenRefresher,
  createConsentLink,
  appSlug = async () => null,
  flags,
  rolloutGuard,
}: CreateMigrationEngineOptions): MigrationEngine {
  const { github, githubRequestTimeoutMs: timeoutMs } = config;
  const legacy =
    config.legacyClientId && config.legacyClientSecret
      ? new OAuthAppCredentials({
          github,
          client: { clientId: config.legacyClientId, clientSecret: config.legacyClientSecret, clientType: "oauth-app" },
          timeoutMs,
        })
      : null;
  const userValidator = new UserValidator({
    models,
    tokenStore,
    refresher: tokenRefresher,
    userApi: {
      getAuthenticatedUser: async (token) => ({ ...(await getAuthenticatedUser({ github, token, timeoutMs })), rateLimit: null }),
      listUserInstallations: async (token) => ({
        installationIds: (await listUserInstallations({ github, token, timeoutMs })).map((installation) => installation.id),
        rateLimit: null,
      }),
    },
  });
  return {
    flags,
    legacyImporter: new LegacyImporter({ models, tokenStore }),
    userValidator,
    migrationBatches: new MigrationBatches({
      models,
      tokenStore,
      flags,
      validator: userValidator,
      checkLegacyToken: legacy ? (token) => legacy.checkToken(token) : null,
      consentLinks: {
        consentUrl: async (user) => createConsentLink(user.githubId, user.login),
        installUrl: async (accountId) => {
          const slug = await appSlug();
          return slug ? appInstallUrl(github, slug, accountId) : null;
        },
      },
      log,
      guard: rolloutGuard,
    }),
    migrationRollback: new MigrationRollback({ models, flags }),
    legacyCleanup: new LegacyCleanup({
      models,
      tokenStore,
      flags,
      revokeLegacyGrant: legacy ? (token) => legacy.deleteGrant(token) : null,
    }),
    userDirectory: new UserDirectory({ models }),
  };
}
