// The REST API under /api/v3 (GitHub Enterprise Server's prefix): every answer carries the
// rate-limit headers of whoever made the request, and unknown routes get GitHub's 404.
import { Hono } from "hono";
import { appRoutes } from "./app-routes.js";
import { oauthTokenApiRoutes } from "./oauth-token-api-routes.js";
import { anonymousCaller } from "./rate-limits.js";
import { notFound } from "./rest-auth.js";
import type { SimulatorEnv, SimulatorRuntime } from "./runtime.js";
import { repositoryRoutes } from "./repository-routes.js";
import { userRoutes } from "./user-routes.js";

export function restRoutes(runtime: SimulatorRuntime): Hono<SimulatorEnv> {
  const api = new Hono<SimulatorEnv>();
  api.use(async (c, next) => {
    await next();
    // An injected rate-limit fault already says the budget is spent; keep its headers.
    if (c.res.headers.has("x-ratelimit-remaining")) return;
    for (const [name, value] of Object.entries(runtime.rateLimits.spend(c.get("rateLimitIdentity") ?? anonymousCaller))) {
      c.res.headers.set(name, value);
    }
  });
  api.route("/", userRoutes(runtime));
  api.route("/", repositoryRoutes(runtime));
  api.route("/", oauthTokenApiRoutes(runtime));
  api.route("/", appRoutes(runtime));
  // Hono ignores a mounted app's notFound: unknown /api/v3 paths land here, through the middleware above.
  api.all("*", (c) => notFound(c));
  return api;
}
