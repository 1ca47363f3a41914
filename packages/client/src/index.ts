// @github-app-user-tokens/client: the token API's client and an Octokit authentication strategy.
export {
  TokenServiceClient,
  type FallbackReason,
  type GetTokenOptions,
  type TokenServiceClientOptions,
  type TokenType,
  type UserToken,
} from "./token-service-client.js";
export { createTokenServiceAuth, type TokenServiceAuth, type TokenServiceAuthentication, type TokenServiceAuthOptions } from "./octokit-auth.js";
export * from "./errors.js";
