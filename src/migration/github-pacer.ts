// Paces a migration's calls to GitHub: at most `concurrency` at once, slower when GitHub says the
// rate limit is running low, and a shared pause when GitHub asks us to back off (Retry-After or a
// rate-limit reset), so one throttled answer slows every worker rather than each finding out alone.
import { Counter } from "prom-client";
import { metricsRegistry } from "../observability/metrics.js";

/** Time batches held their GitHub calls back, so a maintainer sees a slow batch is pacing, not stuck. */
export const pacingWaitSeconds = new Counter({
  name: "migration_github_pacing_wait_seconds_total",
  help: "Seconds migration batches waited before GitHub calls: spacing (rate limit running low) or pause (Retry-After, a spent budget).",
  labelNames: ["reason"] as const,
  registers: [metricsRegistry],
});

export interface RateLimitSeen {
  remaining: number;
  /** When the window resets, as GitHub's x-ratelimit-reset says. */
  resetAt: Date;
}

interface GitHubPacerOptions {
  concurrency?: number;
  /** Below this many remaining requests, calls are spread over what is left of the window. */
  lowWatermark?: number;
  /** No single wait is longer than this, whatever GitHub says (the batch re-checks afterwards). */
  maxWaitSeconds?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class GitHubPacer {
  readonly #concurrency: number;
  readonly #lowWatermark: number;
  readonly #maxWaitMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #active = 0;
  readonly #waiting: Array<() => void> = [];
  #resumeAt = 0;
  #spacingMs = 0;
  #lastStartAt = Number.NEGATIVE_INFINITY;

  constructor({
    concurrency = 8,
    lowWatermark = 100,
    maxWaitSeconds = 60,
    now = Date.now,
    sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }: GitHubPacerOptions = {}) {
    this.#concurrency = concurrency;
    this.#lowWatermark = lowWatermark;
    this.#maxWaitMs = maxWaitSeconds * 1000;
    this.#now = now;
    this.#sleep = sleep;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      await this.#waitForTurn();
      return await work();
    } finally {
      this.#release();
    }
  }

  observeRateLimit({ remaining, resetAt }: RateLimitSeen): void {
    if (remaining >= this.#lowWatermark) {
      this.#spacingMs = 0;
      return;
    }
    const windowLeftMs = Math.max(0, resetAt.getTime() - this.#now());
    if (remaining <= 0) {
      this.pauseFor(windowLeftMs / 1000);
      return;
    }
    this.#spacingMs = Math.min(this.#maxWaitMs, windowLeftMs / remaining);
  }

  /** Every worker waits this long before its next call (capped at maxWaitSeconds). */
  pauseFor(seconds: number): void {
    const until = this.#now() + Math.min(this.#maxWaitMs, Math.max(0, seconds * 1000));
    this.#resumeAt = Math.max(this.#resumeAt, until);
  }

  async #waitForTurn(): Promise<void> {
    for (;;) {
      const now = this.#now();
      // Spacing counts from the last start as it is now, so a low budget seen by a call in flight
      // already delays the very next call.
      const startAt = Math.max(this.#resumeAt, this.#lastStartAt + this.#spacingMs);
      if (startAt <= now) {
        this.#lastStartAt = now;
        return;
      }
      pacingWaitSeconds.inc({ reason: this.#resumeAt >= this.#lastStartAt + this.#spacingMs ? "pause" : "spacing" }, (startAt - now) / 1000);
      await this.#sleep(startAt - now);
    }
  }

  async #acquire(): Promise<void> {
    if (this.#active < this.#concurrency) {
      this.#active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#active -= 1;
  }
}
