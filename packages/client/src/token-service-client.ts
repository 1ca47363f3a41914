// The application's side of the token API: GET /api/v1/users/{github_id}/token, with a cache per
// user, one request per user at a time, and bounded retries of a 503.
import {
  ReauthRequiredError,
  TokenServiceAuthError,
  TokenServiceError,
  TokenServiceUnavailableError,
  UserNotFoundError,
} from "./errors.js";
import { retryAfterSeconds } from "./retry-after.js";

export type TokenType = "github_app_user" | "oauth";

/** Why the service answered with the legacy OAuth token instead of a GitHub App one. */
export type FallbackReason = "not_in_rollout" | "no_app_token" | "app_token_unavailable" | (string & {});

export interface UserToken {
  token: string;
  type: TokenType;
  /** null: the token does not expire (OAuth App tokens, or App tokens with expiry turned off). */
  expiresAt: Date | null;
  login: string;
  /** Only on `type: "oauth"` answers. */
  fallbackReason?: FallbackReason;
}

export interface TokenServiceClientOptions {
  /** The token service's URL, e.g. `https://tokens.example.com`. */
  baseUrl: string;
  /** The service's SERVICE_API_TOKEN. */
  serviceToken: string;
  /**
   * A cached token is used only while it has more than this left to live; past that the service is
   * asked, and it refreshes the token first. Default 300 (the service's own refresh margin).
   */
  marginSeconds?: number;
  /**
   * How long an answer is reused at most, even when the token lives longer, so a rollout or rollback
   * reaches this process within that time and a token without expiry is not cached forever.
   * Default 300.
   */
  maxCacheSeconds?: number;
  /** At most this many users' tokens are cached; the oldest entries go first. Default 10,000. */
  maxCachedUsers?: number;
  /**
   * A 503 (or no answer) is retried while the waits add up to no more than this, honouring the
   * service's Retry-After. A longer Retry-After is not waited for: TokenServiceUnavailableError
   * carries it instead. Default 10.
   */
  maxRetryWaitSeconds?: number;
  /** Attempts per getToken call, the first included. Default 4. */
  maxAttempts?: number;
  /** Per request. Default 30,000 (a refresh at GitHub may take several seconds). */
  timeoutMs?: number;
  /** Default: the global fetch. */
  fetch?: typeof globalThis.fetch;
}

export interface GetTokenOptions {
  /** The token must stay valid at least this long (at most 3600); the service refreshes it first if needed. */
  minValidSeconds?: number;
}

interface CacheEntry {
  answer: UserToken;
  /** Epoch ms after which the entry is not used. */
  reuseUntil: number;
}

interface TokenAnswerBody {
  token: string;
  type: TokenType;
  expires_at: string | null;
  login: string;
  fallback_reason?: string;
}

const MAX_MIN_VALID_SECONDS = 3600;
const DEFAULT_RETRY_WAIT_SECONDS = 1;

export class TokenServiceClient {
  readonly #baseUrl: string;
  readonly #serviceToken: string;
  readonly #marginMs: number;
  readonly #maxCacheMs: number;
  readonly #maxCachedUsers: number;
  readonly #maxRetryWaitSeconds: number;
  readonly #maxAttempts: number;
  readonly #timeoutMs: number;
  readonly #fetch: typeof globalThis.fetch;
  readonly #cache = new Map<number, CacheEntry>();
  readonly #inFlight = new Map<number, { minValidSeconds: number; answer: Promise<UserToken> }>();

  constructor(options: TokenServiceClientOptions) {
    if (!options?.baseUrl) throw new TypeError("TokenServiceClient: baseUrl is required");
    if (!options.serviceToken) throw new TypeError("TokenServiceClient: serviceToken is required");
    this.#baseUrl = new URL(options.baseUrl).toString().replace(/\/+$/, "");
    this.#serviceToken = options.serviceToken;
    this.#marginMs = nonNegative(options.marginSeconds ?? 300, "marginSeconds") * 1000;
    this.#maxCacheMs = nonNegative(options.maxCacheSeconds ?? 300, "maxCacheSeconds") * 1000;
    this.#maxCachedUsers = nonNegative(options.maxCachedUsers ?? 10_000, "maxCachedUsers");
    this.#maxRetryWaitSeconds = nonNegative(options.maxRetryWaitSeconds ?? 10, "maxRetryWaitSeconds");
    this.#maxAttempts = Math.max(1, nonNegative(options.maxAttempts ?? 4, "maxAttempts"));
    this.#timeoutMs = nonNegative(options.timeoutMs ?? 30_000, "timeoutMs");
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /**
   * The user's token as the service decides (App token, or the legacy OAuth token while allowed).
   * Throws ReauthRequiredError, UserNotFoundError, TokenServiceUnavailableError or
   * TokenServiceAuthError (all TokenServiceErrors).
   */
  async getToken(githubId: number, { minValidSeconds = 0 }: GetTokenOptions = {}): Promise<UserToken> {
    if (!Number.isSafeInteger(githubId) || githubId <= 0) throw new TypeError(`githubId must be a positive whole number (got ${String(githubId)})`);
    if (!Number.isInteger(minValidSeconds) || minValidSeconds < 0 || minValidSeconds > MAX_MIN_VALID_SECONDS) {
      throw new RangeError(`minValidSeconds must be a whole number from 0 to ${MAX_MIN_VALID_SECONDS}`);
    }
    // Callers for one user share one request; one that needs the token to live longer than the
    // shared request asked for waits for it, then asks for itself: one request per user at a time.
    for (;;) {
      const cached = this.#cache.get(githubId);
      if (cached && this.#usable(cached, minValidSeconds)) return { ...cached.answer };
      const pending = this.#inFlight.get(githubId);
      if (!pending) return { ...(await this.#startRequest(githubId, minValidSeconds)) };
      if (pending.minValidSeconds >= minValidSeconds) return { ...(await pending.answer) };
      await pending.answer.catch(() => undefined);
    }
  }

  /**
   * Forgets the cached token of this user, e.g. after GitHub answered 401 to it. With `token`, only
   * if that is still the cached one, so a token fetched since is kept.
   */
  invalidate(githubId: number, token?: string): void {
    const cached = this.#cache.get(githubId);
    if (cached && (token === undefined || cached.answer.token === token)) this.#cache.delete(githubId);
  }

  /** Forgets every cached token. */
  clear(): void {
    this.#cache.clear();
  }

  #startRequest(githubId: number, minValidSeconds: number): Promise<UserToken> {
    const answer = this.#fetchWithRetries(githubId, minValidSeconds).finally(() => this.#inFlight.delete(githubId));
    this.#inFlight.set(githubId, { minValidSeconds, answer });
    return answer;
  }

  #usable(entry: CacheEntry, minValidSeconds: number): boolean {
    const now = Date.now();
    if (now >= entry.reuseUntil) return false;
    const expiresAt = entry.answer.expiresAt?.getTime();
    return expiresAt === undefined || now + Math.max(this.#marginMs, minValidSeconds * 1000) < expiresAt;
  }

  #remember(githubId: number, answer: UserToken): void {
    const now = Date.now();
    const expiresAt = answer.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
    const reuseUntil = Math.min(now + this.#maxCacheMs, expiresAt - this.#marginMs);
    this.#cache.delete(githubId);
    if (reuseUntil <= now || this.#maxCachedUsers === 0) return;
    if (this.#cache.size >= this.#maxCachedUsers) this.#evict(now);
    this.#cache.set(githubId, { answer, reuseUntil });
  }

  /** Drops what can no longer be used, and if that frees nothing, the oldest entry. */
  #evict(now: number): void {
    for (const [githubId, entry] of this.#cache) if (entry.reuseUntil <= now) this.#cache.delete(githubId);
    if (this.#cache.size >= this.#maxCachedUsers) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
  }

  async #fetchWithRetries(githubId: number, minValidSeconds: number): Promise<UserToken> {
    const url = `${this.#baseUrl}/api/v1/users/${githubId}/token${minValidSeconds > 0 ? `?min_valid_seconds=${minValidSeconds}` : ""}`;
    let waitedSeconds = 0;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#attempt(url, githubId);
      if (!(outcome instanceof TokenServiceUnavailableError)) {
        this.#remember(githubId, outcome);
        return outcome;
      }
      const wait = outcome.retryAfterSeconds ?? DEFAULT_RETRY_WAIT_SECONDS * 2 ** (attempt - 1);
      if (attempt >= this.#maxAttempts || waitedSeconds + wait > this.#maxRetryWaitSeconds) throw outcome;
      await sleep(wait * 1000);
      waitedSeconds += wait;
    }
  }

  /** A token, or an unavailability worth retrying; every other outcome is thrown. */
  async #attempt(url: string, githubId: number): Promise<UserToken | TokenServiceUnavailableError> {
    let response: Response;
    try {
      response = await this.#fetch(url, {
        headers: { authorization: `Bearer ${this.#serviceToken}`, accept: "application/json" },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      return new TokenServiceUnavailableError(`The token service did not answer: ${describe(cause)}`, null, null, null, { cause });
    }
    const body = await readJson(response);
    if (response.ok) return tokenFrom(body);
    const code = typeof body?.error === "string" ? body.error : null;
    const message = typeof body?.message === "string" ? body.message : `The token service answered HTTP ${response.status}.`;
    switch (response.status) {
      case 409:
        if (typeof body?.consent_url === "string") throw new ReauthRequiredError(githubId, body.consent_url, message);
        break;
      case 404:
        if (code === "user_not_found") throw new UserNotFoundError(githubId, message);
        break;
      case 401:
      case 403:
        throw new TokenServiceAuthError(message, response.status);
      case 502:
      case 503:
      case 504:
        return new TokenServiceUnavailableError(message, retryAfterSeconds(response.headers.get("retry-after")), response.status, code);
    }
    throw new TokenServiceError(message, response.status, code);
  }
}

function tokenFrom(body: Record<string, unknown> | null): UserToken {
  const answer = body as Partial<TokenAnswerBody> | null;
  if (
    typeof answer?.token !== "string" ||
    (answer.type !== "github_app_user" && answer.type !== "oauth") ||
    typeof answer.login !== "string" ||
    (answer.expires_at !== null && typeof answer.expires_at !== "string")
  ) {
    throw new TokenServiceError("The token service answered 200 without a token answer.", 200);
  }
  return {
    token: answer.token,
    type: answer.type,
    expiresAt: answer.expires_at === null ? null : new Date(answer.expires_at),
    login: answer.login,
    ...(typeof answer.fallback_reason === "string" ? { fallbackReason: answer.fallback_reason } : {}),
  };
}

async function readJson(response: Response): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = await response.json();
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.name === "TimeoutError" ? "timed out" : cause.message;
  return String(cause);
}

function nonNegative(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a number of at least 0`);
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
