// An Octokit acting as a user, over a token we resolved and manage. createOAuthUserAuth gets the
// token alone (no refresh token, no expiry), so it never refreshes on its own behind the vault's back.
import { createOAuthUserAuth } from "@octokit/auth-oauth-user";
import { ProbotOctokit } from "probot";
import type { GitHubEndpoints } from "../config.js";
import { observeRateLimit } from "./token-metrics.js";
import type { ResolveOptions, ResolvedToken, TokenResolver } from "./resolution.js";

export type UserOctokit = InstanceType<typeof ProbotOctokit>;

interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface UserOctokitFactoryOptions {
  resolver: TokenResolver;
  github: GitHubEndpoints;
  appClient: ClientCredentials | null;
  legacyClient: ClientCredentials | null;
}

export class UserOctokitFactory {
  readonly #options: UserOctokitFactoryOptions;

  constructor(options: UserOctokitFactoryOptions) {
    this.#options = options;
  }

  /** Throws what resolution throws (UserNotFoundError, ReauthRequiredError, TokenTemporarilyUnavailableError). */
  async getUserOctokit(githubId: number, options?: ResolveOptions): Promise<UserOctokit> {
    const resolved = await this.#options.resolver.resolveUserToken(githubId, options);
    const octokit = new ProbotOctokit({
      baseUrl: this.#options.github.apiBaseUrl,
      authStrategy: createOAuthUserAuth,
      auth: this.#authOptions(resolved),
    });
    octokit.hook.after("request", (response) => observeRateLimit(response.headers));
    return octokit;
  }

  #authOptions(resolved: ResolvedToken) {
    const github = resolved.type === "github_app_user";
    const client = (github ? this.#options.appClient : this.#options.legacyClient) ?? this.#options.appClient;
    if (!client) throw new Error("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are required to act as a user");
    return {
      clientType: github ? ("github-app" as const) : ("oauth-app" as const),
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      // No expiresAt either: given one, the strategy would try to refresh once it passes.
      token: resolved.token,
    };
  }
}
