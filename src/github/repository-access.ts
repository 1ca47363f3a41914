// What a user's token reads on GitHub: `GET /user/repos` for the legacy OAuth token (every page,
// following the Link header, up to a cap), and for a GitHub App user token `GET /user/installations`
// then `GET /user/installations/{id}/repositories`. Each answer's rate-limit headers are reported,
// so the caller can pace itself and record the limit GitHub grants that kind of token.
import { request as defaultRequest } from "@octokit/request";
import type { GitHubEndpoints } from "../config.js";
import { classifyRequestFailure } from "./classify.js";

export type GitHubRequest = typeof defaultRequest;

export interface RateLimitHeaders {
  /** `X-RateLimit-Limit`: the hourly budget GitHub grants this token. */
  limit: number;
  remaining: number;
  resetAt: Date;
}

export interface ReadableRepository {
  id: number;
  fullName: string;
  owner: { id: number; login: string; type: string };
}

export interface RepositoryAccessOptions {
  github: GitHubEndpoints;
  token: string;
  timeoutMs: number;
  /** Stop after this many repositories (the rest are not listed; `truncated` says so). */
  maxRepositories: number;
  /** Told the rate limit of every answer. */
  onRateLimit?: (rateLimit: RateLimitHeaders) => void;
  request?: GitHubRequest;
}

export interface RepositoryListing {
  repositories: ReadableRepository[];
  truncated: boolean;
  /** The last answer's rate limit; null when GitHub sent none. */
  rateLimit: RateLimitHeaders | null;
}

const PAGE_SIZE = 100;

/** GET /user/repos, every page (owned, collaborator and organization member repositories). */
export async function listReadableRepositories(options: RepositoryAccessOptions): Promise<RepositoryListing> {
  return collectPages(options, "list the user's repositories", "GET /user/repos", {}, (data) => (data as RawRepository[]) ?? []);
}

/**
 * What a GitHub App user token reaches for real: every installation it can see, and in each the
 * repositories the user reads too.
 */
export async function listAppTokenRepositories(options: RepositoryAccessOptions): Promise<RepositoryListing> {
  const installations = await collectItems(options, "list the user's installations", "GET /user/installations", {}, (data) =>
    ((data as { installations?: Array<{ id: number }> }).installations ?? []),
  );
  const repositories: ReadableRepository[] = [];
  let truncated = installations.truncated;
  let rateLimit = installations.rateLimit;
  for (const installation of installations.items) {
    const listing = await collectPages(
      { ...options, maxRepositories: options.maxRepositories - repositories.length },
      `list repositories of installation ${installation.id} for the user`,
      "GET /user/installations/{installation_id}/repositories",
      { installation_id: installation.id },
      (data) => (data as { repositories?: RawRepository[] }).repositories ?? [],
    );
    repositories.push(...listing.repositories);
    rateLimit = listing.rateLimit ?? rateLimit;
    if (listing.truncated || repositories.length >= options.maxRepositories) {
      truncated = true;
      break;
    }
  }
  return { repositories, truncated, rateLimit };
}

interface RawRepository {
  id: number;
  full_name: string;
  owner: { id: number; login: string; type?: string } | null;
}

async function collectPages(
  options: RepositoryAccessOptions,
  operation: string,
  route: string,
  parameters: Record<string, unknown>,
  itemsOf: (data: unknown) => RawRepository[],
): Promise<RepositoryListing> {
  const { items, truncated, rateLimit } = await collectItems(options, operation, route, parameters, itemsOf);
  return {
    repositories: items.map((raw) => ({
      id: raw.id,
      fullName: raw.full_name,
      owner: { id: raw.owner?.id ?? 0, login: raw.owner?.login ?? raw.full_name.split("/")[0] ?? "", type: raw.owner?.type ?? "User" },
    })),
    truncated,
    rateLimit,
  };
}

/** Follows `rel="next"` in the Link header until it is gone or `maxRepositories` items are in. */
async function collectItems<T>(
  { github, token, timeoutMs, maxRepositories, onRateLimit, request = defaultRequest }: RepositoryAccessOptions,
  operation: string,
  route: string,
  parameters: Record<string, unknown>,
  itemsOf: (data: unknown) => T[],
): Promise<{ items: T[]; truncated: boolean; rateLimit: RateLimitHeaders | null }> {
  const items: T[] = [];
  let rateLimit: RateLimitHeaders | null = null;
  for (let page = 1; ; page += 1) {
    if (items.length >= maxRepositories) return { items, truncated: true, rateLimit };
    let response;
    try {
      response = await request(route, {
        baseUrl: github.apiBaseUrl,
        headers: { authorization: `token ${token}`, accept: "application/vnd.github+json" },
        request: { signal: AbortSignal.timeout(timeoutMs) },
        per_page: PAGE_SIZE,
        page,
        ...parameters,
      });
    } catch (error) {
      throw classifyRequestFailure(error, operation);
    }
    rateLimit = rateLimitOf(response.headers as Record<string, string | number | undefined>) ?? rateLimit;
    if (rateLimit) onRateLimit?.(rateLimit);
    const pageItems = itemsOf(response.data);
    const taken = pageItems.slice(0, maxRepositories - items.length);
    items.push(...taken);
    const hasNext = /rel="next"/.test(String(response.headers.link ?? ""));
    if (taken.length < pageItems.length) return { items, truncated: true, rateLimit };
    if (!hasNext || pageItems.length === 0) return { items, truncated: false, rateLimit };
  }
}

function rateLimitOf(headers: Record<string, string | number | undefined>): RateLimitHeaders | null {
  const limit = Number(headers["x-ratelimit-limit"]);
  const remaining = Number(headers["x-ratelimit-remaining"]);
  const reset = Number(headers["x-ratelimit-reset"]);
  if (!Number.isFinite(limit) || limit <= 0 || !Number.isFinite(remaining)) return null;
  return { limit, remaining, resetAt: new Date((Number.isFinite(reset) ? reset : Date.now() / 1000 + 3600) * 1000) };
}
