// Builds one running instance of the app on an open database: services, Probot, HTTP server.
// main.ts, the demo, the benchmarks and the integration tests all start instances through here.
import type { Server as HttpServer } from "node:http";
import type { Logger } from "pino";
import { Probot, Server } from "probot";
import type { Sequelize } from "sequelize";
import type { AppConfig } from "./config.js";
import { ChannelListener } from "./db/channel-listener.js";
import { FLAG_CHANGE_CHANNEL } from "./db/migrations/0018-flag-change-notify.js";
import { defineModels } from "./db/models/index.js";
import { fetchWithTimeout } from "./github/app-api.js";
import { answerFirst } from "./http/token-api-fast-path.js";
import { createAppFunction, createTokenApiFastPath, createWebhookMiddleware, WEBHOOK_PATH } from "./index.js";
import { createServices, type Services } from "./services.js";

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
  const webhookMiddleware = createWebhookMiddleware(services);
  const AppProbot = Probot.defaults({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    // Probot's Octokit talks to GitHub Enterprise Server (and the simulator) through its API root.
    ...(config.github.enterprise ? { baseUrl: config.github.apiBaseUrl } : {}),
    log,
  });
  const server = new Server({
    // The server asks its Probot for the webhook path's handler: ours checks the signature with the
    // same middleware but hands handlers the plain event, not an installation Octokit per event.
    Probot: class extends AppProbot {
      override async getNodeMiddleware() {
        return webhookMiddleware;
      }
    },
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
  // Flags are held in memory and dropped on every change announced by the feature_flags trigger.
  const flagChanges = new ChannelListener({
    sequelize,
    channel: FLAG_CHANGE_CHANNEL,
    onNotification: () => services.flags.invalidate(),
    onListening: () => services.flags.invalidate(),
    log,
  });
  await flagChanges.start();
  services.flags.followChanges(flagChanges);
  const httpServer = await server.start();
  answerFirst(httpServer, await createTokenApiFastPath(services));
  return {
    services,
    server,
    httpServer,
    url: `http://${server.host.includes(":") && !server.host.startsWith("[") ? `[${server.host}]` : server.host}:${server.port}`,
    stop: async () => {
      await server.stop();
      await flagChanges.stop();
    },
  };
}
