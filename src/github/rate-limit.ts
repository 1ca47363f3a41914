// GitHub's primary rate limit as an answer reports it (x-ratelimit-remaining / x-ratelimit-reset).
export interface GitHubRateLimit {
  remaining: number;
  /** When the window resets. */
  resetAt: Date;
}

type Headers = Record<string, string | number | undefined> | undefined;

/** Null when the answer carried no (or unreadable) rate-limit headers. */
export function rateLimitFromHeaders(headers: Headers): GitHubRateLimit | null {
  const remaining = Number(headers?.["x-ratelimit-remaining"]);
  const reset = Number(headers?.["x-ratelimit-reset"]);
  if (headers?.["x-ratelimit-remaining"] === undefined || !Number.isFinite(remaining) || !Number.isFinite(reset)) return null;
  return { remaining, resetAt: new Date(reset * 1000) };
}
