// The simulator's public types: the contract tests, benchmarks and the demo code against.

export interface SimulatorUser {
  id: number;
  login: string;
  name: string | null;
  email: string | null;
  type: "User";
}

export interface SimulatorRepository {
  id: number;
  name: string;
  fullName: string;
  private: boolean;
}

export interface SimulatorOrganization {
  id: number;
  login: string;
  type: "Organization";
  /** Members read every repository the organization owns. */
  memberLogins: string[];
}

export interface SimulatorOrganizationInput {
  login: string;
  id?: number;
  members?: string[];
}

export interface SimulatorRepositoryInput {
  /** A user's or an organization's login (an unknown login becomes a new organization). */
  owner: string;
  name: string;
  id?: number;
  private?: boolean;
  /** Users who read it without owning it or belonging to its organization. */
  collaborators?: string[];
}

/** A token kind whose `X-RateLimit-Limit` can be set: the App's user tokens, or the legacy OAuth App's. */
export type RateLimitedTokenKind = "app" | "legacy";

export interface SimulatorInstallation {
  id: number;
  account: { id: number; login: string; type: "User" | "Organization" };
  repositorySelection: "all" | "selected";
  repositories: SimulatorRepository[];
  permissions: Record<string, string>;
  events: string[];
  suspendedAt: string | null;
  /** Users who can reach the installation (what `GET /user/installations` answers for them). */
  userLogins: string[];
}

export interface SimulatorUserInput {
  login: string;
  id?: number;
  name?: string;
  email?: string;
}

/** Account type defaults to "User" when a seeded user has that login, else "Organization"; a user account is reachable by that user. */
export interface SimulatorInstallationInput {
  account: { login: string; id?: number; type?: "User" | "Organization" };
  id?: number;
  repositorySelection?: "all" | "selected";
  repositories?: Array<{ name: string; id?: number; private?: boolean }>;
  permissions?: Record<string, string>;
  events?: string[];
  userLogins?: string[];
}

export type SimulatorEndpoint =
  | "authorize"
  | "exchange"
  | "refresh"
  | "user"
  | "user_installations"
  | "user_repos"
  | "user_installation_repositories"
  | "check_token"
  | "reset_token"
  | "delete_token"
  | "delete_grant"
  | "app"
  | "app_installations"
  | "installation_repositories"
  | "installation_token"
  | "hook_deliveries"
  | "hook_config"
  | "redeliver";

export type FaultKind =
  | { status: 500 | 502 | 503 }
  | { status: 429; retryAfterSeconds: number }
  | { rateLimited403: true; resetInSeconds: number }
  | { timeout: true }
  | { drop: true }
  | { rotateThenDrop: true }
  /** Answers normally, but only after this long (a slow GitHub). */
  | { delayMs: number }
  /** Holds the call before GitHub acts, until `releaseHeld()`; a client gone by then changed nothing. */
  | { holdBeforeRotation: true }
  /** GitHub acts (a refresh rotates the pair), then holds the answer until `releaseHeld()`. */
  | { rotateThenHold: true }
  /** The token endpoint's refusal (HTTP 200 with an error body, as GitHub answers), e.g. `bad_refresh_token`; nothing rotates. */
  | { oauthError: "bad_refresh_token" | "incorrect_client_credentials" };

export interface StartSimulatorOptions {
  /** Default: a free port on 127.0.0.1. */
  port?: number;
  app: {
    id: number;
    slug: string;
    /** PEM; verifies the App's JWTs. */
    publicKey: string;
    clientId: string;
    clientSecret: string;
    /** A second secret the App still holds during a rotation; both are accepted. */
    oldClientSecret?: string;
    /** Registered redirect URI prefix. */
    callbackUrl: string;
  };
  legacyOAuthApp?: { clientId: string; clientSecret: string; callbackUrl?: string };
  webhook?: { url: string; secret: string };
  /** Default 28800; null = expiration off. */
  accessTokenLifetimeSeconds?: number | null;
  /** Default 15897600. */
  refreshTokenLifetimeSeconds?: number;
  /** Default 0. */
  latencyMs?: number;
  /** The simulator's clock (default: the real one), so tests can move time without waiting. */
  now?: () => Date;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
}

export type WebhookEvent = "installation" | "installation_repositories" | "installation_target" | "github_app_authorization";

export interface SendWebhookOptions {
  installationId?: number;
  /** The sender for most events; the user for `github_app_authorization`; the new account login for `installation_target.renamed`. */
  login?: string;
  changes?: Record<string, unknown>;
  repositories?: Array<{ name: string; id?: number }>;
}

export interface WebhookSendResult {
  /** The `X-GitHub-Delivery` header value (GitHub's delivery guid), which apps key deliveries on. */
  deliveryId: string;
  guid: string;
  /** The HTTP status the webhook target answered (0 when it could not be reached). */
  status: number;
  /** The delivery's numeric id, as `GET /app/hook/deliveries` lists it. */
  id: number;
}

export interface DeliveryRecord {
  id: number;
  guid: string;
  event: string;
  action: string | null;
  statusCode: number;
  redelivery: boolean;
}

export interface AuthorizeParams {
  login: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256";
  decision?: "authorize" | "cancel";
  installationId?: number;
  setupAction?: "install" | "update";
}

export interface GitHubSimulator {
  /** "http://127.0.0.1:<port>" */
  url: string;
  /** "127.0.0.1:<port>" (for GHE_HOST; GHE_PROTOCOL=http) */
  host: string;
  stop(): Promise<void>;
  addUser(user: SimulatorUserInput): SimulatorUser;
  addInstallation(installation: SimulatorInstallationInput): SimulatorInstallation;
  addOrganization(organization: SimulatorOrganizationInput): SimulatorOrganization;
  addRepository(repository: SimulatorRepositoryInput): SimulatorRepository;
  /**
   * The `X-RateLimit-Limit` GitHub reports for user tokens of that kind (default 5000 each): for
   * every user, or only for `login` (which wins). 15000 models an Enterprise Cloud organization.
   */
  setRateLimit(kind: RateLimitedTokenKind, limit: number, options?: { login?: string }): void;
  /** Mints tokens directly (seeding): kind "app" → ghu_/ghr_ pair for the App client, "legacy" → gho_ for the legacy OAuth App. */
  issueTokens(login: string, kind: "app" | "legacy", options?: { accessTokenLifetimeSeconds?: number | null }): IssuedTokens;
  /** Simulates the browser part of the web flow: returns the redirect URL GitHub would send the user to. */
  authorize(params: AuthorizeParams): string;
  /** Makes the access token expired now; its refresh token stays valid. */
  expireAccessToken(accessToken: string): void;
  setTokenLifetimes(lifetimes: { accessTokenSeconds?: number | null; refreshTokenSeconds?: number }): void;
  setLatency(ms: number): void;
  /** Leaves the user's hourly budget (shared by all their tokens) at `remaining`, resetting in `resetInSeconds` (default an hour). */
  setUserRateLimit(login: string, remaining: number, options?: { resetInSeconds?: number }): void;
  /** `times` defaults to 1; Infinity = until clearFaults(). */
  injectFault(endpoint: SimulatorEndpoint, fault: FaultKind, times?: number): void;
  clearFaults(): void;
  /** Calls held by `holdBeforeRotation` / `rotateThenHold` faults: how many, wait for some, let them go. */
  held: { count(): number; whenHeld(count?: number): Promise<void>; release(): number };
  counters: { refreshes(login: string): number; calls(endpoint: SimulatorEndpoint): number; totalCalls(): number; reset(): void };
  isTokenValid(accessToken: string): boolean;
  /** Kills the user's App tokens, then sends `github_app_authorization.revoked`. */
  revokeGrant(login: string): Promise<void>;
  sendWebhook(event: WebhookEvent, action: string, options?: SendWebhookOptions): Promise<WebhookSendResult>;
  /** Oldest first (`GET /app/hook/deliveries` lists newest first, as GitHub does). */
  deliveries(): DeliveryRecord[];
  /** Forgets tokens, codes, deliveries, faults, counters and rate-limit budgets; keeps users, installations and settings. */
  reset(): void;
}
