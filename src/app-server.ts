// Starts one running instance of the app on an open database: the composition root's services and
// jobs, and Probot's Server on a port. main.ts, the demo, the benchmarks and the integration tests
// all start instances through here.
import type { Server as HttpServer } from "node:http";
import type { Logger } from "pino";
import { Server } from "probot";
import type { Sequelize } from "sequelize";
import type { AppConfig } from "./config.js";
import { defineModels } from "./db/models/index.js";
import type { IntervalJob } from "./jobs/interval-job.js";
import { WEBHOOK_PATH } from "./index.js";
import { composeApp, type Services } from "./services.js";

export interface RunningApp {
  services: Services;
  /** The instance's background jobs, not started (main and the demo start them; tests and bench do not). */
  jobs: IntervalJob[];
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
  const { services, jobs, github, appFunction } = composeApp({ config, models: defineModels(sequelize), log });
  // The Server builds this process's one Probot from the binding github/ made.
  const { Probot, request } = github.appProbot();
  const server = new Server({
    Probot,
    request,
    port: config.port,
    host: config.host,
    webhookPath: WEBHOOK_PATH,
    webhookProxy: config.webhookProxyUrl ?? undefined,
    enableStaticFiles: false,
    log,
  });
  await server.load(appFunction);
  const httpServer = await server.start();
  return {
    services,
    jobs,
    server,
    httpServer,
    url: `http://${server.host.includes(":") && !server.host.startsWith("[") ? `[${server.host}]` : server.host}:${server.port}`,
    stop: () => server.stop(),
  };
}
