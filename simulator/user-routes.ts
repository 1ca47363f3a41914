// REST endpoints called with a user's token: who the user is and which installations it reaches.
import { Hono } from "hono";
import { runEndpoint } from "./endpoint-runner.js";
import { paginateByPage } from "./pagination.js";
import { authenticateUser } from "./rest-auth.js";
import { basicErrorBody, installationBody, privateUserBody, type UserInstallationsBody } from "./response-shapes.js";
import type { SimulatorEnv, SimulatorRuntime } from "./runtime.js";

export function userRoutes(runtime: SimulatorRuntime): Hono<SimulatorEnv> {
  const routes = new Hono<SimulatorEnv>();

  routes.get("/user", (c) =>
    runEndpoint(c, runtime, "user", () => {
      const auth = authenticateUser(c, runtime);
      if (!auth.ok) return auth.response;
      return c.json(privateUserBody(runtime.shapes, auth.value.user));
    }),
  );

  routes.get("/user/installations", (c) =>
    runEndpoint(c, runtime, "user_installations", () => {
      const auth = authenticateUser(c, runtime);
      if (!auth.ok) return auth.response;
      if (auth.value.token.client.kind !== "app") {
        return c.json(basicErrorBody("You must authenticate with an access token authorized to a GitHub App in order to list installations"), 403);
      }
      const reachable = runtime.world.installationsReachableBy(auth.value.user.login);
      const page = paginateByPage(reachable, new URL(c.req.url));
      if (page.link) c.header("link", page.link);
      const body: UserInstallationsBody = {
        total_count: reachable.length,
        installations: page.items.map((installation) => installationBody(runtime.shapes, installation)),
      };
      return c.json(body);
    }),
  );

  return routes;
}
