// The Probot app function and the HTTP entry points: map webhooks and HTTP routes to services. It
// decides nothing itself.
import type { Hono } from "hono";
import type { ApplicationFunction } from "probot";
import { adminFlagsRoutes } from "./http/admin-flags-routes.js";
import { adminInstallationsRoutes } from "./http/admin-installations-routes.js";
import { adminMigrationRoutes } from "./http/admin-migration-routes.js";
import { migrationErrorTranslator, type AdminAccess } from "./http/admin-request.js";
import { adminUsersRoutes } from "./http/admin-users-routes.js";
import { authRoutes } from "./http/auth-routes.js";
import { dashboardRoutes } from "./http/dashboard/dashboard-routes.js";
import { healthRoutes } from "./http/health-routes.js";
import { databaseUnavailableTranslator, type ErrorTranslator } from "./http/errors.js";
import { buildHttpApp, securityHeaderValues } from "./http/http-app.js";
import { honoAsProbotHandler } from "./http/probot-handler.js";
import { tokenApiFastPath } from "./http/token-api-fast-path.js";
import { tokenApiRoutes, tokenErrorTranslator } from "./http/token-api-routes.js";
import { userPages } from "./http/user-pages.js";
import type { Services } from "./services.js";
import { createWebhookReceiver, type WebhookMiddleware } from "./webhooks/webhook-handlers.js";

export const WEBHOOK_PATH = "/api/github/webhooks";

const ERROR_TRANSLATORS: ErrorTranslator[] = [tokenErrorTranslator, migrationErrorTranslator, databaseUnavailableTranslator];

export function createAppFunction(services: Services): ApplicationFunction {
  return (app, { addHandler }) => {
    // The App's own REST calls go through this Probot: its Octokit settings and installation-token cache.
    services.githubApp.useProbot(app);
    addHandler(honoAsProbotHandler(createHttpApp(services), { webhookPath: WEBHOOK_PATH }));
  };
}

/** The webhook path's handler, given to Probot's server in place of its own (app-server.ts). */
export function createWebhookMiddleware(services: Services): WebhookMiddleware {
  return createWebhookReceiver({
    secret: services.config.webhookSecret,
    path: WEBHOOK_PATH,
    models: services.models,
    installations: services.installations,
    grantRevocations: services.grantRevocations,
    log: services.log,
  });
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
    errorTranslators: ERROR_TRANSLATORS,
    routeGroups: [
      healthRoutes({ sequelize: services.models.sequelize }),
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
      dashboardRoutes({
        figures: services.dashboardFigures,
        maintainers: services.maintainerAccess,
        sessions: services.sessions,
        batches: services.migrationBatches,
        validator: services.userValidator,
        rollback: services.migrationRollback,
        flags: services.flags,
        baseUrl: services.config.baseUrl,
        log: services.log,
      }),
    ],
  });
}
