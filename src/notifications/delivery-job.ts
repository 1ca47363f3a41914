// The background job that drains the notification outbox. Not a singleton: SKIP LOCKED claims let
// every instance share the work.
import type { AppConfig } from "../config.js";
import type { Models } from "../db/models/index.js";
import { scheduleJob, type IntervalJob } from "../jobs/interval-job.js";
import type { Logger } from "pino";
import { deliverDueNotifications } from "./delivery.js";

const DELIVERY_INTERVAL_MS = 5_000;

export function createNotificationDeliveryJob({
  config,
  models,
  log,
}: {
  config: Pick<AppConfig, "notifyWebhookUrl" | "notifyWebhookSecret">;
  models: Models;
  log: Logger;
}): IntervalJob {
  const target =
    config.notifyWebhookUrl && config.notifyWebhookSecret
      ? { url: config.notifyWebhookUrl, secret: config.notifyWebhookSecret }
      : null;
  return scheduleJob({
    name: "notification-delivery",
    intervalMs: DELIVERY_INTERVAL_MS,
    log,
    run: async () => {
      const report = await deliverDueNotifications({ models, target });
      if (report.failed > 0) log.warn({ ...report }, "some notifications could not be delivered; they will be retried");
    },
  });
}
