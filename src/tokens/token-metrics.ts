// Prometheus figures for the token vault: what resolution served, how refreshes went, how long the
// row lock made callers wait, and what GitHub says is left of the rate limit.
import { Counter, Gauge, Histogram } from "prom-client";
import { metricsRegistry } from "../observability/metrics.js";

/** `unknown`: GitHub may have rotated the pair but we did not read its answer (the row is in doubt). */
export const REFRESH_OUTCOMES = ["success", "terminal", "transient", "unknown", "lost"] as const;
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];

export const tokenMetrics = {
  resolutions: new Counter({
    name: "token_resolutions_total",
    help: "Token resolutions answered, by the kind of token served (or reauth_required / unavailable).",
    labelNames: ["type"] as const,
    registers: [metricsRegistry],
  }),
  fallbacks: new Counter({
    name: "token_oauth_fallbacks_total",
    help: "Resolutions that served a legacy OAuth token, by why the App token was not served.",
    labelNames: ["reason"] as const,
    registers: [metricsRegistry],
  }),
  refreshes: new Counter({
    name: "token_refreshes_total",
    help: "Refreshes attempted at GitHub, by outcome (unknown: the answer was lost, the row is in doubt; lost: GitHub rotated but storing the new pair failed).",
    labelNames: ["outcome"] as const,
    registers: [metricsRegistry],
  }),
  refreshDuration: new Histogram({
    name: "token_refresh_duration_seconds",
    help: "Time of the GitHub refresh call, by outcome.",
    labelNames: ["outcome"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metricsRegistry],
  }),
  refreshFailures: new Counter({
    name: "token_refresh_failures_total",
    help: "Refreshes that failed for good, by class (lost_race, interrupted, revoked, refresh_token_expired, installation_or_account_gone, unknown).",
    labelNames: ["class"] as const,
    registers: [metricsRegistry],
  }),
  lockWait: new Histogram({
    name: "token_refresh_lock_wait_seconds",
    help: "Time spent waiting for a user's row lock before refreshing.",
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5],
    registers: [metricsRegistry],
  }),
  rateLimitRemaining: new Gauge({
    name: "github_rate_limit_remaining",
    help: "x-ratelimit-remaining of the latest GitHub answer that carried it, by resource.",
    labelNames: ["resource"] as const,
    registers: [metricsRegistry],
  }),
};

/** Records GitHub's rate-limit headers when an answer carries them. */
export function observeRateLimit(headers: Record<string, string | number | undefined>): void {
  const remaining = Number(headers["x-ratelimit-remaining"]);
  if (headers["x-ratelimit-remaining"] === undefined || !Number.isFinite(remaining)) return;
  tokenMetrics.rateLimitRemaining.set({ resource: String(headers["x-ratelimit-resource"] ?? "core") }, remaining);
}
