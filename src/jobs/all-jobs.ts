// Every background job of an instance, built over the shared services. main.ts starts them after
// the server is up and stops them first on shutdown.
import type { Services } from "../services.js";
import { createNotificationDeliveryJob } from "../notifications/delivery-job.js";
import { RECONCILIATION_JOB } from "../installations/reconciliation.js";
import { createWebhookRedeliveryJob } from "../webhooks/redelivery.js";
import { scheduleJob, type IntervalJob } from "./interval-job.js";

const READINESS_SCAN_INTERVAL_MS = 5_000;
const ROLLOUT_GUARD_INTERVAL_MS = 5_000;

export function createJobs(services: Services): IntervalJob[] {
  return [
    scheduleJob({
      name: "token-keep-alive",
      intervalMs: services.config.keepAliveIntervalSeconds * 1000,
      run: () => services.tokenKeepAlive.runPass(),
      log: services.log,
    }),
    createNotificationDeliveryJob(services),
    scheduleJob({
      name: RECONCILIATION_JOB,
      intervalMs: services.config.reconcileIntervalSeconds * 1000,
      run: () => services.installationReconciliation.runPass(),
      log: services.log,
    }),
    createWebhookRedeliveryJob(services),
    // Every instance helps with a running readiness scan; SKIP LOCKED claims keep them apart.
    scheduleJob({ name: "readiness-scan", intervalMs: READINESS_SCAN_INTERVAL_MS, run: () => services.readinessScan.runPass(), log: services.log }),
    // This instance's resolution outcomes go to the database, then the guard judges every instance's.
    scheduleJob({
      name: "rollout-guard",
      intervalMs: ROLLOUT_GUARD_INTERVAL_MS,
      run: async () => {
        await services.resolutionOutcomes.flush();
        await services.rolloutGuard.evaluate();
      },
      log: services.log,
    }),
  ];
}
