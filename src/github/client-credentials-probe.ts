// Are the App's client id and secret the ones GitHub knows? The Basic-auth endpoints answer 404 for
// wrong credentials exactly as for a dead token, so a 404 from them is believed only after this.
// The token endpoint tells the two apart: a made-up code gets `incorrect_client_credentials` under
// wrong credentials and `bad_verification_code` under right ones. Nothing is created or spent.
import { randomBytes } from "node:crypto";
import type { GitHubEndpoints } from "../config.js";
import { GitHubRequestRejectedError } from "./errors.js";
import { exchangeWebFlowCode } from "./web-flow.js";

export interface ClientCredentialsProbeOptions {
  github: GitHubEndpoints;
  clientId: string;
  clientSecret: string;
  /** Any redirect URI registered for the client; a made-up code fails before it is compared. */
  redirectUri: string;
  timeoutMs: number;
}

/** True when GitHub accepts the credentials; throws TransientGitHubError when it could not tell. */
export async function clientCredentialsAccepted(options: ClientCredentialsProbeOptions): Promise<boolean> {
  try {
    await exchangeWebFlowCode({
      ...options,
      code: `credential-probe-${randomBytes(10).toString("hex")}`,
      codeVerifier: randomBytes(32).toString("base64url"),
    });
  } catch (error) {
    if (error instanceof GitHubRequestRejectedError && error.code === "bad_verification_code") return true;
    if (error instanceof GitHubRequestRejectedError && error.code === "incorrect_client_credentials") return false;
    throw error;
  }
  throw new GitHubRequestRejectedError("credential probe: GitHub exchanged a made-up code", 200, null);
}
