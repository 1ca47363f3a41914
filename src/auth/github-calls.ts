// The GitHub calls signing in and disconnecting make, bound to the App's client credentials, so
// the auth services get them passed in (and tests can pass their own).
import type { AppConfig } from "../config.js";
import type { OAuthClientCredentials } from "../github/client-credentials.js";
import { OAuthAppCredentials, type DeleteOutcome } from "../github/oauth-app-credentials.js";
import { getAuthenticatedUser, listUserInstallations, type AuthenticatedUser, type ReachableInstallation } from "../github/user-api.js";
import { authorizeUrl, exchangeWebFlowCode, type ExchangedUserTokens } from "../github/web-flow.js";
import { SignInUnavailableError } from "./errors.js";

export interface UserAuthorizationCalls {
  authorizeUrl(options: { state: string; codeChallenge: string; login: string | null }): string;
  exchangeCode(options: { code: string; codeVerifier: string }): Promise<ExchangedUserTokens>;
  getUser(token: string): Promise<AuthenticatedUser>;
  listInstallations(token: string): Promise<ReachableInstallation[]>;
  /** DELETE /applications/{client_id}/token; "already_dead" only under credentials GitHub confirmed. */
  revokeToken(token: string): Promise<DeleteOutcome>;
}

export function userAuthorizationCalls(
  config: Pick<AppConfig, "github" | "githubRequestTimeoutMs" | "baseUrl">,
  appClient: OAuthClientCredentials | null,
): UserAuthorizationCalls {
  const { github, githubRequestTimeoutMs: timeoutMs } = config;
  const redirectUri = `${config.baseUrl}/auth/callback`;
  const client = () => {
    if (!appClient) throw new SignInUnavailableError();
    return appClient;
  };
  const credentials = appClient ? new OAuthAppCredentials({ github, credentials: appClient, timeoutMs }) : null;
  return {
    authorizeUrl: ({ state, codeChallenge, login }) =>
      authorizeUrl({ github, clientId: client().settings.clientId, redirectUri, state, codeChallenge, login }),
    exchangeCode: ({ code, codeVerifier }) =>
      client().withSecretFallback((clientSecret) =>
        exchangeWebFlowCode({ github, clientId: client().settings.clientId, clientSecret, code, redirectUri, codeVerifier, timeoutMs }),
      ),
    getUser: (token) => getAuthenticatedUser({ github, token, timeoutMs }),
    listInstallations: (token) => listUserInstallations({ github, token, timeoutMs }),
    revokeToken: async (token) => {
      if (!credentials) throw new SignInUnavailableError();
      return credentials.deleteToken(token);
    },
  };
}
