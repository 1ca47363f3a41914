// Liveness, readiness (the database answers) and Prometheus metrics — the latter behind
// METRICS_TOKEN when one is set (open otherwise, as Prometheus convention has it).
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { Sequelize } from "sequelize";
import { z } from "zod";
import { isDatabaseReachable } from "../db/connection.js";
import { metricsRegistry } from "../observability/metrics.js";
import { requireApiKey } from "./api-key-auth.js";
import { jsonAnswer } from "./api-description.js";

const livenessJson = z.object({ status: z.literal("ok") });
const readinessJson = z
  .object({
    status: z.enum(["ready", "unavailable"]),
    checks: z.object({ database: z.enum(["up", "down"]) }),
  })
  .meta({ id: "Readiness" });

export function healthRoutes({ sequelize, metricsToken = null }: { sequelize: Sequelize; metricsToken?: string | null }): Hono {
  const routes = new Hono();
  routes.get(
    "/healthz",
    describeRoute({ tags: ["health"], summary: "Liveness", responses: { 200: jsonAnswer("The process answers", livenessJson) } }),
    (c) => c.json({ status: "ok" } satisfies z.input<typeof livenessJson>),
  );
  routes.get(
    "/readyz",
    describeRoute({
      tags: ["health"],
      summary: "Readiness (the database answers)",
      responses: { 200: jsonAnswer("Ready", readinessJson), 503: jsonAnswer("The database is down", readinessJson) },
    }),
    async (c) => {
      const databaseUp = await isDatabaseReachable(sequelize);
      return c.json(
        { status: databaseUp ? "ready" : "unavailable", checks: { database: databaseUp ? "up" : "down" } } satisfies z.input<typeof readinessJson>,
        databaseUp ? 200 : 503,
      );
    },
  );
  if (metricsToken) routes.use("/metrics", requireApiKey({ expectedKey: metricsToken, realm: "metrics" }));
  routes.get(
    "/metrics",
    describeRoute({
      tags: ["health"],
      summary: "Prometheus metrics (this process's)",
      responses: { 200: { description: "Prometheus text format", content: { "text/plain": { schema: { type: "string" } } } } },
    }),
    async (c) => {
      c.header("Content-Type", metricsRegistry.contentType);
      return c.body(await metricsRegistry.metrics());
    },
  );
  return routes;
}
