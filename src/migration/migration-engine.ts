// Builds the migration engine's services from configuration and the token vault: flags, legacy
// import, batches, validation, rollback, cleanup and the maintainers' views, wired to GitHub
// through github/.
import type { Logger } from "pino";
import type { AuthServices } from "../auth/auth-services.js";
import type { AppConfig } from "../config.js";
import type { Models } from "../db/models/index.js";
import type { OAuthClients } from "../github/client-credentials.js";
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
  oauthClients: OAuthClients;
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
  oauthClients,
}: CreateMigrationEngineOptions): MigrationEngine {
  const { github, githubRequestTimeoutMs: timeoutMs } = config;
  const legacy = oauthClients.legacy ? new OAuthAppCredentials({ github, credentials: oauthClients.legacy, timeoutMs }) : null;
  // Batches and validation refresh App tokens and check legacy ones; cleanup revokes legacy grants.
  // Each asks GitHub about the credentials first, so a wrong secret refuses the run instead of
  // reading GitHub's 404s as dead tokens.
  const appCredentialsGood = async () => {
    await oauthClients.app?.requireKnownGood();
  };
  const allCredentialsGood = async () => {
    await appCredentialsGood();
    await oauthClients.legacy?.requireKnownGood();
  };
  const userValidator = new UserValidator({
    models,
    tokenStore,
    credentialsGood: appCredentialsGood,
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
      credentialsGood: allCredentialsGood,
      consentLinks: {
        consentUrl: async (user) => createConsentLink(user.githubId, user.login),
        installUrl: async (accountId) => {
          const slug = await appSlug();
          return slug ? `${github.webBaseUrl}/apps/${encodeURIComponent(slug)}/installations/new/permissions?suggested_target_id=${accountId}` : null;
        },
      },
      log,
    }),
    migrationRollback: new MigrationRollback({ models, flags }),
    legacyCleanup: new LegacyCleanup({
      models,
      tokenStore,
      flags,
      revokeLegacyGrant: legacy ? (token) => legacy.deleteGrant(token) : null,
      credentialsGood: async () => {
        await oauthClients.legacy?.requireKnownGood();
      },
    }),
    userDirectory: new UserDirectory({ models }),
  };
}
