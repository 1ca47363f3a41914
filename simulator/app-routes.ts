// REST endpoints of the App itself (JWT) and of its installations (installation tokens).
import { Hono } from "hono";
import { runEndpoint } from "./endpoint-runner.js";
import { paginateByCursor, paginateByPage } from "./pagination.js";
import { authenticateApp, authenticateInstallation, notFound } from "./rest-auth.js";
import {
  basicErrorBody,
  installationBody,
  installationTokenBody,
  integrationBody,
  repositoryBody,
  type HookDeliveryItemBody,
  type InstallationRepositoriesBody,
} from "./response-shapes.js";
import type { SimulatorEnv, SimulatorRuntime } from "./runtime.js";
import type { StoredDelivery } from "./webhook-sender.js";

export function appRoutes(runtime: SimulatorRuntime): Hono<SimulatorEnv> {
  const routes = new Hono<SimulatorEnv>();

  routes.get("/app", (c) =>
    runEndpoint(c, runtime, "app", () => {
      const auth = authenticateApp(c, runtime);
      if (!auth.ok) return auth.response;
      return c.json(integrationBody(runtime.shapes, runtime.world.allInstallations().length));
    }),
  );

  // GET /app/hook/config: GitHub never shows the secret, only that one is set.
  routes.get("/app/hook/config", (c) =>
    runEndpoint(c, runtime, "hook_config", () => {
      const auth = authenticateApp(c, runtime);
      if (!auth.ok) return auth.response;
      const hook = runtime.options.webhook;
      return c.json({ content_type: "json", insecure_ssl: "0", url: hook?.url ?? "", ...(hook?.secret ? { secret: "********" } : {}) });
    }),
  );

  routes.get("/app/installations", (c) =>
    runEndpoint(c, runtime, "app_installations", () => {
      const auth = authenticateApp(c, runtime);
      if (!auth.ok) return auth.response;
      const page = paginateByPage(runtime.world.allInstallations(), new URL(c.req.url));
      if (page.link) c.header("link", page.link);
      return c.json(page.items.map((installation) => installationBody(runtime.shapes, installation)));
    }),
  );

  routes.post("/app/installations/:installation_id/access_tokens", (c) =>
    runEndpoint(c, runtime, "installation_token", () => {
      const auth = authenticateApp(c, runtime);
      if (!auth.ok) return auth.response;
      const installation = runtime.world.installation(Number(c.req.param("installation_id")));
      if (!installation) return notFound(c);
      if (installation.suspendedAt) return c.json(basicErrorBody("This installation has been suspended"), 403);
      return c.json(installationTokenBody(installation, runtime.ledger.mintInstallationToken(installation.id)), 201);
    }),
  );

  routes.get("/installation/repositories", (c) =>
    runEndpoint(c, runtime, "installation_repositories", () => {
      const auth = authenticateInstallation(c, runtime);
      if (!auth.ok) return auth.response;
      const installation = runtime.world.installation(auth.value.installationId);
      if (!installation) return notFound(c);
      const page = paginateByPage(installation.repositories, new URL(c.req.url));
      if (page.link) c.header("link", page.link);
      const body: InstallationRepositoriesBody = {
        total_count: installation.repositories.length,
        repository_selection: installation.repositorySelection,
        repositories: page.items.map((repository) => repositoryBody(runtime.shapes, installation.account, repository)),
      };
      return c.json(body);
    }),
  );

  routes.get("/app/hook/deliveries", (c) =>
    runEndpoint(c, runtime, "hook_deliveries", () => {
      const auth = authenticateApp(c, runtime);
      if (!auth.ok) return auth.response;
      const page = paginateByCursor(runtime.webhooks.list(), new URL(c.req.url));
      if (page.link) c.header("link", page.link);
      return c.json(page.items.map((delivery) => hookDeliveryItem(delivery)));
    }),
  );

  routes.post("/app/hook/deliveries/:delivery_id/attempts", (c) =>
    runEndpoint(c, runtime, "redeliver", async () => {
      const auth = authenticateApp(c, runtime);
      if (!auth.ok) return auth.response;
      // GitHub answers 202 and delivers later; the simulator delivers first so that callers (and
      // tests) see the new delivery as soon as the request returns.
      const redelivered = await runtime.webhooks.redeliver(Number(c.req.param("delivery_id")));
      return redelivered ? c.json({}, 202) : notFound(c);
    }),
  );

  return routes;
}

function hookDeliveryItem(delivery: StoredDelivery): HookDeliveryItemBody {
  return {
    id: delivery.id,
    guid: delivery.guid,
    delivered_at: delivery.deliveredAt.toISOString(),
    redelivery: delivery.redelivery,
    duration: delivery.duration,
    status: delivery.status,
    status_code: delivery.statusCode,
    event: delivery.event,
    action: delivery.action,
    installation_id: delivery.installationId,
    repository_id: delivery.repositoryId,
    throttled_at: null,
  };
}
