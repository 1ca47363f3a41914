// An Octokit authentication strategy over the token service:
//   new Octokit({ authStrategy: createTokenServiceAuth, auth: { baseUrl, serviceToken, githubId } })
// Every request carries the user's current token; a 401 from GitHub (the token was revoked or
// rotated elsewhere) drops it, fetches a fresh one once and retries once.
import type { EndpointOptions, OctokitResponse, RequestInterface, RequestParameters, Route } from "@octokit/types";
import { TokenServiceClient, type TokenServiceClientOptions, type UserToken } from "./token-service-client.js";

export type TokenServiceAuthOptions = { githubId: number; minValidSeconds?: number } & (
  | TokenServiceClientOptions
  /** Share one client (its cache and its one-request-per-user) between many Octokit instances. */
  | { client: TokenServiceClient }
);

export interface TokenServiceAuthentication {
  type: "token";
  /** Octokit's names: App user tokens are "user-to-server", legacy OAuth App tokens "oauth". */
  tokenType: "user-to-server" | "oauth";
  token: string;
  expiresAt: Date | null;
  login: string;
  fallbackReason?: string;
}

export interface TokenServiceAuth {
  (): Promise<TokenServiceAuthentication>;
  hook<T = unknown>(request: RequestInterface, route: Route | EndpointOptions, parameters?: RequestParameters): Promise<OctokitResponse<T>>;
}

export function createTokenServiceAuth(options: TokenServiceAuthOptions): TokenServiceAuth {
  if (!options || !Number.isSafeInteger(options.githubId) || options.githubId <= 0) {
    throw new TypeError("createTokenServiceAuth: auth.githubId must be the user's GitHub id (a positive whole number)");
  }
  const { githubId, minValidSeconds } = options;
  const client = "client" in options ? options.client : new TokenServiceClient(options);
  const currentToken = () => client.getToken(githubId, { minValidSeconds });

  const auth = async (): Promise<TokenServiceAuthentication> => authentication(await currentToken());
  auth.hook = async <T = unknown>(
    request: RequestInterface,
    route: Route | EndpointOptions,
    parameters?: RequestParameters,
  ): Promise<OctokitResponse<T>> => {
    const endpoint = request.endpoint.merge(route as Route, parameters);
    const send = (token: string) => request<T>({ ...endpoint, headers: { ...endpoint.headers, authorization: `token ${token}` } } as EndpointOptions);
    const first = await currentToken();
    try {
      return await send(first.token);
    } catch (error) {
      if (statusOf(error) !== 401) throw error;
      client.invalidate(githubId, first.token);
      const fresh = await currentToken();
      // The service still holds the token GitHub refused: another try would only repeat the 401.
      if (fresh.token === first.token) throw error;
      return send(fresh.token);
    }
  };
  return auth;
}

function authentication(answer: UserToken): TokenServiceAuthentication {
  return {
    type: "token",
    tokenType: answer.type === "github_app_user" ? "user-to-server" : "oauth",
    token: answer.token,
    expiresAt: answer.expiresAt,
    login: answer.login,
    ...(answer.fallbackReason === undefined ? {} : { fallbackReason: answer.fallbackReason }),
  };
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error && typeof error.status === "number" ? error.status : undefined;
}
