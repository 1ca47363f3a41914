// How each REST endpoint authenticates, with GitHub's answers when it fails. Each check also names
// whose rate-limit budget the request spends.
import type { Context } from "hono";
import { rateLimitIdentities } from "./rate-limits.js";
import { basicCredentials, bearerToken } from "./request-input.js";
import { basicErrorBody } from "./response-shapes.js";
import type { RegisteredClient, SimulatorEnv, SimulatorRuntime } from "./runtime.js";
import type { InstallationTokenRecord, UserTokenRecord } from "./token-ledger.js";
import type { SimulatorUser } from "./types.js";

type Authenticated<T> = { ok: true; value: T } | { ok: false; response: Response };

const DOCS = "https://docs.github.com/enterprise-server/rest";

function badCredentials(c: Context<SimulatorEnv>): Response {
  return c.json(basicErrorBody("Bad credentials", DOCS), 401);
}

export function notFound(c: Context<SimulatorEnv>): Response {
  return c.json(basicErrorBody("Not Found", DOCS), 404);
}

/** A live user access token (App `ghu_` or OAuth `gho_`), sent as `token X` or `Bearer X`. */
export function authenticateUser(c: Context<SimulatorEnv>, runtime: SimulatorRuntime): Authenticated<{ token: UserTokenRecord; user: SimulatorUser }> {
  const token = bearerToken(c);
  const record = token ? runtime.ledger.liveAccessToken(token) : undefined;
  const user = record && runtime.world.user(record.login);
  if (!record || !user) {
    if (token && runtime.ledger.liveInstallationToken(token)) {
      return { ok: false, response: c.json(basicErrorBody("Resource not accessible by integration", DOCS), 403) };
    }
    return { ok: false, response: badCredentials(c) };
  }
  c.set("rateLimitIdentity", rateLimitIdentities.user(user.login, runtime.userTokenRateLimits.limitFor(record.client.kind, user.login)));
  return { ok: true, value: { token: record, user } };
}

export function authenticateInstallation(c: Context<SimulatorEnv>, runtime: SimulatorRuntime): Authenticated<InstallationTokenRecord> {
  const token = bearerToken(c);
  const record = token ? runtime.ledger.liveInstallationToken(token) : undefined;
  if (!record) return { ok: false, response: badCredentials(c) };
  c.set("rateLimitIdentity", rateLimitIdentities.installation(record.installationId));
  return { ok: true, value: record };
}

/** The App's own JWT (`Authorization: Bearer <jwt>`), verified against its public key. */
export function authenticateApp(c: Context<SimulatorEnv>, runtime: SimulatorRuntime): Authenticated<null> {
  const jwt = /^bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  if (!jwt) {
    return { ok: false, response: c.json(basicErrorBody("A JSON web token could not be decoded", DOCS), 401) };
  }
  const verdict = runtime.appJwt.verify(jwt);
  if (!verdict.ok) return { ok: false, response: c.json(basicErrorBody(verdict.message, DOCS), 401) };
  c.set("rateLimitIdentity", rateLimitIdentities.app(runtime.options.app.id));
  return { ok: true, value: null };
}

/**
 * Basic auth with the client id and secret of the client named in the path (`/applications/{client_id}/...`).
 * As on GitHub, wrong or missing client credentials answer 404, exactly like a dead token does.
 */
export function authenticateClient(c: Context<SimulatorEnv>, runtime: SimulatorRuntime, clientId: string): Authenticated<RegisteredClient> {
  const client = runtime.client(clientId);
  if (!client) return { ok: false, response: notFound(c) };
  const credentials = basicCredentials(c);
  if (!credentials || credentials.username !== client.clientId || !client.clientSecrets.includes(credentials.password)) {
    return { ok: false, response: notFound(c) };
  }
  c.set("rateLimitIdentity", rateLimitIdentities.oauthClient(client.clientId));
  return { ok: true, value: client };
}
