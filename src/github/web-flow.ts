// The GitHub App web flow with PKCE: the authorize URL we send users to, and the code exchange.
// @octokit/oauth-methods cannot send a code_verifier, so the exchange is one POST of our own.
import { request as baseRequest } from "@octokit/request";
import type { GitHubEndpoints } from "../config.js";
import { classifyOAuthErrorBody, classifyRequestFailure } from "./classify.js";
import { GitHubRequestRejectedError } from "./errors.js";

interface AuthorizeUrlOptions {
  github: GitHubEndpoints;
  clientId: string;
  redirectUri: string;
  state: string;
  /** BASE64URL(SHA256(verifier)); GitHub supports S256 only. */
  codeChallenge: string;
  /** Pre-selects the account on GitHub's page (consent links bound to one user). */
  login?: string | null;
}

export function authorizeUrl({ github, clientId, redirectUri, state, codeChallenge, login }: AuthorizeUrlOptions): string {
  const url = new URL("/login/oauth/authorize", github.webBaseUrl);
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  if (login) url.searchParams.set("login", login);
  return url.toString();
}

interface ExchangeWebFlowCodeOptions {
  github: GitHubEndpoints;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
  codeVerifier: string;
  timeoutMs: number;
}

export interface ExchangedUserTokens {
  accessToken: string;
  accessTokenExpiresAt: Date | null;
  /** Null when the App has token expiration turned off. */
  refreshToken: string | null;
  refreshTokenExpiresAt: Date | null;
}

interface TokenAnswer {
  access_token?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  refresh_token_expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

const OPERATION = "exchange web flow code";

/**
 * POST {webBaseUrl}/login/oauth/access_token. GitHub answers errors (bad_verification_code,
 * redirect_uri_mismatch, incorrect_client_credentials, unverified_user_email…) with HTTP 200 and an
 * error body, so the body decides. Throws GitHubRequestRejectedError or TransientGitHubError.
 */
export async function exchangeWebFlowCode(options: ExchangeWebFlowCodeOptions): Promise<ExchangedUserTokens> {
  const sentAt = Date.now();
  let data: TokenAnswer;
  try {
    const response = await baseRequest("POST /login/oauth/access_token", {
      baseUrl: options.github.webBaseUrl,
      headers: { accept: "application/json" },
      client_id: options.clientId,
      client_secret: options.clientSecret,
      code: options.code,
      redirect_uri: options.redirectUri,
      code_verifier: options.codeVerifier,
      request: { signal: AbortSignal.timeout(options.timeoutMs) },
    });
    data = (response.data ?? {}) as TokenAnswer;
  } catch (error) {
    const body = (error as { response?: { data?: TokenAnswer } }).response?.data;
    if (typeof body?.error === "string") throw classifyOAuthErrorBody(oauthErrorBody(body), OPERATION);
    throw classifyRequestFailure(error, OPERATION);
  }
  if (typeof data.error === "string") throw classifyOAuthErrorBody(oauthErrorBody(data), OPERATION);
  if (typeof data.access_token !== "string" || data.access_token === "") {
    throw new GitHubRequestRejectedError(`${OPERATION}: GitHub answered without an access token`, 200, null);
  }
  // Expiry is counted from when we asked, so latency only ever makes it earlier.
  const at = (seconds: unknown) => (typeof seconds === "number" ? new Date(sentAt + seconds * 1000) : null);
  const refreshToken = typeof data.refresh_token === "string" && data.refresh_token !== "" ? data.refresh_token : null;
  return {
    accessToken: data.access_token,
    accessTokenExpiresAt: at(data.expires_in),
    refreshToken,
    refreshTokenExpiresAt: refreshToken ? at(data.refresh_token_expires_in) : null,
  };
}

function oauthErrorBody(body: TokenAnswer): { error: string; error_description?: string } {
  return {
    error: String(body.error),
    ...(typeof body.error_description === "string" ? { error_description: body.error_description } : {}),
  };
}
