// Start-up: configuration, database (embedded Postgres when DATABASE_URL is unset), migrations,
// then Probot's server. Without App credentials in development it runs Probot's setup flow instead.
import { existsSync } from "node:fs";
import { run } from "probot";
import { startAppServer } from "./app-server.js";
import { ConfigError, loadConfig, logSettings } from "./config.js";
import { migrateToLatest } from "./db/migrator.js";
import { openDatabase } from "./db/open-database.js";
import { createLogger } from "./observability/logger.js";

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
  await run(() => {});
} else {
  const database = await openDatabase(config, { onLog: (message) => log.debug({ postgres: message.trim() }) });
  log.info(database.embedded ? "database: embedded Postgres in the data folder" : "database: DATABASE_URL");
  await migrateToLatest(database.sequelize, { info: (message) => log.info(message) });
  const app = await startAppServer({ config, sequelize: database.sequelize, log });
  for (const job of app.jobs) job.start();
  log.info(`github-app-user-tokens is ready at ${config.baseUrl}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    try {
      await Promise.all(app.jobs.map((job) => job.stop()));
      await app.stop();
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
