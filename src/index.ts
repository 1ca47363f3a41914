// The HTTP entry points: the Probot app function (HTTP routes mapped to services; the webhook path
// has its own handler, built by the composition root) and the token API's fast path. They decide
// nothing themselves.
import type { Hono } from "hono";
import type { ApplicationFunction } from "probot";
import { adminFlagsRoutes } from "./http/admin-flags-routes.js";
import { adminInstallationsRoutes } from "./http/admin-installations-routes.js";
import { adminMigrationRoutes } from "./http/admin-migration-routes.js";
import { adminReadinessRoutes, readinessErrorTranslator } from "./http/admin-readiness-routes.js";
import { adminRolloutGuardRoutes, rolloutGuardErrorTranslator } from "./http/admin-rollout-guard-routes.js";
import { migrationErrorTranslator, type AdminAccess } from "./http/admin-request.js";
import { adminUsersRoutes } from "./http/admin-users-routes.js";
import { authRoutes } from "./http/auth-routes.js";
import { dashboardRoutes } from "./http/dashboard/dashboard-routes.js";
import { healthRoutes } from "./http/health-routes.js";
import { stylesheetRoutes } from "./http/pages/stylesheet.js";
import { databaseUnavailableTranslator, type ErrorTranslator } from "./http/errors.js";
import { buildHttpApp, securityHeaderValues } from "./http/http-app.js";
import { honoAsProbotHandler } from "./http/probot-handler.js";
import { tokenApiFastPath } from "./http/token-api-fast-path.js";
import { tokenApiRoutes, tokenErrorTranslator } from "./http/token-api-routes.js";
import { userPages } from "./http/user-pages.js";
import type { GitHubAppApi } from "./github/app-api.js";
import type { Services } from "./services.js";

export const WEBHOOK_PATH = "/api/github/webhooks";

const ERROR_TRANSLATORS: ErrorTranslator[] = [
  tokenErrorTranslator,
  migrationErrorTranslator,
  readinessErrorTranslator,
  rolloutGuardErrorTranslator,
  databaseUnavailableTranslator,
];

interface AppFunctionParts {
  githubApp: GitHubAppApi;
  httpApp: () => Hono;
}

export function createAppFunction({ githubApp, httpApp }: AppFunctionParts): ApplicationFunction {
  return (app, { addHandler }) => {
    // The App's own REST calls go through this Probot: its Octokit settings and installation-token cache.
    githubApp.useProbot(app);
    addHandler(honoAsProbotHandler(httpApp(), { webhookPath: WEBHOOK_PATH }));
  };
}

/** The token API's hot route answered ahead of Probot's server (app-server.ts), as createHttpApp's route would. */
export async function createTokenApiFastPath(services: Services) {
  return tokenApiFastPath({
    resolver: services.tokenResolver,
    serviceApiToken: services.config.serviceApiToken,
    errorTranslators: ERROR_TRANSLATORS,
    securityHeaders: await securityHeaderValues(),
    log: services.log,
  });
}

/** Every HTTP route of the app (the OpenAPI test walks these). */
export function createHttpApp(services: Services): Hono {
  const adminAccess: AdminAccess = {
    adminApiToken: services.config.adminApiToken,
    sessions: services.sessions,
    maintainers: services.maintainerAccess,
    baseUrl: services.config.baseUrl,
  };
  return buildHttpApp({
    log: services.log,
    webhookPath: WEBHOOK_PATH,
    errorTranslators: ERROR_TRANSLATORS,
    routeGroups: [
      healthRoutes({ sequelize: services.models.sequelize, metricsToken: services.config.metricsToken }),
      stylesheetRoutes(),
      tokenApiRoutes({ resolver: services.tokenResolver, serviceApiToken: services.config.serviceApiToken }),
      authRoutes({
        userAuthorization: services.userAuthorization,
        sessions: services.sessions,
        signInCookie: services.signInCookie,
        baseUrl: services.config.baseUrl,
        log: services.log,
      }),
      userPages({
        accountOverviews: services.accountOverviews,
        disconnection: services.disconnection,
        sessions: services.sessions,
        baseUrl: services.config.baseUrl,
        log: services.log,
      }),
      adminMigrationRoutes({
        access: adminAccess,
        models: services.models,
        flags: services.flags,
        batches: services.migrationBatches,
        rollback: services.migrationRollback,
        cleanup: services.legacyCleanup,
        trends: services.campaignTrends,
      }),
      adminUsersRoutes({
        access: adminAccess,
        directory: services.userDirectory,
        validator: services.userValidator,
        rollback: services.migrationRollback,
        importer: services.legacyImporter,
      }),
      adminFlagsRoutes({ access: adminAccess, flags: services.flags }),
      adminInstallationsRoutes({ access: adminAccess, installations: services.installations }),
      adminReadinessRoutes({ access: adminAccess, scan: services.readinessScan, report: services.readinessReport, preview: services.flagPreview }),
      adminRolloutGuardRoutes({ access: adminAccess, guard: services.rolloutGuard }),
      dashboardRoutes({
        figures: services.dashboardFigures,
        trends: services.campaignTrends,
        directory: services.userDirectory,
        installations: services.installations,
        maintainers: services.maintainerAccess,
        sessions: services.sessions,
        batches: services.migrationBatches,
        validator: services.userValidator,
        rollback: services.migrationRollback,
        flags: services.flags,
        baseUrl: services.config.baseUrl,
        log: services.log,
        readiness: { report: services.readinessReport, scan: services.readinessScan, preview: services.flagPreview, guard: services.rolloutGuard },
      }),
    ],
  });
}
