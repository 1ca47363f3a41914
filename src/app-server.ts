// Builds one running instance of the app on an open database: services, Probot, HTTP server.
// main.ts, the demo, the benchmarks and the integration tests all start instances through here.
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { Probot, Server } from "probot";
import type { Sequelize } from "sequelize";
import type { AppConfig } from "./config.js";
import { defineModels } from "./db/models/index.js";
import { fetchWithTimeout } from "./github/app-api.js";
import { createAppFunction, WEBHOOK_PATH } from "./index.js";
import { createServices, type Services } from "./services.js";
import { webhookSignatureGate } from "./webhooks/signature-gate.js";

export interface RunningApp {
  services: Services;
  server: Server;
  httpServer: HttpServer;
  /** http://host:port of this instance. */
  url: string;
  stop(): Promise<void>;
}

export interface StartAppServerOptions {
  config: AppConfig;
  sequelize: Sequelize;
  log: Logger;
}

export async function startAppServer({ config, sequelize, log }: StartAppServerOptions): Promise<RunningApp> {
  if (config.appId === null || config.privateKey === null) {
    throw new Error("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are required to run the app");
  }
  const services = createServices({ config, models: defineModels(sequelize), log });
  const server = new Server({
    Probot: Probot.defaults({
      appId: config.appId,
      privateKey: config.privateKey,
      secret: config.webhookSecret,
      // Probot's Octokit talks to GitHub Enterprise Server (and the simulator) through its API root.
      ...(config.github.enterprise ? { baseUrl: config.github.apiBaseUrl } : {}),
      log,
    }),
    // Octokit would wait forever for a GitHub that never answers. Given here, not in Probot.defaults:
    // the Server passes its own `request` (undefined unless set) over the defaults.
    request: { fetch: fetchWithTimeout(config.githubRequestTimeoutMs) },
    port: config.port,
    host: config.host,
    webhookPath: WEBHOOK_PATH,
    webhookProxy: config.webhookProxyUrl ?? undefined,
    enableStaticFiles: false,
    log,
  });
  await server.load(createAppFunction(services));
  const httpServer = await server.start();
  guardWebhookSignatures(httpServer, webhookSignatureGate({ secret: config.webhookSecret, webhookPath: WEBHOOK_PATH, log }));
  return {
    services,
    server,
    httpServer,
    url: `http://${server.host.includes(":") && !server.host.startsWith("[") ? `[${server.host}]` : server.host}:${server.port}`,
    stop: async () => {
      await server.stop();
      // Revocations a sign-in started in the background finish before the database may close.
      await services.replacedTokenRevocations.whenIdle();
    },
  };
}

/**
 * Probot's Server puts its webhook middleware before every handler an app adds, so the signature
 * gate goes in front of the server's own request listener instead.
 */
function guardWebhookSignatures(httpServer: HttpServer, gate: ReturnType<typeof webhookSignatureGate>): void {
  const listeners = httpServer.listeners("request") as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  httpServer.removeAllListeners("request");
  httpServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
    void gate(req, res).then(
      (answered) => {
        if (!answered) for (const listener of listeners) listener.call(httpServer, req, res);
      },
      () => {
        if (!res.headersSent) res.writeHead(400).end();
      },
    );
  });
}
