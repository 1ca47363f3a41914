// The GitHub simulator: an HTTP server that behaves like GitHub Enterprise Server for everything the
// app calls (web flow, token endpoint, the REST endpoints it uses, webhooks), with knobs for tests.
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { setMaxListeners } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AppJwtVerifier } from "./app-jwt.js";
import { AuthorizationCodes } from "./authorization-codes.js";
import { checkAuthorizationRequest, decideAuthorization } from "./authorization-decision.js";
import { homePage, notFoundPage } from "./authorize-page.js";
import { CallCounters } from "./call-counters.js";
import { FaultBook } from "./faults.js";
import { HeldCalls } from "./held-calls.js";
import { oauthRoutes } from "./oauth-routes.js";
import { RateLimits, rateLimitIdentities, UserTokenRateLimits } from "./rate-limits.js";
import { restRoutes } from "./rest-routes.js";
import type { RegisteredClient, SimulatorEnv, SimulatorRuntime } from "./runtime.js";
import { TokenLedger } from "./token-ledger.js";
import type { AuthorizeParams, GitHubSimulator, StartSimulatorOptions } from "./types.js";
import { prepareWebhook } from "./webhook-events.js";
import { WebhookSender } from "./webhook-sender.js";
import { SimulatorWorld } from "./world.js";

export type * from "./types.js";

const DEFAULT_ACCESS_TOKEN_SECONDS = 28_800;
const DEFAULT_REFRESH_TOKEN_SECONDS = 15_897_600;
/** The App's single webhook, as `X-GitHub-Hook-ID` names it. */
const APP_HOOK_ID = 1;

export async function startSimulator(options: StartSimulatorOptions): Promise<GitHubSimulator> {
  const now = options.now ?? (() => new Date());
  const stopping = new AbortController();
  // Every held or delayed call listens for stop(): dozens at once are expected, not a leak.
  setMaxListeners(0, stopping.signal);
  const world = new SimulatorWorld();
  const appClient: RegisteredClient = {
    kind: "app",
    clientId: options.app.clientId,
    clientSecrets: [options.app.clientSecret, ...(options.app.oldClientSecret ? [options.app.oldClientSecret] : [])],
    callbackUrl: options.app.callbackUrl,
    name: options.app.slug,
  };
  const clients = [appClient];
  if (options.legacyOAuthApp) {
    const legacy = options.legacyOAuthApp;
    clients.push({ kind: "legacy", clientId: legacy.clientId, clientSecrets: [legacy.clientSecret], callbackUrl: legacy.callbackUrl, name: "Legacy OAuth App" });
  }
  const settings = {
    accessTokenSeconds: options.accessTokenLifetimeSeconds === undefined ? DEFAULT_ACCESS_TOKEN_SECONDS : options.accessTokenLifetimeSeconds,
    refreshTokenSeconds: options.refreshTokenLifetimeSeconds ?? DEFAULT_REFRESH_TOKEN_SECONDS,
    latencyMs: options.latencyMs ?? 0,
  };

  const app = new Hono<SimulatorEnv>();
  const server = createAdaptorServer({ fetch: app.fetch, hostname: "127.0.0.1" }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `http://${host}`;

  const runtime: SimulatorRuntime = {
    options,
    settings,
    world,
    ledger: new TokenLedger(now),
    codes: new AuthorizationCodes(now),
    faults: new FaultBook(),
    held: new HeldCalls(),
    counters: new CallCounters(),
    rateLimits: new RateLimits(now),
    userTokenRateLimits: new UserTokenRateLimits(),
    appJwt: new AppJwtVerifier(options.app.publicKey, options.app, now),
    webhooks: new WebhookSender({ target: options.webhook, hookId: APP_HOOK_ID, appId: options.app.id, now }),
    shapes: { apiBaseUrl: `${url}/api/v3`, webBaseUrl: url, app: options.app },
    now,
    stopping: stopping.signal,
    client: (clientId) => clients.find((client) => client.clientId === clientId),
    lifetimesFor: (client) =>
      client.kind === "app" ? settings : { accessTokenSeconds: null, refreshTokenSeconds: settings.refreshTokenSeconds },
  };

  app.get("/", (c) => c.html(homePage({ users: world.allUsers(), installations: world.allInstallations() })));
  app.route("/", oauthRoutes(runtime));
  app.route("/api/v3", restRoutes(runtime));
  app.notFound((c) => c.html(notFoundPage(), 404));

  const clientOfKind = (kind: "app" | "legacy") => {
    const client = clients.find((candidate) => candidate.kind === kind);
    if (!client) throw new Error("Simulator: no legacy OAuth App configured (start it with the `legacyOAuthApp` option)");
    return client;
  };
  const sendWebhook: GitHubSimulator["sendWebhook"] = async (event, action, webhookOptions) => {
    const delivery = await runtime.webhooks.deliver(prepareWebhook(runtime, event, action, webhookOptions));
    return { deliveryId: delivery.guid, guid: delivery.guid, status: delivery.statusCode, id: delivery.id };
  };

  return {
    url,
    host,
    async stop() {
      stopping.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    addUser: (user) => world.addUser(user),
    addInstallation: (installation) => world.addInstallation(installation),
    addOrganization: (organization) => world.addOrganization(organization),
    addRepository: (repository) => world.addRepository(repository),
    setRateLimit: (kind, limit, limitOptions) => runtime.userTokenRateLimits.set(kind, limit, limitOptions?.login),
    issueTokens(login, kind, issueOptions) {
      const user = world.requireUser(login);
      const client = clientOfKind(kind);
      const lifetimes = runtime.lifetimesFor(client);
      const record = runtime.ledger.mint(user.login, client, {
        accessTokenSeconds: issueOptions?.accessTokenLifetimeSeconds === undefined ? lifetimes.accessTokenSeconds : issueOptions.accessTokenLifetimeSeconds,
        refreshTokenSeconds: lifetimes.refreshTokenSeconds,
      });
      return {
        accessToken: record.accessToken,
        refreshToken: record.refreshToken,
        expiresAt: record.expiresAt,
        refreshTokenExpiresAt: record.refreshTokenExpiresAt,
      };
    },
    authorize(params: AuthorizeParams) {
      const request = {
        clientId: params.clientId,
        redirectUri: params.redirectUri,
        state: params.state,
        codeChallenge: params.codeChallenge,
        codeChallengeMethod: params.codeChallenge ? (params.codeChallengeMethod ?? "S256") : undefined,
      };
      const check = checkAuthorizationRequest(runtime, request);
      if (!check.ok && check.kind === "unknown_client") throw new Error(`Simulator: unknown client_id ${params.clientId}`);
      if (!check.ok) return check.location;
      return decideAuthorization(runtime, { ...request, redirectUri: check.redirectUri }, {
        login: params.login,
        decision: params.decision ?? "authorize",
        installationId: params.installationId,
        setupAction: params.installationId === undefined ? undefined : (params.setupAction ?? "install"),
      });
    },
    expireAccessToken: (accessToken) => runtime.ledger.expireNow(accessToken),
    setTokenLifetimes(lifetimes) {
      if (lifetimes.accessTokenSeconds !== undefined) settings.accessTokenSeconds = lifetimes.accessTokenSeconds;
      if (lifetimes.refreshTokenSeconds !== undefined) settings.refreshTokenSeconds = lifetimes.refreshTokenSeconds;
    },
    setUserRateLimit(login, remaining, options = {}) {
      runtime.rateLimits.setRemaining(rateLimitIdentities.user(world.requireUser(login).login), remaining, options.resetInSeconds);
    },
    setLatency(ms) {
      settings.latencyMs = ms;
    },
    injectFault: (endpoint, fault, times) => runtime.faults.inject(endpoint, fault, times),
    clearFaults: () => runtime.faults.clear(),
    held: {
      count: () => runtime.held.count,
      whenHeld: (count) => runtime.held.whenHeld(count),
      release: () => runtime.held.release(),
    },
    counters: {
      refreshes: (login) => runtime.counters.refreshes(login),
      calls: (endpoint) => runtime.counters.calls(endpoint),
      totalCalls: () => runtime.counters.totalCalls(),
      reset: () => runtime.counters.reset(),
    },
    isTokenValid: (accessToken) => runtime.ledger.liveAccessToken(accessToken) !== undefined,
    async revokeGrant(login) {
      runtime.ledger.revokeGrant(world.requireUser(login).login, appClient.clientId);
      await sendWebhook("github_app_authorization", "revoked", { login });
    },
    sendWebhook,
    deliveries: () =>
      runtime.webhooks
        .list()
        .reverse()
        .map(({ id, guid, event, action, statusCode, redelivery }) => ({ id, guid, event, action, statusCode, redelivery })),
    reset() {
      runtime.ledger.clear();
      runtime.codes.clear();
      runtime.webhooks.clear();
      runtime.faults.clear();
      runtime.held.release();
      runtime.counters.reset();
      runtime.rateLimits.clear();
    },
  };
}
