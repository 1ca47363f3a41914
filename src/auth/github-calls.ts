// The GitHub calls signing in and disconnecting make, bound to the App's client credentials, so
// the auth services get them passed in (and tests can pass their own).
import type { AppConfig } from "../config.js";
import { OAuthAppCredentials } from "../github/oauth-app-credentials.js";
import { getAuthenticatedUser, listUserInstallations, type AuthenticatedUser, type ReachableInstallation } from "../github/user-api.js";
import { authorizeUrl, exchangeWebFlowCode, type ExchangedUserTokens } from "../github/web-flow.js";
import { SignInUnavailableError } from "./errors.js";

export interface UserAuthorizationCalls {
  authorizeUrl(options: { state: string; codeChallenge: string; login: string | null }): string;
  exchangeCode(options: { code: string; codeVerifier: string }): Promise<ExchangedUserTokens>;
  getUser(token: string): Promise<AuthenticatedUser>;
  listInstallations(token: string): Promise<ReachableInstallation[]>;
  /** DELETE /applications/{client_id}/token; an already dead token counts as revoked. */
  revokeToken(token: string): Promise<void>;
}

export function userAuthorizationCalls(config: AppConfig): UserAuthorizationCalls {
  const { github, githubRequestTimeoutMs: timeoutMs } = config;
  const redirectUri = `${config.baseUrl}/auth/callback`;
  const client = () => {
    if (!config.appClientId || !config.appClientSecret) throw new SignInUnavailableError();
    return { clientId: config.appClientId, clientSecret: config.appClientSecret };
  };
  const credentials = () => new OAuthAppCredentials({ github, client: { ...client(), clientType: "github-app" }, timeoutMs });
  return {
    authorizeUrl: ({ state, codeChallenge, login }) =>
      authorizeUrl({ github, clientId: client().clientId, redirectUri, state, codeChallenge, login }),
    exchangeCode: ({ code, codeVerifier }) => exchangeWebFlowCode({ github, ...client(), code, redirectUri, codeVerifier, timeoutMs }),
    getUser: (token) => getAuthenticatedUser({ github, token, timeoutMs }),
    listInstallations: (token) => listUserInstallations({ github, token, timeoutMs }),
    revokeToken: (token) => credentials().deleteToken(token),
  };
}
