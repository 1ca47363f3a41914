// Builds the sign-in services from configuration and the token vault.
import type { Logger } from "pino";
import type { AppConfig } from "../config.js";
import type { Models } from "../db/models/index.js";
import type { OAuthClientCredentials } from "../github/client-credentials.js";
import { ReplacedTokenRevocations } from "../tokens/replaced-token-revocations.js";
import type { TokenVault } from "../tokens/token-vault.js";
import { AccountOverviews } from "./account-overview.js";
import { UserAuthorization } from "./authorization.js";
import type { ConsentLinks } from "./consent-links.js";
import { Disconnection } from "./disconnection.js";
import { userAuthorizationCalls } from "./github-calls.js";
import { OAuthStateStore } from "./oauth-state-store.js";
import { SessionCookies } from "./session-cookies.js";
import { SignInCookie } from "./sign-in-cookie.js";

export interface AuthServices {
  userAuthorization: UserAuthorization;
  consentLinks: ConsentLinks;
  sessions: SessionCookies;
  signInCookie: SignInCookie;
  accountOverviews: AccountOverviews;
  disconnection: Disconnection;
  /** Pairs a new authorization replaced, revoked at GitHub (right away, then by a job until done). */
  replacedTokenRevocations: ReplacedTokenRevocations;
  /** Our /auth/login URL for one user, refusing any other GitHub account (migration batches send these). */
  createConsentLink(githubId: number, login: string | null): string;
}

export interface CreateAuthServicesOptions {
  config: AppConfig;
  models: Models;
  log: Logger;
  vault: Pick<TokenVault, "sealer" | "tokenStore" | "tokenRefresher" | "tokenResolver" | "refreshAtGitHub">;
  /** Built by the composition root, because token resolution hands out consent links too. */
  consentLinks: ConsentLinks;
  /** The App's OAuth client (null without GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET). */
  appClient: OAuthClientCredentials | null;
}

export function createAuthServices({ config, models, log, vault, consentLinks, appClient }: CreateAuthServicesOptions): AuthServices {
  const github = userAuthorizationCalls(config, appClient);
  const secure = config.baseUrl.startsWith("https:");
  const replacedTokenRevocations = new ReplacedTokenRevocations({
    models,
    sealer: vault.sealer,
    revokeToken: (token) => github.revokeToken(token),
    refreshAtGitHub: vault.refreshAtGitHub,
    log,
  });
  return {
    replacedTokenRevocations,
    userAuthorization: new UserAuthorization({
      models,
      states: new OAuthStateStore({ models, sealer: vault.sealer }),
      consentLinks,
      tokenStore: vault.tokenStore,
      replacedTokens: replacedTokenRevocations,
      github,
      log,
    }),
    consentLinks,
    sessions: new SessionCookies({ secret: config.sessionSecret, secure }),
    signInCookie: new SignInCookie({ secret: config.sessionSecret, secure }),
    accountOverviews: new AccountOverviews({ models, tokenStore: vault.tokenStore, resolver: vault.tokenResolver, github, log }),
    disconnection: new Disconnection({ models, tokenStore: vault.tokenStore, refresher: vault.tokenRefresher, github, log }),
    createConsentLink: (githubId, login) => consentLinks.createConsentLink(githubId, login),
  };
}
