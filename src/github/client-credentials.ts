// Whether one OAuth client's id and secret (the App's or the legacy OAuth App's) are good at GitHub,
// and which secret of a rotation list works. GitHub's Basic-auth endpoints answer 404 for wrong
// client credentials exactly as for a dead token, so a 404 is believed only under credentials known
// good; the token endpoint tells the two apart: a made-up code gets `bad_verification_code` under
// good credentials and `incorrect_client_credentials` under wrong ones.
import { randomBytes } from "node:crypto";
import { request as baseRequest } from "@octokit/request";
import type { GitHubEndpoints } from "../config.js";
import { classifyRequestFailure } from "./classify.js";
import { ClientCredentialsError, GitHubRequestRejectedError, TransientGitHubError } from "./errors.js";

export interface OAuthClientSettings {
  clientId: string;
  /** In the order to try them: the newest first. */
  secrets: string[];
  /** "github-app" for the App's user tokens, "oauth-app" for the legacy OAuth App. */
  clientType: "github-app" | "oauth-app";
  /** The environment variables they come from, named in every error and verdict. */
  idVariable: string;
  secretVariable: string;
}

export type CredentialsVerdict =
  | { ok: true; clientId: string; secretVariable: string; workingSecret: number; secretCount: number; rejectedSecrets: number[] }
  | { ok: false; clientId: string; secretVariable: string; idVariable: string; secretCount: number; message: string };

export interface OAuthClientCredentialsOptions {
  github: GitHubEndpoints;
  client: OAuthClientSettings;
  timeoutMs: number;
  /** How long a secret that worked is believed without asking again before a 404 is read as "dead". */
  knownGoodForMs?: number;
  now?: () => number;
}

export type ProbeAnswer = "accepted" | "rejected";

const OPERATION = "check client credentials";

export class OAuthClientCredentials {
  readonly #options: Required<OAuthClientCredentialsOptions>;
  /** Index of the secret that last worked, and when GitHub last confirmed it. */
  #working: { index: number; confirmedAt: number } | null = null;
  /** One question to GitHub at a time: callers arriving meanwhile share its answer. */
  #verifying: Promise<CredentialsVerdict> | null = null;

  constructor(options: OAuthClientCredentialsOptions) {
    this.#options = { knownGoodForMs: 60_000, now: () => Date.now(), ...options };
  }

  get settings(): OAuthClientSettings {
    return this.#options.client;
  }

  /**
   * Asks GitHub about every secret in order and remembers the first that works. Throws
   * TransientGitHubError when GitHub could not answer: then nothing is known either way.
   */
  verify(): Promise<CredentialsVerdict> {
    this.#verifying ??= this.#askGitHub().finally(() => {
      this.#verifying = null;
    });
    return this.#verifying;
  }

  async #askGitHub(): Promise<CredentialsVerdict> {
    const { client } = this.#options;
    const rejectedSecrets: number[] = [];
    for (const [index, secret] of client.secrets.entries()) {
      if ((await this.#probe(secret)) === "accepted") {
        this.#working = { index, confirmedAt: this.#options.now() };
        return { ok: true, clientId: client.clientId, secretVariable: client.secretVariable, workingSecret: index, secretCount: client.secrets.length, rejectedSecrets };
      }
      rejectedSecrets.push(index);
    }
    this.#working = null;
    return {
      ok: false,
      clientId: client.clientId,
      secretVariable: client.secretVariable,
      idVariable: client.idVariable,
      secretCount: client.secrets.length,
      message: rejectedMessage(client),
    };
  }

  /**
   * A secret GitHub confirmed within `knownGoodForMs`, asking again when the last confirmation is
   * older. Throws ClientCredentialsError (naming the variables) or TransientGitHubError.
   */
  async knownGoodSecret(): Promise<string> {
    const working = this.#working;
    if (working && this.#options.now() - working.confirmedAt < this.#options.knownGoodForMs) {
      return this.#options.client.secrets[working.index]!;
    }
    const verdict = await this.verify();
    if (!verdict.ok) throw new ClientCredentialsError(verdict.secretVariable, verdict.message);
    return this.#options.client.secrets[verdict.workingSecret]!;
  }

  /** Before a batch, a validation or a cleanup: the credentials are asked about now, whatever is remembered. */
  async requireKnownGood(): Promise<void> {
    const verdict = await this.verify();
    if (!verdict.ok) throw new ClientCredentialsError(verdict.secretVariable, verdict.message);
  }

  /**
   * For calls to the token endpoint (code exchange, refresh): tries the secret that last worked,
   * then the others in order, moving on only when GitHub answered `incorrect_client_credentials`
   * (which it does before looking at the code or refresh token, so nothing was spent).
   */
  async withSecretFallback<T>(call: (clientSecret: string) => Promise<T>): Promise<T> {
    const { secrets } = this.#options.client;
    const first = this.#working?.index ?? 0;
    const order = [first, ...secrets.keys()].filter((index, position, all) => all.indexOf(index) === position);
    for (const index of order) {
      try {
        const result = await call(secrets[index]!);
        this.#working = { index, confirmedAt: this.#options.now() };
        return result;
      } catch (error) {
        if (!(error instanceof GitHubRequestRejectedError && error.code === "incorrect_client_credentials")) throw error;
      }
    }
    this.#working = null;
    throw new ClientCredentialsError(this.#options.client.secretVariable, rejectedMessage(this.#options.client));
  }

  /** Every secret of the list asked about, in order (doctor: which one may be deleted at GitHub). */
  async verifyEachSecret(): Promise<ProbeAnswer[]> {
    const answers: ProbeAnswer[] = [];
    for (const secret of this.#options.client.secrets) answers.push(await this.#probe(secret));
    return answers;
  }

  /** POST /login/oauth/access_token with a code GitHub never issued. */
  async #probe(clientSecret: string): Promise<ProbeAnswer> {
    const { github, client, timeoutMs } = this.#options;
    let body: { error?: unknown };
    try {
      const response = await baseRequest("POST /login/oauth/access_token", {
        baseUrl: github.webBaseUrl,
        headers: { accept: "application/json" },
        client_id: client.clientId,
        client_secret: clientSecret,
        code: `probe-${randomBytes(10).toString("hex")}`,
        request: { signal: AbortSignal.timeout(timeoutMs) },
      });
      body = (response.data ?? {}) as { error?: unknown };
    } catch (error) {
      const data = (error as { response?: { data?: { error?: unknown } } }).response?.data;
      if (typeof data?.error !== "string") throw classifyRequestFailure(error, OPERATION);
      body = data;
    }
    if (body.error === "bad_verification_code") return "accepted";
    if (body.error === "incorrect_client_credentials") return "rejected";
    // Any other answer (a token for a made-up code, an unknown error) proves nothing either way.
    throw new TransientGitHubError(`${OPERATION}: GitHub gave an answer that tells nothing about the credentials (${String(body.error ?? "no error")})`, 200, null);
  }
}

function rejectedMessage(client: OAuthClientSettings): string {
  const which = client.secrets.length > 1 ? `none of the ${client.secrets.length} secrets in ${client.secretVariable}` : client.secretVariable;
  return `GitHub rejects ${client.idVariable}=${client.clientId} with ${which} (incorrect_client_credentials); fix ${client.secretVariable} (or ${client.idVariable}) before anything relies on it.`;
}

export interface OAuthClients {
  /** The GitHub App's OAuth client (GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET); null when not configured. */
  app: OAuthClientCredentials | null;
  /** The legacy OAuth App (LEGACY_OAUTH_CLIENT_ID / LEGACY_OAUTH_CLIENT_SECRET); null when not configured. */
  legacy: OAuthClientCredentials | null;
}

export function oauthClientsFromConfig(config: {
  github: GitHubEndpoints;
  githubRequestTimeoutMs: number;
  appClientId: string | null;
  appClientSecrets: string[];
  legacyClientId: string | null;
  legacyClientSecrets: string[];
}): OAuthClients {
  const build = (clientId: string | null, secrets: string[], settings: Pick<OAuthClientSettings, "clientType" | "idVariable" | "secretVariable">) =>
    clientId && secrets.length > 0
      ? new OAuthClientCredentials({ github: config.github, timeoutMs: config.githubRequestTimeoutMs, client: { clientId, secrets, ...settings } })
      : null;
  return {
    app: build(config.appClientId, config.appClientSecrets, {
      clientType: "github-app",
      idVariable: "GITHUB_CLIENT_ID",
      secretVariable: "GITHUB_CLIENT_SECRET",
    }),
    legacy: build(config.legacyClientId, config.legacyClientSecrets, {
      clientType: "oauth-app",
      idVariable: "LEGACY_OAUTH_CLIENT_ID",
      secretVariable: "LEGACY_OAUTH_CLIENT_SECRET",
    }),
  };
}
