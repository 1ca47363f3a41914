// Starts a real app instance (Probot's Server on a free port) on a test database.
import { PassThrough } from "node:stream";
import type { Logger } from "pino";
import type { Sequelize } from "sequelize";
import { startAppServer, type RunningApp } from "../../src/app-server.js";
import { findFreePort } from "../../src/free-port.js";
import { createLogger } from "../../src/observability/logger.js";
import { testConfig } from "./config.js";

export interface TestApp extends RunningApp {
  /** Every log line the instance wrote, as parsed JSON. */
  logLines(): Array<Record<string, unknown>>;
}

export interface StartTestAppOptions {
  sequelize: Sequelize;
  env?: Record<string, string | undefined>;
  logLevel?: "trace" | "debug" | "info" | "warn" | "error";
}

export async function startTestApp({ sequelize, env = {}, logLevel = "warn" }: StartTestAppOptions): Promise<TestApp> {
  const port = await findFreePort();
  const config = testConfig({ PORT: String(port), BASE_URL: `http://127.0.0.1:${port}`, ...env });
  const { log, lines } = await captureLog(logLevel);
  const app = await startAppServer({ config, sequelize, log });
  return { ...app, logLines: lines };
}

export async function captureLog(level: StartTestAppOptions["logLevel"] = "warn"): Promise<{
  log: Logger;
  lines: () => Array<Record<string, unknown>>;
}> {
  const captured: string[] = [];
  const destination = new PassThrough();
  destination.on("data", (chunk: Buffer) => captured.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
  const log = await createLogger({ level: level ?? "warn", destination });
  return { log, lines: () => captured.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
