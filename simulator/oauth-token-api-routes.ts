// The OAuth token API an app calls with its client id and secret: check, reset and delete a user's
// token, and delete the user's whole grant.
import type { Context } from "hono";
import { Hono } from "hono";
import { runEndpoint } from "./endpoint-runner.js";
import { authenticateClient, notFound } from "./rest-auth.js";
import { authorizationBody, basicErrorBody } from "./response-shapes.js";
import type { RegisteredClient, SimulatorEnv, SimulatorRuntime } from "./runtime.js";
import type { UserTokenRecord } from "./token-ledger.js";

export function oauthTokenApiRoutes(runtime: SimulatorRuntime): Hono<SimulatorEnv> {
  const routes = new Hono<SimulatorEnv>();

  /** Authenticates the client, then finds the live token named in the JSON body. */
  async function withClientToken(
    c: Context<SimulatorEnv>,
    use: (client: RegisteredClient, token: UserTokenRecord) => Response,
  ): Promise<Response> {
    const auth = authenticateClient(c, runtime, c.req.param("client_id") ?? "");
    if (!auth.ok) return auth.response;
    const body: unknown = await c.req.json().catch(() => ({}));
    const accessToken = body && typeof body === "object" && "access_token" in body ? String(body.access_token) : undefined;
    if (!accessToken) return c.json(basicErrorBody('Invalid request.\n\n"access_token" wasn\'t supplied.'), 422);
    const record = runtime.ledger.liveAccessToken(accessToken);
    if (!record || record.client.clientId !== auth.value.clientId) return notFound(c);
    return use(auth.value, record);
  }

  function authorization(client: RegisteredClient, record: UserTokenRecord) {
    const user = runtime.world.requireUser(record.login);
    return authorizationBody(runtime.shapes, record, user, { clientId: client.clientId, name: client.name, url: runtime.shapes.webBaseUrl });
  }

  routes.post("/applications/:client_id/token", (c) =>
    runEndpoint(c, runtime, "check_token", () => withClientToken(c, (client, record) => c.json(authorization(client, record)))),
  );

  routes.patch("/applications/:client_id/token", (c) =>
    runEndpoint(c, runtime, "reset_token", () =>
      withClientToken(c, (client, record) => c.json(authorization(client, runtime.ledger.resetAccessToken(record)))),
    ),
  );

  routes.delete("/applications/:client_id/token", (c) =>
    runEndpoint(c, runtime, "delete_token", () =>
      withClientToken(c, (_client, record) => {
        runtime.ledger.revoke(record);
        return c.body(null, 204);
      }),
    ),
  );

  routes.delete("/applications/:client_id/grant", (c) =>
    runEndpoint(c, runtime, "delete_grant", () =>
      withClientToken(c, (client, record) => {
        runtime.ledger.revokeGrant(record.login, client.clientId);
        return c.body(null, 204);
      }),
    ),
  );

  return routes;
}
