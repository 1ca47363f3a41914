// The composition root: the one place that builds every service, job and GitHub client of a process,
// each exactly once, from configuration and the database. The server (app-server.ts), the CLI, the
// benchmarks and the demo all start here. Each service, route group, webhook handler and job is
// handed the few collaborators it uses; only the entry points read the `Services` registry.
import type { ApplicationFunction } from "probot";
import type { Logger } from "pino";
import { AccountOverviews } from "./auth/account-overview.js";
import { UserAuthorization } from "./auth/authorization.js";
import { ConsentLinks } from "./auth/consent-links.js";
import { Disconnection } from "./auth/disconnection.js";
import { MaintainerAccess } from "./auth/maintainer-access.js";
import { OAuthStateStore } from "./auth/oauth-state-store.js";
import { SessionCookies } from "./auth/session-cookies.js";
import { SignInCookie } from "./auth/sign-in-cookie.js";
import type { AppConfig } from "./config.js";
import type { Models } from "./db/models/index.js";
import type { GitHubAppApi } from "./github/app-api.js";
import { createGitHubClients, type GitHubClients } from "./github/github-clients.js";
import { createAppFunction, createHttpApp } from "./index.js";
import { GrantRevocations } from "./installations/grant-revocation.js";
import { InstallationService } from "./installations/installation-service.js";
import { InstallationReconciliation, RECONCILIATION_JOB } from "./installations/reconciliation.js";
import { scheduleJob, type IntervalJob } from "./jobs/interval-job.js";
import { MigrationBatches } from "./migration/batches.js";
import { LegacyCleanup } from "./migration/cleanup.js";
import { AccessChecker } from "./migration/access-check.js";
import { DashboardFigures } from "./migration/dashboard-figures.js";
import { FlagPreview } from "./migration/flag-preview.js";
import { ReadinessReport } from "./migration/readiness-report.js";
import { ReadinessScan } from "./migration/readiness-scan.js";
import { RolloutGuard } from "./migration/rollout-guard.js";
import { LegacyImporter } from "./migration/legacy-import.js";
import { MigrationRollback } from "./migration/rollback.js";
import { UserDirectory } from "./migration/user-directory.js";
import { UserValidator } from "./migration/validation.js";
import { createNotificationDeliveryJob } from "./notifications/delivery-job.js";
import { TokenKeepAlive } from "./tokens/keep-alive.js";
import { KeyRotation } from "./tokens/key-rotation.js";
import { TokenRefresher } from "./tokens/refresh.js";
import { TokenResolver } from "./tokens/resolution.js";
import { ResolutionOutcomeLog } from "./tokens/resolution-outcomes.js";
import { TokenSealer } from "./tokens/sealing.js";
import { observeRateLimit } from "./tokens/token-metrics.js";
import { TokenStore } from "./tokens/token-store.js";
import { FeatureFlags } from "./users/flags.js";
import { FeatureFlagRolloutPolicy } from "./users/rollout-policy.js";
import { DeliveryLedger } from "./webhooks/delivery-ledger.js";
import { createWebhookRedeliveryJob, WebhookRedelivery } from "./webhooks/redelivery.js";

/** Every service of a process, for the entry points (routes table, CLI commands, tests) to pick from. */
export interface Services {
  config: AppConfig;
  models: Models;
  log: Logger;
  /** The App's own REST calls; the server routes them through its Probot, other processes through one of their own. */
  githubApp: GitHubAppApi;
  flags: FeatureFlags;
  // tokens/
  sealer: TokenSealer;
  tokenStore: TokenStore;
  tokenRefresher: TokenRefresher;
  tokenResolver: TokenResolver;
  tokenKeepAlive: TokenKeepAlive;
  keyRotation: KeyRotation;
  // auth/
  userAuthorization: UserAuthorization;
  consentLinks: ConsentLinks;
  sessions: SessionCookies;
  signInCookie: SignInCookie;
  accountOverviews: AccountOverviews;
  disconnection: Disconnection;
  /** Who may use the dashboard (ADMIN_GITHUB_LOGINS). */
  maintainerAccess: MaintainerAccess;
  // installations/
  installations: InstallationService;
  installationReconciliation: InstallationReconciliation;
  grantRevocations: GrantRevocations;
  // migration/
  legacyImporter: LegacyImporter;
  userValidator: UserValidator;
  migrationBatches: MigrationBatches;
  migrationRollback: MigrationRollback;
  legacyCleanup: LegacyCleanup;
  userDirectory: UserDirectory;
  dashboardFigures: DashboardFigures;
  /** Migration readiness: the per-user access check, the scan over many users, and what they found. */
  accessChecker: AccessChecker;
  readinessScan: ReadinessScan;
  readinessReport: ReadinessReport;
  /** What a flag change would do to token resolution, before it is made. */
  flagPreview: FlagPreview;
  /** Pauses batches and refuses rollout raises while resolutions fail too often (rollout_guard_* flags). */
  rolloutGuard: RolloutGuard;
  /** How resolutions end, per minute, for the rollout guard; its job writes them to the database. */
  resolutionOutcomes: ResolutionOutcomeLog;
  // webhooks/
  deliveryLedger: DeliveryLedger;
  webhookRedelivery: WebhookRedelivery;
}

export interface Composition {
  services: Services;
  /** Built, not started: the server starts them once it listens and stops them first on shutdown. */
  jobs: IntervalJob[];
  github: GitHubClients;
  /** The Probot app function: webhooks and HTTP routes mapped to these services. */
  appFunction: ApplicationFunction;
}

export interface ComposeAppOptions {
  config: AppConfig;
  models: Models;
  log: Logger;
}

const READINESS_SCAN_INTERVAL_MS = 5_000;
const ROLLOUT_GUARD_INTERVAL_MS = 5_000;

export function composeApp({ config, models, log }: ComposeAppOptions): Composition {
  const github = createGitHubClients({ config, log, onRefreshResponseHeaders: observeRateLimit });
  const flags = new FeatureFlags({ models, defaults: config.flagDefaults });
  const rolloutGuard = new RolloutGuard({ models, flags });
  flags.requireApproval((change, transaction) => rolloutGuard.approveFlagChange(change, transaction));
  const resolutionOutcomes = new ResolutionOutcomeLog({ models });
  const consentLinks = new ConsentLinks({ baseUrl: config.baseUrl, secret: config.sessionSecret });
  const consentUrlFor = (user: { githubId: number; login: string | null }) => consentLinks.createConsentLink(user.githubId, user.login);

  const sealer = new TokenSealer(config.encryptionKeys);
  const tokenStore = new TokenStore({ models, sealer });
  const tokenRefresher = new TokenRefresher({
    models,
    store: tokenStore,
    marginSeconds: config.tokenRefreshMarginSeconds,
    log,
    refreshAtGitHub: (refreshToken) => github.refreshUserToken(refreshToken),
  });
  const tokenResolver = new TokenResolver({
    models,
    store: tokenStore,
    refresher: tokenRefresher,
    policy: new FeatureFlagRolloutPolicy({ flags }),
    consentUrlFor,
    outcomes: resolutionOutcomes,
  });
  const tokenKeepAlive = new TokenKeepAlive({
    models,
    refresher: tokenRefresher,
    marginSeconds: config.tokenRefreshMarginSeconds,
    intervalSeconds: config.keepAliveIntervalSeconds,
  });

  const secureCookies = config.baseUrl.startsWith("https:");
  const sessions = new SessionCookies({ secret: config.sessionSecret, secure: secureCookies });
  const userCalls = github.userAuthorization;

  const installations = new InstallationService({ models });
  const installationReconciliation = new InstallationReconciliation({ models, installations, github: github.app, log });

  const legacy = github.legacyOAuthApp;
  const userValidator = new UserValidator({ models, tokenStore, refresher: tokenRefresher, userApi: github.userTokenApi });
  const migrationBatches = new MigrationBatches({
    models,
    tokenStore,
    flags,
    validator: userValidator,
    checkLegacyToken: legacy ? (token) => legacy.checkToken(token) : null,
    consentLinks: { consentUrl: async (user) => consentUrlFor(user), installUrl: (accountId) => github.installUrl(accountId) },
    log,
    guard: rolloutGuard,
  });
  const accessChecker = new AccessChecker({ models, tokenStore, refresher: tokenRefresher, api: github.repositoryAccess });
  const readinessScan = new ReadinessScan({ models, checker: accessChecker, log, concurrency: config.readinessScanConcurrency });

  const webhookRedelivery = new WebhookRedelivery({ models, github: github.app, log });
  const services: Services = {
    config,
    models,
    log,
    githubApp: github.app,
    flags,
    sealer,
    tokenStore,
    tokenRefresher,
    tokenResolver,
    tokenKeepAlive,
    keyRotation: new KeyRotation({ models, store: tokenStore, sealer }),
    userAuthorization: new UserAuthorization({
      models,
      states: new OAuthStateStore({ models, sealer }),
      consentLinks,
      tokenStore,
      github: userCalls,
      log,
    }),
    consentLinks,
    sessions,
    signInCookie: new SignInCookie({ secret: config.sessionSecret, secure: secureCookies }),
    accountOverviews: new AccountOverviews({ models, tokenStore, resolver: tokenResolver, github: userCalls, log }),
    disconnection: new Disconnection({ models, tokenStore, refresher: tokenRefresher, github: userCalls, log }),
    maintainerAccess: new MaintainerAccess({ models, logins: config.adminGithubLogins }),
    installations,
    installationReconciliation,
    grantRevocations: new GrantRevocations({ models, tokenStore, log }),
    legacyImporter: new LegacyImporter({ models, tokenStore }),
    userValidator,
    migrationBatches,
    migrationRollback: new MigrationRollback({ models, flags }),
    legacyCleanup: new LegacyCleanup({
      models,
      tokenStore,
      flags,
      revokeLegacyGrant: legacy ? (token) => legacy.deleteGrant(token) : null,
    }),
    userDirectory: new UserDirectory({ models }),
    dashboardFigures: new DashboardFigures({ models, flags, batches: migrationBatches, installations }),
    accessChecker,
    readinessScan,
    readinessReport: new ReadinessReport({ models, scan: readinessScan, installUrl: (accountId) => github.installUrl(accountId) }),
    flagPreview: new FlagPreview({ models, flags }),
    rolloutGuard,
    resolutionOutcomes,
    deliveryLedger: new DeliveryLedger({ models, log }),
    webhookRedelivery,
  };

  const jobs = [
    scheduleJob({
      name: "token-keep-alive",
      intervalMs: config.keepAliveIntervalSeconds * 1000,
      run: () => tokenKeepAlive.runPass(),
      log,
    }),
    createNotificationDeliveryJob({ config, models, log }),
    scheduleJob({
      name: RECONCILIATION_JOB,
      intervalMs: config.reconcileIntervalSeconds * 1000,
      run: () => installationReconciliation.runPass(),
      log,
    }),
    createWebhookRedeliveryJob({ redelivery: webhookRedelivery, log }),
    // Every instance helps with a running readiness scan; SKIP LOCKED claims keep them apart.
    scheduleJob({ name: "readiness-scan", intervalMs: READINESS_SCAN_INTERVAL_MS, run: () => readinessScan.runPass(), log }),
    // This instance's resolution outcomes go to the database, then the guard judges every instance's.
    scheduleJob({
      name: "rollout-guard",
      intervalMs: ROLLOUT_GUARD_INTERVAL_MS,
      run: async () => {
        await resolutionOutcomes.flush();
        await rolloutGuard.evaluate();
      },
      log,
    }),
  ];

  const appFunction = createAppFunction({
    githubApp: github.app,
    webhooks: { ledger: services.deliveryLedger, installations, grantRevocations: services.grantRevocations },
    httpApp: () => createHttpApp(services),
  });
  return { services, jobs, github, appFunction };
}
