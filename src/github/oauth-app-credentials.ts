// The basic-auth (client id + secret) endpoints of one OAuth client — the GitHub App's or the
// legacy OAuth App's: check and delete a token, and delete a user's whole grant.
import { checkToken, deleteAuthorization, deleteToken } from "@octokit/oauth-methods";
import { request as baseRequest } from "@octokit/request";
import type { GitHubEndpoints } from "../config.js";
import { classifyRequestFailure } from "./classify.js";

interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
  /** "github-app" for the App's user tokens, "oauth-app" for the legacy OAuth App. */
  clientType: "github-app" | "oauth-app";
}

export type TokenCheck =
  | { valid: true; login: string | null; githubId: number | null; expiresAt: Date | null }
  | { valid: false };

interface OAuthAppCredentialsOptions {
  github: GitHubEndpoints;
  client: OAuthClientCredentials;
  timeoutMs: number;
}

export class OAuthAppCredentials {
  readonly #options: OAuthAppCredentialsOptions;

  constructor(options: OAuthAppCredentialsOptions) {
    this.#options = options;
  }

  /** POST /applications/{client_id}/token. A 404 means the token is dead: an answer, not an error. */
  async checkToken(token: string): Promise<TokenCheck> {
    try {
      const { data } = await checkToken({ ...this.#auth(), token, request: this.#request() });
      const user = (data as { user?: { login?: string; id?: number } | null }).user;
      const expiresAt = (data as { expires_at?: string | null }).expires_at;
      return { valid: true, login: user?.login ?? null, githubId: user?.id ?? null, expiresAt: expiresAt ? new Date(expiresAt) : null };
    } catch (error) {
      if ((error as { status?: number }).status === 404) return { valid: false };
      throw classifyRequestFailure(error, "check token");
    }
  }

  /** DELETE /applications/{client_id}/token. An already dead token (404) counts as deleted. */
  async deleteToken(token: string): Promise<void> {
    try {
      await deleteToken({ ...this.#auth(), token, request: this.#request() });
    } catch (error) {
      if ((error as { status?: number }).status === 404) return;
      throw classifyRequestFailure(error, "delete token");
    }
  }

  /** DELETE /applications/{client_id}/grant: every token of the user for this client. 404 counts as deleted. */
  async deleteGrant(token: string): Promise<void> {
    try {
      await deleteAuthorization({ ...this.#auth(), token, request: this.#request() });
    } catch (error) {
      if ((error as { status?: number }).status === 404) return;
      throw classifyRequestFailure(error, "delete grant");
    }
  }

  #auth() {
    const { clientId, clientSecret, clientType } = this.#options.client;
    // The oauth-methods option types are a union per client type; both shapes are the same here.
    return { clientType, clientId, clientSecret } as { clientType: "github-app"; clientId: string; clientSecret: string };
  }

  #request() {
    return baseRequest.defaults({
      baseUrl: this.#options.github.apiBaseUrl,
      request: { signal: AbortSignal.timeout(this.#options.timeoutMs) },
    });
  }
}
