// Runs a job every interval with jitter, never overlapping itself within this process. Jobs that
// must run on one instance at a time also wrap their work in runAsSingleton.
import type { Logger } from "pino";

export interface IntervalJob {
  readonly name: string;
  start(): void;
  /** Stops scheduling and waits for a run in progress to finish. */
  stop(): Promise<void>;
  /** Runs once now (waiting for a run already in progress first). */
  runOnce(): Promise<void>;
}

interface ScheduleJobOptions {
  name: string;
  intervalMs: number;
  /** Spread of each wait, as a share of the interval, so instances do not fire in lockstep. */
  jitterRatio?: number;
  run: () => Promise<unknown>;
  log: Logger;
}

export function scheduleJob({ name, intervalMs, jitterRatio = 0.2, run, log }: ScheduleJobOptions): IntervalJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  const runGuarded = async () => {
    const startedAt = Date.now();
    try {
      await run();
    } catch (error) {
      log.error({ err: error, job: name }, `job ${name} failed; it will run again on schedule`);
    } finally {
      log.debug({ job: name, ms: Date.now() - startedAt }, `job ${name} ran`);
    }
  };

  const runOnce = async () => {
    while (running) await running;
    running = runGuarded().finally(() => {
      running = undefined;
    });
    await running;
  };

  const scheduleNext = () => {
    if (stopped) return;
    const jitter = intervalMs * jitterRatio * (Math.random() * 2 - 1);
    timer = setTimeout(() => {
      void runOnce().finally(scheduleNext);
    }, Math.max(0, intervalMs + jitter));
    timer.unref();
  };

  return {
    name,
    start() {
      if (!stopped) return;
      stopped = false;
      scheduleNext();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (running) await running;
    },
    runOnce,
  };
}
