// Refreshes a GitHub App user access token: POST {webBaseUrl}/login/oauth/access_token with
// grant_type=refresh_token. Never used through @octokit/auth-oauth-user, which cannot coordinate
// refreshes between instances (DESIGN.md "GitHub facts").
import { refreshToken } from "@octokit/oauth-methods";
import { request as baseRequest } from "@octokit/request";
import type { GitHubEndpoints } from "../config.js";
import { classifyOAuthErrorBody, classifyRequestFailure } from "./classify.js";
import { GitHubRequestRejectedError, TransientGitHubError } from "./errors.js";

interface RefreshUserTokenOptions {
  github: GitHubEndpoints;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  timeoutMs: number;
  /** Told the response headers of every answer (rate-limit bookkeeping). */
  onResponseHeaders?: (headers: Record<string, string | number | undefined>) => void;
}

export interface RefreshedUserTokens {
  accessToken: string;
  accessTokenExpiresAt: Date | null;
  /** Null when the App has token expiration turned off. */
  refreshToken: string | null;
  refreshTokenExpiresAt: Date | null;
}

interface OctokitAnswer {
  data: unknown;
  headers: Record<string, string | number | undefined>;
}

interface TokenAnswer {
  access_token?: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
}

const OPERATION = "refresh user token";

/** Throws TerminalTokenError (bad_refresh_token, invalid_grant), TransientGitHubError, or GitHubRequestRejectedError. */
export async function refreshUserToken(options: RefreshUserTokenOptions): Promise<RefreshedUserTokens> {
  let answer: { data: TokenAnswer; headers: Record<string, string | number | undefined> } | undefined;
  const sentAt = Date.now();
  // oauth-methods derives the OAuth root from the request's baseUrl; @octokit/request would
  // otherwise default to api.github.com, which is wrong for GitHub Enterprise Server.
  const request = baseRequest.defaults({
    baseUrl: options.github.webBaseUrl,
    request: {
      signal: AbortSignal.timeout(options.timeoutMs),
      hook: async (send: (requestOptions: unknown) => Promise<OctokitAnswer>, requestOptions: unknown) => {
        const response = await send(requestOptions);
        answer = { data: response.data as TokenAnswer, headers: response.headers };
        return response;
      },
    },
  });
  try {
    await refreshToken({
      clientType: "github-app",
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      refreshToken: options.refreshToken,
      request,
    });
  } catch (error) {
    if (answer) options.onResponseHeaders?.(answer.headers);
    const body = (error as { response?: { data?: unknown } }).response?.data;
    if (isOAuthErrorBody(body)) throw classifyOAuthErrorBody(body, OPERATION);
    // oauth-methods computes expiry dates from expires_in and throws a RangeError on an answer
    // without them (expiration turned off); that answer is a success, read below.
    if (!(error instanceof RangeError && answer?.data.access_token)) throw classifyRequestFailure(error, OPERATION);
  }
  if (!answer?.data.access_token) {
    // @octokit/request hands over an empty string when the connection broke while the body was
    // being read: GitHub may have rotated the pair, so this is no "no".
    if (typeof answer?.data !== "object" || answer.data === null) {
      throw new TransientGitHubError(`${OPERATION}: GitHub's answer was cut off before it could be read`, 200, "unreadable_answer", null, "unknown");
    }
    throw new GitHubRequestRejectedError(`${OPERATION}: GitHub answered without an access token`, 200, null);
  }
  options.onResponseHeaders?.(answer.headers);
  // Expiry is counted from when we asked, so clock skew and latency only ever make it earlier.
  return toRefreshedTokens(answer.data, sentAt);
}

function toRefreshedTokens(data: TokenAnswer, sentAt: number): RefreshedUserTokens {
  const at = (seconds: number | undefined) => (typeof seconds === "number" ? new Date(sentAt + seconds * 1000) : null);
  return {
    accessToken: data.access_token as string,
    accessTokenExpiresAt: at(data.expires_in),
    refreshToken: data.refresh_token ?? null,
    refreshTokenExpiresAt: data.refresh_token ? at(data.refresh_token_expires_in) : null,
  };
}

function isOAuthErrorBody(body: unknown): body is { error: string; error_description?: string } {
  return typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string";
}
