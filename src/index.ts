// The Probot app function: maps webhooks and HTTP routes to services. It decides nothing itself.
import type { ApplicationFunction } from "probot";
import { healthRoutes } from "./http/health-routes.js";
import { buildHttpApp } from "./http/http-app.js";
import { honoAsProbotHandler } from "./http/probot-handler.js";
import type { Services } from "./services.js";

export const WEBHOOK_PATH = "/api/github/webhooks";

export function createAppFunction(services: Services): ApplicationFunction {
  return (_app, { addHandler }) => {
    const httpApp = buildHttpApp({
      log: services.log,
      errorTranslators: [],
      routeGroups: [healthRoutes({ sequelize: services.models.sequelize })],
    });
    addHandler(honoAsProbotHandler(httpApp, { webhookPath: WEBHOOK_PATH }));
  };
}
