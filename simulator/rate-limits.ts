// GitHub's primary rate limit: an hourly budget per identity. User access tokens and OAuth tokens
// of the same user share the user's budget; installations, the App (JWT), OAuth clients (basic auth)
// and anonymous callers each have their own.
import type { ClientKind } from "./token-ledger.js";

export interface RateLimitIdentity {
  key: string;
  limit: number;
}

const DEFAULT_USER_LIMIT = 5000;

export const anonymousCaller: RateLimitIdentity = { key: "anonymous", limit: 60 };

export const rateLimitIdentities = {
  user: (login: string, limit = DEFAULT_USER_LIMIT): RateLimitIdentity => ({ key: `user:${login.toLowerCase()}`, limit }),
  installation: (id: number): RateLimitIdentity => ({ key: `installation:${id}`, limit: 5000 }),
  app: (appId: number): RateLimitIdentity => ({ key: `app:${appId}`, limit: 5000 }),
  oauthClient: (clientId: string): RateLimitIdentity => ({ key: `client:${clientId}`, limit: 5000 }),
};

interface Window {
  used: number;
  resetsAt: number;
}

const WINDOW_MS = 60 * 60 * 1000;

export class RateLimits {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => Date) {}

  /** Spends one request of the identity's budget and returns GitHub's `x-ratelimit-*` headers. */
  spend(identity: RateLimitIdentity): Record<string, string> {
    const nowMs = this.now().getTime();
    let window = this.windows.get(identity.key);
    if (!window || window.resetsAt <= nowMs) {
      window = { used: 0, resetsAt: nowMs + WINDOW_MS };
      this.windows.set(identity.key, window);
    }
    window.used += 1;
    return {
      "x-ratelimit-limit": String(identity.limit),
      "x-ratelimit-remaining": String(Math.max(0, identity.limit - window.used)),
      "x-ratelimit-reset": String(Math.floor(window.resetsAt / 1000)),
      "x-ratelimit-used": String(window.used),
      "x-ratelimit-resource": "core",
    };
  }

  /** Leaves the identity `remaining` requests for the rest of a window ending in `resetInSeconds` (tests of pacing). */
  setRemaining(identity: RateLimitIdentity, remaining: number, resetInSeconds = WINDOW_MS / 1000): void {
    this.windows.set(identity.key, { used: Math.max(0, identity.limit - remaining), resetsAt: this.now().getTime() + resetInSeconds * 1000 });
  }

  clear() {
    this.windows.clear();
  }
}

/**
 * The hourly limit GitHub reports for a user's token, by the kind of app that holds it: an OAuth App
 * approved by an Enterprise Cloud organization gets 15,000, a GitHub App only when an Enterprise
 * Cloud organization owns it, so one user's limit can differ between the two kinds.
 */
export class UserTokenRateLimits {
  private readonly byKind = new Map<ClientKind, number>();
  private readonly byLogin = new Map<string, number>();

  set(kind: ClientKind, limit: number, login?: string) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`Simulator: a rate limit must be a positive whole number (got ${limit})`);
    if (login === undefined) this.byKind.set(kind, limit);
    else this.byLogin.set(`${kind}:${login.toLowerCase()}`, limit);
  }

  limitFor(kind: ClientKind, login: string): number {
    return this.byLogin.get(`${kind}:${login.toLowerCase()}`) ?? this.byKind.get(kind) ?? DEFAULT_USER_LIMIT;
  }
}
