// Turns whatever a call to GitHub threw or answered into one of our classified errors.
import {
  GitHubError,
  GitHubRequestRejectedError,
  TERMINAL_REFRESH_ERRORS,
  TerminalTokenError,
  TransientGitHubError,
} from "./errors.js";

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/**
 * For REST calls (Probot's Octokit, @octokit/request). `operation` names the call in messages,
 * which never include request headers or bodies, so no credential can leak through them.
 */
export function classifyRequestFailure(error: unknown, operation: string): GitHubError {
  if (error instanceof GitHubError) return error;
  const failure = (error ?? {}) as RequestErrorLike;
  const status = typeof failure.status === "number" ? failure.status : null;
  const headers = failure.response?.headers ?? {};
  const header = (name: string) => {
    const value = headers[name];
    return value === undefined ? undefined : String(value);
  };

  // @octokit/request reports network failures and timeouts as status 500 without a response.
  if (!failure.response || status === null) {
    const cause = networkFailureCode(error);
    // Only a connection that was never made proves the request was not sent.
    const outcome = NEVER_SENT.has(cause) ? "not_done" : "unknown";
    return new TransientGitHubError(`${operation}: GitHub did not answer (${cause})`, null, "network", null, outcome);
  }
  if (status === 429) {
    return new TransientGitHubError(`${operation}: GitHub answered ${status}`, status, null, retryAfter(header), "not_done");
  }
  // A 5xx often comes from a gateway in front of GitHub, which may have passed the request on.
  if (status >= 500) {
    return new TransientGitHubError(`${operation}: GitHub answered ${status}`, status, null, retryAfter(header), "unknown");
  }
  if (status === 403 && (header("x-ratelimit-remaining") === "0" || /rate limit/i.test(failure.message ?? ""))) {
    return new TransientGitHubError(`${operation}: rate limited by GitHub`, status, "rate_limited", retryAfter(header), "not_done");
  }
  if (status === 401) {
    return new TerminalTokenError(`${operation}: GitHub refused the credentials (401)`, status, "bad_credentials");
  }
  return new GitHubRequestRejectedError(`${operation}: GitHub answered ${status}`, status, null);
}

/**
 * GitHub's OAuth endpoint answers errors with HTTP 200 and `{ error, error_description }`:
 * the body decides, never the status.
 */
export function classifyOAuthErrorBody(
  body: { error: string; error_description?: string },
  operation: string,
): GitHubError {
  const message = `${operation}: ${body.error}${body.error_description ? ` (${body.error_description})` : ""}`;
  if (TERMINAL_REFRESH_ERRORS.has(body.error)) return new TerminalTokenError(message, 200, body.error);
  if (body.error === "slow_down" || body.error === "temporarily_unavailable") {
    return new TransientGitHubError(message, 200, body.error, null, "not_done");
  }
  return new GitHubRequestRejectedError(message, 200, body.error);
}

function retryAfter(header: (name: string) => string | undefined): number | null {
  const seconds = Number(header("retry-after"));
  if (Number.isFinite(seconds) && seconds > 0) return seconds;
  // GitHub sends x-ratelimit-reset on every answer, 5xx included: it says when to come back only when
  // the budget is spent. Read on a plain 500 it paused whole batches for up to the pacer's maximum.
  const reset = Number(header("x-ratelimit-reset"));
  if (header("x-ratelimit-remaining") === "0" && Number.isFinite(reset) && reset > 0) return Math.max(1, Math.ceil(reset - Date.now() / 1000));
  return null;
}

/** Failures that happen before a single byte of the request leaves: nothing can have been done. */
const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * The most specific name of a network failure: fetch wraps the socket's error (`ECONNREFUSED`,
 * `UND_ERR_SOCKET`) in a TypeError, and a timeout arrives as a `TimeoutError` cause.
 */
function networkFailureCode(error: unknown): string {
  let current = error as { cause?: unknown; code?: unknown; name?: unknown } | undefined;
  let best: string | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === "string") return current.code;
    if (typeof current.name === "string" && current.name !== "TypeError" && current.name !== "HttpError" && current.name !== "Error") best = current.name;
    current = current.cause as typeof current;
  }
  return best ?? "unknown error";
}
