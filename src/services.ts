// The composition root: builds every service once from configuration and the database, so the
// Probot app function, the jobs and the CLI all share the same objects.
import type { Logger } from "pino";
import type { AppConfig } from "./config.js";
import type { Models } from "./db/models/index.js";

export interface Services {
  config: AppConfig;
  models: Models;
  log: Logger;
}

export interface CreateServicesOptions {
  config: AppConfig;
  models: Models;
  log: Logger;
}

export function createServices({ config, models, log }: CreateServicesOptions): Services {
  return { config, models, log };
}
