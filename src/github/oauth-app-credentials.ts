// The basic-auth (client id + secret) endpoints of one OAuth client — the GitHub App's or the
// legacy OAuth App's: check, reset and delete a token, and delete a user's whole grant. GitHub
// answers 404 there for wrong client credentials as for a dead token, so every call uses a secret
// GitHub confirmed lately, and a 404 is read as "dead" only after the credentials are confirmed.
import { checkToken, deleteAuthorization, deleteToken } from "@octokit/oauth-methods";
import { request as baseRequest } from "@octokit/request";
import type { GitHubEndpoints } from "../config.js";
import { classifyRequestFailure } from "./classify.js";
import type { OAuthClientCredentials } from "./client-credentials.js";

export type TokenCheck =
  | { valid: true; login: string | null; githubId: number | null; expiresAt: Date | null }
  | { valid: false };

/** What a delete came to: GitHub revoked it now, or it was already dead (404 under good credentials). */
export type DeleteOutcome = "revoked" | "already_dead";

interface OAuthAppCredentialsOptions {
  github: GitHubEndpoints;
  credentials: OAuthClientCredentials;
  timeoutMs: number;
}

export class OAuthAppCredentials {
  readonly #options: OAuthAppCredentialsOptions;

  constructor(options: OAuthAppCredentialsOptions) {
    this.#options = options;
  }

  /**
   * POST /applications/{client_id}/token. A 404 under confirmed credentials means the token is
   * dead: an answer, not an error. Throws ClientCredentialsError when the credentials are wrong.
   */
  async checkToken(token: string): Promise<TokenCheck> {
    try {
      const { data } = await checkToken({ ...(await this.#auth()), token, request: this.#request() });
      const user = (data as { user?: { login?: string; id?: number } | null }).user;
      const expiresAt = (data as { expires_at?: string | null }).expires_at;
      return { valid: true, login: user?.login ?? null, githubId: user?.id ?? null, expiresAt: expiresAt ? new Date(expiresAt) : null };
    } catch (error) {
      if (await this.#isDeadTokenAnswer(error)) return { valid: false };
      throw classifyRequestFailure(error, "check token");
    }
  }

  /** DELETE /applications/{client_id}/token. An already dead token (404 under confirmed credentials) is reported as such. */
  async deleteToken(token: string): Promise<DeleteOutcome> {
    try {
      await deleteToken({ ...(await this.#auth()), token, request: this.#request() });
      return "revoked";
    } catch (error) {
      if (await this.#isDeadTokenAnswer(error)) return "already_dead";
      throw classifyRequestFailure(error, "delete token");
    }
  }

  /** DELETE /applications/{client_id}/grant: every token of the user for this client. */
  async deleteGrant(token: string): Promise<DeleteOutcome> {
    try {
      await deleteAuthorization({ ...(await this.#auth()), token, request: this.#request() });
      return "revoked";
    } catch (error) {
      if (await this.#isDeadTokenAnswer(error)) return "already_dead";
      throw classifyRequestFailure(error, "delete grant");
    }
  }

  /**
   * A 404 says "dead token" only if the credentials it was sent with are still good: asked again
   * unless GitHub confirmed them moments ago. Wrong ones throw ClientCredentialsError instead.
   */
  async #isDeadTokenAnswer(error: unknown): Promise<boolean> {
    if ((error as { status?: number }).status !== 404) return false;
    await this.#options.credentials.knownGoodSecret();
    return true;
  }

  async #auth() {
    const { clientId, clientType } = this.#options.credentials.settings;
    const clientSecret = await this.#options.credentials.knownGoodSecret();
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
