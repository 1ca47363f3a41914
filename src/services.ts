// The composition root: builds every service once from configuration and the database, so the
// Probot app function, the jobs and the CLI all share the same objects.
import type { Logger } from "pino";
import { createAuthServices, type AuthServices } from "./auth/auth-services.js";
import { ConsentLinks } from "./auth/consent-links.js";
import { MaintainerAccess } from "./auth/maintainer-access.js";
import type { AppConfig } from "./config.js";
import type { Models } from "./db/models/index.js";
import { GitHubAppApi, standaloneProbot } from "./github/app-api.js";
import { createInstallationServices, type InstallationServices } from "./installations/installation-services.js";
import { createTokenVault, type TokenVault } from "./tokens/token-vault.js";
import { DashboardFigures } from "./migration/dashboard-figures.js";
import { FeatureFlags } from "./migration/flags.js";
import { createMigrationEngine, type MigrationEngine } from "./migration/migration-engine.js";
import { AccessChecker } from "./migration/access-check.js";
import { FlagPreview } from "./migration/flag-preview.js";
import { RolloutGuard } from "./migration/rollout-guard.js";
import { ReadinessReport } from "./migration/readiness-report.js";
import { ReadinessScan } from "./migration/readiness-scan.js";
import { listAppTokenRepositories, listReadableRepositories } from "./github/repository-access.js";

export interface Services extends TokenVault, AuthServices, MigrationEngine, InstallationServices {
  config: AppConfig;
  models: Models;
  log: Logger;
  /** The App's own REST calls; the server routes them through its Probot (index.ts), the CLI through one of its own. */
  githubApp: GitHubAppApi;
  /** Who may use the dashboard (ADMIN_GITHUB_LOGINS). */
  maintainerAccess: MaintainerAccess;
  dashboardFigures: DashboardFigures;
  /** Migration readiness: the per-user access check, the scan over many users, and what they found. */
  accessChecker: AccessChecker;
  readinessScan: ReadinessScan;
  readinessReport: ReadinessReport;
  /** What a flag change would do to token resolution, before it is made. */
  flagPreview: FlagPreview;
  /** Pauses batches and refuses rollout raises while resolutions fail too often (rollout_guard_* flags). */
  rolloutGuard: RolloutGuard;
}

export interface CreateServicesOptions {
  config: AppConfig;
  models: Models;
  log: Logger;
}

export function createServices({ config, models, log }: CreateServicesOptions): Services {
  const flags = new FeatureFlags({ models, defaults: config.flagDefaults });
  const rolloutGuard = new RolloutGuard({ models, flags });
  flags.requireApproval((change, transaction) => rolloutGuard.approveFlagChange(change, transaction));
  const consentLinks = new ConsentLinks({ baseUrl: config.baseUrl, secret: config.sessionSecret });
  const vault = createTokenVault({ config, models, log, flags, consentLinks });
  const auth = createAuthServices({ config, models, log, vault, consentLinks });
  const githubApp = new GitHubAppApi({ fallback: () => standaloneProbot(config, log) });
  const installations = createInstallationServices({ models, githubApp, tokenStore: vault.tokenStore, log });
  const migration = createMigrationEngine({ config, models, log, flags, rolloutGuard, appSlug: () => githubApp.appSlug(), ...vault, ...auth });
  const { github, githubRequestTimeoutMs: timeoutMs, readinessRepositoryCap: maxRepositories } = config;
  const accessChecker = new AccessChecker({
    models,
    tokenStore: vault.tokenStore,
    refresher: vault.tokenRefresher,
    api: {
      listLegacyRepositories: (token, onRateLimit) => listReadableRepositories({ github, token, timeoutMs, maxRepositories, onRateLimit }),
      listAppTokenRepositories: (token, onRateLimit) => listAppTokenRepositories({ github, token, timeoutMs, maxRepositories, onRateLimit }),
    },
  });
  const readinessScan = new ReadinessScan({ models, checker: accessChecker, log, concurrency: config.readinessScanConcurrency });
  return {
    config,
    models,
    log,
    githubApp,
    accessChecker,
    readinessScan,
    readinessReport: new ReadinessReport({ models, scan: readinessScan, github, appSlug: () => githubApp.appSlug() }),
    flagPreview: new FlagPreview({ models, flags }),
    rolloutGuard,
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
