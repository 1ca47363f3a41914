// The composition root: the one place that builds every service, job and GitHub client of a process,
// each exactly once, from configuration and the database. The server (app-server.ts), the CLI, the
// benchmarks and the demo all start here. Each service, route group, webhook handler and job is
// handed the few collaborators it uses; only the entry points read the `Services` registry.
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
import { GrantRevocations } from "./installations/grant-revocation.js";
import { InstallationService } from "./installations/installation-service.js";
import { InstallationReconciliation, RECONCILIATION_JOB } from "./installations/reconciliation.js";
import { scheduleJob, type IntervalJob } from "./jobs/interval-job.js";
import type { OAuthClients } from "./github/client-credentials.js";
import { MigrationBatches } from "./migration/batches.js";
import { LegacyCleanup } from "./migration/cleanup.js";
import { AccessChecker } from "./migration/access-check.js";
import { DashboardFigures } from "./migration/dashboard-figures.js";
import { FlagPreview } from "./migration/flag-preview.js";
import { ReadinessReport } from "./migration/readiness-report.js";
import { ReadinessScan } from "./migration/readiness-scan.js";
import { RolloutGuard } from "./migration/rollout-guard.js";
import { CampaignTrends, USER_STATUS_ROLLUP_JOB } from "./migration/trends.js";
import { LegacyImporter } from "./migration/legacy-import.js";
import { MigrationRollback } from "./migration/rollback.js";
import { UserDirectory } from "./migration/user-directory.js";
import { UserValidator } from "./migration/validation.js";
import { createNotificationDeliveryJob } from "./notifications/delivery-job.js";
import { TokenKeepAlive } from "./tokens/keep-alive.js";
import { KeyRotation } from "./tokens/key-rotation.js";
import { ReplacedTokenRevocations } from "./tokens/replaced-token-revocations.js";
import { TokenRefresher } from "./tokens/refresh.js";
import { ConnectionBudget } from "./db/connection-budget.js";
import { TokenResolver } from "./tokens/resolution.js";
import { TokenActivityLog } from "./tokens/token-activity.js";
import { TokenSealer } from "./tokens/sealing.js";
import { observeRateLimit } from "./tokens/token-metrics.js";
import { TokenStore } from "./tokens/token-store.js";
import { FeatureFlags } from "./users/flags.js";
import { FeatureFlagRolloutPolicy } from "./users/rollout-policy.js";
import { DeliveryLedger } from "./webhooks/delivery-ledger.js";
import { createWebhookRedeliveryJob, WebhookRedelivery } from "./webhooks/redelivery.js";
import type { WebhookServices } from "./webhooks/webhook-handlers.js";
import { BATCH_STALE_AFTER_SECONDS, STALLED_BATCHES_JOB, StalledBatchSweep } from "./migration/stalled-batches.js";
import { DatabaseGauges } from "./observability/database-gauges.js";

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
  /** Pairs a new authorization replaced, revoked at GitHub (right away, then by a job until done). */
  replacedTokenRevocations: ReplacedTokenRevocations;
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
  /**
   * This instance's token activity (resolutions, fallbacks, refreshes, reauth_required), counted in
   * memory; the rollout guard's job adds it to the database every few seconds, and shutdown once more.
   */
  tokenActivity: TokenActivityLog;
  /** Users per status per day and token activity per hour, every instance's, from the database. */
  campaignTrends: CampaignTrends;
  /** The two OAuth clients' credentials: checked before a 404 is believed, and by `doctor`. */
  oauthClients: OAuthClients;
  // webhooks/
  deliveryLedger: DeliveryLedger;
  webhookRedelivery: WebhookRedelivery;
}

interface Composition {
  services: Services;
  /** Built, not started: the server starts them once it listens and stops them first on shutdown. */
  jobs: IntervalJob[];
  github: GitHubClients;
  /** What the webhook handlers use (a server hands them to index.ts's app function). */
  webhooks: WebhookServices;
}

interface ComposeAppOptions {
  config: AppConfig;
  models: Models;
  log: Logger;
}

/** A stalled batch is failed and its users freed at most this long after it went stale. */
const STALLED_BATCH_SWEEP_INTERVAL_MS = 30_000;
/** The alerts' database figures; a third of Prometheus's usual scrape interval keeps them current. */
const DATABASE_GAUGES_INTERVAL_MS = 15_000;
const READINESS_SCAN_INTERVAL_MS = 5_000;
const ROLLOUT_GUARD_INTERVAL_MS = 5_000;
const USER_STATUS_ROLLUP_INTERVAL_MS = 60_000;

export function composeApp({ config, models, log }: ComposeAppOptions): Composition {
  const github = createGitHubClients({ config, log, onRefreshResponseHeaders: observeRateLimit });
  const flags = new FeatureFlags({ models, defaults: config.flagDefaults });
  const rolloutGuard = new RolloutGuard({ models, flags });
  flags.requireApproval((change, transaction) => rolloutGuard.approveFlagChange(change, transaction));
  const tokenActivity = new TokenActivityLog({ models });
  const campaignTrends = new CampaignTrends({ models });
  const consentLinks = new ConsentLinks({ baseUrl: config.baseUrl, secret: config.sessionSecret });
  const consentUrlFor = (user: { githubId: number; login: string | null }) => consentLinks.createConsentLink(user.githubId, user.login);

  const sealer = new TokenSealer(config.encryptionKeys);
  const tokenStore = new TokenStore({ models, sealer });
  const tokenRefresher = new TokenRefresher({
    models,
    store: tokenStore,
    marginSeconds: config.tokenRefreshMarginSeconds,
    connectionBudget: new ConnectionBudget(config.refreshMaxConnections),
    lockTimeoutMs: config.databaseLockTimeoutMs,
    leaseSeconds: config.refreshLeaseSeconds,
    waitTimeoutMs: config.refreshWaitTimeoutMs,
    log,
    refreshAtGitHub: (refreshToken) => github.refreshUserToken(refreshToken),
    checkAtGitHub: async (accessToken) => (await github.checkUserToken(accessToken)).valid,
    confirmCredentials: () => github.appCredentialsAccepted(),
    activity: tokenActivity,
  });
  const tokenResolver = new TokenResolver({
    models,
    store: tokenStore,
    refresher: tokenRefresher,
    policy: new FeatureFlagRolloutPolicy({ flags }),
    consentUrlFor,
    activity: tokenActivity,
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
  // Batches and validation refresh App tokens and check legacy ones; cleanup revokes legacy grants.
  // Each asks GitHub about the credentials first, so a wrong secret refuses the run instead of
  // reading GitHub's 404s as dead tokens.
  const { oauthClients } = github;
  const appCredentialsGood = async () => {
    await oauthClients.app?.requireKnownGood();
  };
  const legacyCredentialsGood = async () => {
    await oauthClients.legacy?.requireKnownGood();
  };
  const userValidator = new UserValidator({
    models,
    tokenStore,
    refresher: tokenRefresher,
    userApi: github.userTokenApi,
    credentialsGood: appCredentialsGood,
  });
  const migrationBatches = new MigrationBatches({
    models,
    tokenStore,
    flags,
    validator: userValidator,
    checkLegacyToken: legacy ? (token) => legacy.checkToken(token) : null,
    credentialsGood: async () => {
      await appCredentialsGood();
      await legacyCredentialsGood();
    },
    consentLinks: { consentUrl: async (user) => consentUrlFor(user), installUrl: (accountId) => github.installUrl(accountId) },
    log,
    guard: rolloutGuard,
  });
  const accessChecker = new AccessChecker({ models, tokenStore, refresher: tokenRefresher, api: github.repositoryAccess });
  const readinessScan = new ReadinessScan({ models, checker: accessChecker, log, concurrency: config.readinessScanConcurrency });

  const webhookRedelivery = new WebhookRedelivery({ models, github: github.app, log });
  const stalledBatchSweep = new StalledBatchSweep({ models, log });
  const databaseGauges = new DatabaseGauges({ sequelize: models.sequelize, batchStaleAfterSeconds: BATCH_STALE_AFTER_SECONDS, log });
  const replacedTokenRevocations = new ReplacedTokenRevocations({
    models,
    sealer,
    revokeToken: (token) => userCalls.revokeToken(token),
    refreshAtGitHub: (refreshToken) => github.refreshUserToken(refreshToken),
    log,
  });
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
      replacedTokens: replacedTokenRevocations,
      github: userCalls,
      log,
    }),
    consentLinks,
    sessions,
    signInCookie: new SignInCookie({ secret: config.sessionSecret, secure: secureCookies }),
    accountOverviews: new AccountOverviews({ models, tokenStore, resolver: tokenResolver, github: userCalls, log }),
    disconnection: new Disconnection({ models, tokenStore, refresher: tokenRefresher, github: userCalls, log }),
    replacedTokenRevocations,
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
      credentialsGood: legacyCredentialsGood,
    }),
    userDirectory: new UserDirectory({ models }),
    dashboardFigures: new DashboardFigures({ models, flags, batches: migrationBatches, trends: campaignTrends }),
    accessChecker,
    readinessScan,
    readinessReport: new ReadinessReport({ models, scan: readinessScan, installUrl: (accountId) => github.installUrl(accountId) }),
    flagPreview: new FlagPreview({ models, flags }),
    rolloutGuard,
    tokenActivity,
    campaignTrends,
    deliveryLedger: new DeliveryLedger({ models, log }),
    webhookRedelivery,
    oauthClients,
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
    scheduleJob({
      name: "replaced-token-revocation",
      intervalMs: 30_000,
      run: async () => {
        await replacedTokenRevocations.runPass();
      },
      log,
    }),
    scheduleJob({
      name: STALLED_BATCHES_JOB,
      intervalMs: STALLED_BATCH_SWEEP_INTERVAL_MS,
      run: () => stalledBatchSweep.runPass(),
      log,
    }),
    // On every instance (each exports its own /metrics), not a singleton.
    scheduleJob({
      name: "database-gauges",
      intervalMs: DATABASE_GAUGES_INTERVAL_MS,
      run: () => databaseGauges.sample(),
      log,
    }),
    // Every instance helps with a running readiness scan; SKIP LOCKED claims keep them apart.
    scheduleJob({ name: "readiness-scan", intervalMs: READINESS_SCAN_INTERVAL_MS, run: () => readinessScan.runPass(), log }),
    // This instance's token activity goes to the database, then the guard judges every instance's.
    scheduleJob({
      name: "rollout-guard",
      intervalMs: ROLLOUT_GUARD_INTERVAL_MS,
      run: async () => {
        await tokenActivity.flush();
        await rolloutGuard.evaluate();
      },
      log,
    }),
    // Every instance tries; one at a time rolls closed hours of status changes up (a no-op until an hour closes).
    scheduleJob({
      name: USER_STATUS_ROLLUP_JOB,
      intervalMs: USER_STATUS_ROLLUP_INTERVAL_MS,
      run: () => campaignTrends.rollUpClosedHours(),
      log,
    }),
  ];

  const webhooks = { ledger: services.deliveryLedger, installations, grantRevocations: services.grantRevocations };
  return { services, jobs, github, webhooks };
}
