// Start-up: configuration, database (embedded Postgres when DATABASE_URL is unset), migrations,
// then Probot's server. Without App credentials in development it runs Probot's setup flow instead.
import { existsSync } from "node:fs";
import { startAppServer } from "./app-server.js";
import { ConfigError, featureWarnings, loadConfig, logSettings } from "./config.js";
import { migrateToLatest } from "./db/migrator.js";
import { openDatabase } from "./db/open-database.js";
import { warnAboutClientCredentials } from "./doctor/doctor.js";
import { createLogger } from "./observability/logger.js";
import { runSetupFlow } from "./setup-flow.js";

if (existsSync(".env")) process.loadEnvFile(".env");

const log = await createLogger(logSettings(process.env));

let config;
try {
  config = loadConfig({ env: process.env, warn: (message) => log.warn(message) });
} catch (error) {
  if (error instanceof ConfigError) {
    log.fatal(error.message);
    process.exit(1);
  }
  throw error;
}

if (config.appId === null || config.privateKey === null) {
  // Probot's setup flow registers the GitHub App from app.yml and writes APP_ID, PRIVATE_KEY,
  // WEBHOOK_SECRET, GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET into .env; restart afterwards.
  log.warn("APP_ID or PRIVATE_KEY is missing: starting Probot's setup flow to register the GitHub App.");
  await runSetupFlow({ host: config.host, port: config.port, log });
} else {
  for (const warning of featureWarnings(config)) log.warn(warning);
  const database = await openDatabase(config, { onLog: (message) => log.debug({ postgres: message.trim() }) });
  log.info(`database: ${database.description}`);
  await migrateToLatest(database.sequelize, { info: (message) => log.info(message) });
  const app = await startAppServer({ config, sequelize: database.sequelize, log });
  for (const job of app.jobs) job.start();
  log.info(`github-app-user-tokens is ready at ${config.baseUrl}`);
  // Not awaited: GitHub's answer must not hold up serving. A failure is a warning naming the variable.
  void warnAboutClientCredentials(app.services.oauthClients, log).catch((error: unknown) =>
    log.warn({ err: error }, "could not check the OAuth clients' credentials at start-up"),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    try {
      await Promise.all(app.jobs.map((job) => job.stop()));
      await app.stop();
      // No new batch can start now; running ones end on their own, each user's outcome written
      // whole. A kill before then is safe too: their claims run out and another batch takes over.
      await app.services.migrationBatches.whenIdle();
      // app.stop() wrote the token activity counted so far; these batches may have refreshed since.
      await app.services.tokenActivity.flush();
      await database.close();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
