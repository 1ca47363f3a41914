// The composition root: builds every service once from configuration and the database, so the
// Probot app function, the jobs and the CLI all share the same objects.
import type { Logger } from "pino";
import { createAuthServices, type AuthServices } from "./auth/auth-services.js";
import { ConsentLinks } from "./auth/consent-links.js";
import { MaintainerAccess } from "./auth/maintainer-access.js";
import type { AppConfig } from "./config.js";
import type { Models } from "./db/models/index.js";
import { GitHubAppApi, standaloneProbot } from "./github/app-api.js";
import { oauthClientsFromConfig, type OAuthClients } from "./github/client-credentials.js";
import { createInstallationServices, type InstallationServices } from "./installations/installation-services.js";
import { createTokenVault, type TokenVault } from "./tokens/token-vault.js";
import { DashboardFigures } from "./migration/dashboard-figures.js";
import { FeatureFlags } from "./migration/flags.js";
import { createMigrationEngine, type MigrationEngine } from "./migration/migration-engine.js";

export interface Services extends TokenVault, AuthServices, MigrationEngine, InstallationServices {
  config: AppConfig;
  models: Models;
  log: Logger;
  /** The App's own REST calls; the server routes them through its Probot (index.ts), the CLI through one of its own. */
  githubApp: GitHubAppApi;
  /** Who may use the dashboard (ADMIN_GITHUB_LOGINS). */
  maintainerAccess: MaintainerAccess;
  dashboardFigures: DashboardFigures;
  /** The two OAuth clients' credentials: checked before a 404 is believed, and by `doctor`. */
  oauthClients: OAuthClients;
}

export interface CreateServicesOptions {
  config: AppConfig;
  models: Models;
  log: Logger;
}

export function createServices({ config, models, log }: CreateServicesOptions): Services {
  const flags = new FeatureFlags({ models, defaults: config.flagDefaults });
  const consentLinks = new ConsentLinks({ baseUrl: config.baseUrl, secret: config.sessionSecret });
  const oauthClients = oauthClientsFromConfig(config);
  const vault = createTokenVault({ config, models, log, flags, consentLinks, appClient: oauthClients.app });
  const auth = createAuthServices({ config, models, log, vault, consentLinks, appClient: oauthClients.app });
  const githubApp = new GitHubAppApi({ fallback: () => standaloneProbot(config, log) });
  const installations = createInstallationServices({ models, githubApp, tokenStore: vault.tokenStore, log });
  const migration = createMigrationEngine({ config, models, log, flags, oauthClients, appSlug: () => githubApp.appSlug(), ...vault, ...auth });
  return {
    config,
    models,
    log,
    githubApp,
    oauthClients,
    ...vault,
    ...auth,
    ...installations,
    ...migration,
    maintainerAccess: new MaintainerAccess({ models, logins: config.adminGithubLogins }),
    dashboardFigures: new DashboardFigures({
      models,
      flags,
      batches: migration.migrationBatches,
      installations: installations.installations,
    }),
  };
}
