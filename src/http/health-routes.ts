// Liveness, readiness (the database answers) and Prometheus metrics.
import { Hono } from "hono";
import type { Sequelize } from "sequelize";
import { isDatabaseReachable } from "../db/connection.js";
import { metricsRegistry } from "../observability/metrics.js";

export function healthRoutes({ sequelize }: { sequelize: Sequelize }): Hono {
  const routes = new Hono();
  routes.get("/healthz", (c) => c.json({ status: "ok" }));
  routes.get("/readyz", async (c) => {
    const databaseUp = await isDatabaseReachable(sequelize);
    return c.json(
      { status: databaseUp ? "ready" : "unavailable", checks: { database: databaseUp ? "up" : "down" } },
      databaseUp ? 200 : 503,
    );
  });
  routes.get("/metrics", async (c) => {
    c.header("Content-Type", metricsRegistry.contentType);
    return c.body(await metricsRegistry.metrics());
  });
  return routes;
}
