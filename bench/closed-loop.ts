// The measuring loop of the floor scripts: `concurrency` workers repeat one operation until the time
// runs out, as autocannon's connections do against the app, so both sides of a ratio load alike.
import { performance } from "node:perf_hooks";

export interface LoadResult {
  perSecond: number;
  count: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  operation: () => Promise<void>;
}

export async function closedLoop({ concurrency, durationMs, operation }: ClosedLoopOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const begun = performance.now();
        try {
          await operation();
          latencies.push(performance.now() - begun);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? 0;
  return { perSecond: latencies.length / elapsedSeconds, count: latencies.length, errors, p50Ms: percentile(50), p99Ms: percentile(99) };
}

/** Floor and load scripts take their input as one JSON argument and print one JSON line as their result. */
export function scriptInput<T>(): T {
  return JSON.parse(process.argv[2] ?? "{}") as T;
}

export function printResult(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
