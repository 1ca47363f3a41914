// The one place where GitHub's endpoints, our client credentials and the request timeout are bound
// to the operations of github/. The composition root builds a process's GitHub clients here, once,
// and hands each service the calls it makes; nothing else reads those settings for GitHub.
import type { Logger } from "pino";
import { Probot } from "probot";
import type { AppConfig } from "../config.js";
import { GitHubAppApi } from "./app-api.js";
import { SignInUnavailableError } from "./errors.js";
import { oauthClientsFromConfig, type OAuthClients } from "./client-credentials.js";
import { appInstallUrl } from "./install-links.js";
import { OAuthAppCredentials, type DeleteOutcome, type TokenCheck } from "./oauth-app-credentials.js";
import { listAppTokenRepositories, listReadableRepositories, type RateLimitHeaders, type RepositoryListing } from "./repository-access.js";
import { refreshUserToken, type RefreshedUserTokens } from "./token-refresh.js";
import type { GitHubRateLimit } from "./rate-limit.js";
import { getAuthenticatedUser, listUserInstallations, type AuthenticatedUser, type ReachableInstallation } from "./user-api.js";
import { authorizeUrl, exchangeWebFlowCode, type ExchangedUserTokens } from "./web-flow.js";

/** The calls signing in, /me and disconnecting make, with the App's client credentials. */
export interface UserAuthorizationCalls {
  authorizeUrl(options: { state: string; codeChallenge: string; login: string | null }): string;
  exchangeCode(options: { code: string; codeVerifier: string }): Promise<ExchangedUserTokens>;
  getUser(token: string): Promise<AuthenticatedUser>;
  listInstallations(token: string): Promise<ReachableInstallation[]>;
  /** DELETE /applications/{client_id}/token; "already_dead" only under credentials GitHub confirmed. */
  revokeToken(token: string): Promise<DeleteOutcome>;
}

/** Probot bound to the App's id, key, webhook secret, API root and timeout. */
export interface AppProbotBinding {
  Probot: typeof Probot;
  /**
   * Probot's Server passes its own `request` over the defaults, so a Server must be given this too,
   * or Octokit would wait forever for a GitHub that never answers.
   */
  request: { fetch: typeof fetch };
}

export interface GitHubClients {
  /** Throws when APP_ID or PRIVATE_KEY is missing: only what acts as the App needs them. */
  appProbot(): AppProbotBinding;
  /**
   * The App's own REST calls. A server routes them through its Probot (`useProbot`); any other
   * process builds one Probot from `appProbot()` on first use.
   */
  app: GitHubAppApi;
  userAuthorization: UserAuthorizationCalls;
  /** Refreshes a GitHub App user token with the App's client credentials (secrets tried in order). */
  refreshUserToken(refreshToken: string): Promise<RefreshedUserTokens>;
  /** The two OAuth clients' credentials: checked at GitHub before a 404 is believed, and by `doctor`. */
  oauthClients: OAuthClients;
  /** POST /applications/{client_id}/token for a user token; a 404 is believed only under accepted credentials. */
  checkUserToken(accessToken: string): Promise<TokenCheck>;
  /** Whether GitHub accepts the App's client id and secret (a made-up code at the token endpoint). */
  appCredentialsAccepted(): Promise<boolean>;
  /** What validating a user's token asks GitHub, with the rate limit the answer reported (for the batch pacer). */
  userTokenApi: {
    getAuthenticatedUser(token: string): Promise<{ id: number; login: string; rateLimit: GitHubRateLimit | null }>;
    listUserInstallations(token: string): Promise<{ installationIds: number[]; rateLimit: GitHubRateLimit | null }>;
  };
  /** The legacy OAuth App's basic-auth endpoints; null without LEGACY_OAUTH_CLIENT_ID/SECRET. */
  legacyOAuthApp: OAuthAppCredentials | null;
  /** GitHub's page installing our App on an account (the App's slug from GET /app); null when unknown. */
  installUrl(accountId: number): Promise<string | null>;
  /** What a user's legacy token and App token read (readiness), capped at READINESS_REPOSITORY_CAP. */
  repositoryAccess: {
    listLegacyRepositories(token: string, onRateLimit: (rateLimit: RateLimitHeaders) => void): Promise<RepositoryListing>;
    listAppTokenRepositories(token: string, onRateLimit: (rateLimit: RateLimitHeaders) => void): Promise<RepositoryListing>;
  };
}

interface CreateGitHubClientsOptions {
  config: AppConfig;
  log: Logger;
  /** Told the response headers of every token refresh answer (rate-limit bookkeeping). */
  onRefreshResponseHeaders?: (headers: Record<string, string | number | undefined>) => void;
}

export function createGitHubClients({ config, log, onRefreshResponseHeaders }: CreateGitHubClientsOptions): GitHubClients {
  const { github, githubRequestTimeoutMs: timeoutMs } = config;
  const redirectUri = `${config.baseUrl}/auth/callback`;
  const oauthClients = oauthClientsFromConfig(config);
  const appClient = () => {
    if (!oauthClients.app) throw new SignInUnavailableError();
    return oauthClients.app;
  };
  const appCredentials = oauthClients.app ? new OAuthAppCredentials({ github, credentials: oauthClients.app, timeoutMs }) : null;

  let binding: AppProbotBinding | undefined;
  const appProbot = (): AppProbotBinding => {
    if (config.appId === null || config.privateKey === null) {
      throw new Error("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are required to call GitHub as the App");
    }
    binding ??= bindAppProbot(config.appId, config.privateKey);
    return binding;
  };
  const bindAppProbot = (appId: number, privateKey: string): AppProbotBinding => {
    const request = { fetch: fetchWithTimeout(timeoutMs) };
    return {
      Probot: Probot.defaults({
        appId,
        privateKey,
        secret: config.webhookSecret,
        // Probot's Octokit talks to GitHub Enterprise Server (and the simulator) through its API root.
        ...(github.enterprise ? { baseUrl: github.apiBaseUrl } : {}),
        request,
        log,
      }),
      request,
    };
  };
  const app = new GitHubAppApi({ fallback: () => new (appProbot().Probot)() });

  return {
    appProbot,
    app,
    oauthClients,
    userAuthorization: {
      authorizeUrl: ({ state, codeChallenge, login }) =>
        authorizeUrl({ github, clientId: appClient().settings.clientId, redirectUri, state, codeChallenge, login }),
      exchangeCode: ({ code, codeVerifier }) =>
        appClient().withSecretFallback((clientSecret) =>
          exchangeWebFlowCode({ github, clientId: appClient().settings.clientId, clientSecret, code, redirectUri, codeVerifier, timeoutMs }),
        ),
      getUser: (token) => getAuthenticatedUser({ github, token, timeoutMs }),
      listInstallations: (token) => listUserInstallations({ github, token, timeoutMs }),
      revokeToken: async (token) => {
        if (!appCredentials) throw new SignInUnavailableError();
        return appCredentials.deleteToken(token);
      },
    },
    checkUserToken: async (accessToken) => {
      if (!appCredentials) throw new SignInUnavailableError();
      return appCredentials.checkToken(accessToken);
    },
    appCredentialsAccepted: async () => (await appClient().verify()).ok,
    refreshUserToken: async (refreshToken) => {
      const client = oauthClients.app;
      if (!client) throw new Error("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are required to refresh user tokens");
      // Wrong client credentials (ClientCredentialsError, a GitHubRequestRejectedError) say nothing
      // about the user's tokens: the refresher backs off and keeps the pair.
      return client.withSecretFallback((clientSecret) =>
        refreshUserToken({
          github,
          clientId: client.settings.clientId,
          clientSecret,
          refreshToken,
          timeoutMs,
          ...(onRefreshResponseHeaders ? { onResponseHeaders: onRefreshResponseHeaders } : {}),
        }),
      );
    },
    userTokenApi: {
      getAuthenticatedUser: async (token) => {
        let rateLimit: GitHubRateLimit | null = null;
        const user = await getAuthenticatedUser({ github, token, timeoutMs, onRateLimit: (seen) => (rateLimit = seen) });
        return { ...user, rateLimit };
      },
      listUserInstallations: async (token) => {
        let rateLimit: GitHubRateLimit | null = null;
        const installations = await listUserInstallations({ github, token, timeoutMs, onRateLimit: (seen) => (rateLimit = seen) });
        return { installationIds: installations.map((installation) => installation.id), rateLimit };
      },
    },
    legacyOAuthApp: oauthClients.legacy ? new OAuthAppCredentials({ github, credentials: oauthClients.legacy, timeoutMs }) : null,
    installUrl: async (accountId) => {
      const slug = await app.appSlug();
      return slug ? appInstallUrl(github, slug, accountId) : null;
    },
    repositoryAccess: {
      listLegacyRepositories: (token, onRateLimit) =>
        listReadableRepositories({ github, token, timeoutMs, maxRepositories: config.readinessRepositoryCap, onRateLimit }),
      listAppTokenRepositories: (token, onRateLimit) =>
        listAppTokenRepositories({ github, token, timeoutMs, maxRepositories: config.readinessRepositoryCap, onRateLimit }),
    },
  };
}

/**
 * fetch that gives up after `timeoutMs`. Octokit has no timeout of its own: a GitHub that accepted
 * the connection and never answered held the App's jobs (and the singleton lock of their pass) forever.
 */
function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
}
