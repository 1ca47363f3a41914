// Every background job of an instance, built over the shared services. main.ts starts them after
// the server is up and stops them first on shutdown.
import type { Services } from "../services.js";
import type { IntervalJob } from "./interval-job.js";

export function createJobs(_services: Services): IntervalJob[] {
  return [];
}
