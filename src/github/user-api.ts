// REST calls made with a user's own token: who the token belongs to (GET /user) and which
// installations of our App it can reach (GET /user/installations).
import { request as baseRequest } from "@octokit/request";
import type { GitHubEndpoints } from "../config.js";
import { classifyRequestFailure } from "./classify.js";
import { GitHubRequestRejectedError } from "./errors.js";
import { rateLimitFromHeaders, type GitHubRateLimit } from "./rate-limit.js";

interface UserApiOptions {
  github: GitHubEndpoints;
  /** A GitHub App user access token (or, for GET /user, a legacy OAuth token). */
  token: string;
  timeoutMs: number;
  /**
   * Told the rate limit of every answer that reports one, failures included: these calls spend the
   * user's own budget, which the application's other calls for that user share.
   */
  onRateLimit?: (rateLimit: GitHubRateLimit) => void;
}

export interface AuthenticatedUser {
  id: number;
  login: string;
  name: string | null;
}

export interface ReachableInstallation {
  id: number;
  account: { id: number; login: string; type: string };
  targetType: string;
  repositorySelection: "all" | "selected";
}

/** The most GitHub lists per page. */
const PAGE_SIZE = 100;
/** A user reaching more installations than this is not a real case; stop rather than loop forever. */
const MAX_PAGES = 50;

/** GET /user. Throws TerminalTokenError (401: the token is dead), TransientGitHubError or GitHubRequestRejectedError. */
export async function getAuthenticatedUser(options: UserApiOptions): Promise<AuthenticatedUser> {
  const data = (await userRequest(options, "GET /user", {}, "get authenticated user")) as {
    id?: unknown;
    login?: unknown;
    name?: unknown;
  };
  if (typeof data.id !== "number" || typeof data.login !== "string") {
    throw new GitHubRequestRejectedError("get authenticated user: GitHub answered without id and login", 200, null);
  }
  return { id: data.id, login: data.login, name: typeof data.name === "string" ? data.name : null };
}

/** GET /user/installations, every page: what this user token can reach (user's access ∩ installation's). */
export async function listUserInstallations(options: UserApiOptions): Promise<ReachableInstallation[]> {
  const installations: ReachableInstallation[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const data = (await userRequest(
      options,
      "GET /user/installations",
      { per_page: PAGE_SIZE, page },
      "list user installations",
    )) as { total_count?: number; installations?: RawInstallation[] };
    const batch = data.installations ?? [];
    installations.push(...batch.map(toReachableInstallation));
    if (batch.length < PAGE_SIZE || installations.length >= (data.total_count ?? 0)) break;
  }
  return installations;
}

interface RawInstallation {
  id: number;
  account: { id: number; login: string; type?: string } | null;
  target_type?: string;
  repository_selection?: "all" | "selected";
}

function toReachableInstallation(raw: RawInstallation): ReachableInstallation {
  return {
    id: raw.id,
    account: { id: raw.account?.id ?? 0, login: raw.account?.login ?? "", type: raw.account?.type ?? "User" },
    targetType: raw.target_type ?? raw.account?.type ?? "User",
    repositorySelection: raw.repository_selection ?? "selected",
  };
}

async function userRequest(
  { github, token, timeoutMs, onRateLimit }: UserApiOptions,
  route: string,
  parameters: Record<string, unknown>,
  operation: string,
): Promise<unknown> {
  const report = (headers: Record<string, string | number | undefined> | undefined) => {
    const rateLimit = rateLimitFromHeaders(headers);
    if (rateLimit) onRateLimit?.(rateLimit);
  };
  try {
    const response = await baseRequest(route, {
      baseUrl: github.apiBaseUrl,
      headers: { authorization: `token ${token}`, accept: "application/vnd.github+json" },
      request: { signal: AbortSignal.timeout(timeoutMs) },
      ...parameters,
    });
    report(response.headers);
    return response.data;
  } catch (error) {
    report((error as { response?: { headers?: Record<string, string | number | undefined> } }).response?.headers);
    throw classifyRequestFailure(error, operation);
  }
}
