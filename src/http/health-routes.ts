// Liveness, readiness (the database answers) and Prometheus metrics — the latter behind
// METRICS_TOKEN when one is set (open otherwise, as Prometheus convention has it).
import { Hono } from "hono";
import type { Sequelize } from "sequelize";
import { isDatabaseReachable } from "../db/connection.js";
import { metricsRegistry } from "../observability/metrics.js";
import { requireApiKey } from "./api-key-auth.js";

export function healthRoutes({ sequelize, metricsToken = null }: { sequelize: Sequelize; metricsToken?: string | null }): Hono {
  const routes = new Hono();
  routes.get("/healthz", (c) => c.json({ status: "ok" }));
  routes.get("/readyz", async (c) => {
    const databaseUp = await isDatabaseReachable(sequelize);
    return c.json(
      { status: databaseUp ? "ready" : "unavailable", checks: { database: databaseUp ? "up" : "down" } },
      databaseUp ? 200 : 503,
    );
  });
  if (metricsToken) routes.use("/metrics", requireApiKey({ expectedKey: metricsToken, realm: "metrics" }));
  routes.get("/metrics", async (c) => {
    c.header("Content-Type", metricsRegistry.contentType);
    return c.body(await metricsRegistry.metrics());
  });
  return routes;
}
