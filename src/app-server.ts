// Starts one running instance of the app on an open database: the composition root's services and
// jobs, and Probot's Server on a port. main.ts, the demo, the benchmarks and the integration tests
// all start instances through here.
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { Server } from "probot";
import type { Sequelize } from "sequelize";
import type { AppConfig } from "./config.js";
import { ChannelListener } from "./db/channel-listener.js";
import { FLAG_CHANGE_CHANNEL } from "./db/migrations/0018-flag-change-notify.js";
import { defineModels } from "./db/models/index.js";
import { answerFirst } from "./http/token-api-fast-path.js";
import type { IntervalJob } from "./jobs/interval-job.js";
import { createWebhookReceiver } from "./github/webhook-receiver.js";
import { createAppFunction, createHttpApp, createTokenApiFastPath, WEBHOOK_PATH } from "./index.js";
import { registerWebhookHandlers } from "./webhooks/webhook-handlers.js";
import { composeApp, type Services } from "./services.js";
import { webhookSignatureGate } from "./webhooks/signature-gate.js";

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

interface StartAppServerOptions {
  config: AppConfig;
  sequelize: Sequelize;
  log: Logger;
}

export async function startAppServer({ config, sequelize, log }: StartAppServerOptions): Promise<RunningApp> {
  if (config.appId === null || config.privateKey === null) {
    throw new Error("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are required to run the app");
  }
  const { services, jobs, github, webhooks } = composeApp({ config, models: defineModels(sequelize), log });
  const webhookMiddleware = createWebhookReceiver({
    secret: config.webhookSecret,
    path: WEBHOOK_PATH,
    log,
    register: (receiver) => registerWebhookHandlers(receiver, webhooks),
  });
  // The Server builds this process's one Probot from the binding github/ made.
  const { Probot, request } = github.appProbot();
  const server = new Server({
    // The server asks its Probot for the webhook path's handler: ours checks the signature with the
    // same middleware but hands handlers the plain event, not an installation Octokit per event.
    Probot: class extends Probot {
      override async getNodeMiddleware() {
        return webhookMiddleware;
      }
    },
    request,
    port: config.port,
    host: config.host,
    webhookPath: WEBHOOK_PATH,
    webhookProxy: config.webhookProxyUrl ?? undefined,
    enableStaticFiles: false,
    log,
  });
  await server.load(createAppFunction({ githubApp: github.app, httpApp: () => createHttpApp(services) }));
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
  const tokenApiFastPath = await createTokenApiFastPath(services);
  const httpServer = await server.start();
  guardWebhookSignatures(httpServer, webhookSignatureGate({ secret: config.webhookSecret, webhookPath: WEBHOOK_PATH, log }));
  // Last, so first: the token route is answered before anything else looks at the request.
  answerFirst(httpServer, tokenApiFastPath);
  return {
    services,
    jobs,
    server,
    httpServer,
    url: `http://${server.host.includes(":") && !server.host.startsWith("[") ? `[${server.host}]` : server.host}:${server.port}`,
    stop: async () => {
      await server.stop();
      await flagChanges.stop();
      // What this instance counted since the last flush; nothing is counted once the server stopped.
      await services.tokenActivity.flush().catch((error: unknown) => log.warn({ err: error }, "could not write the last token activity counts"));
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
