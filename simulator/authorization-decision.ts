// The browser half of the web flow, shared by the HTML page and the programmatic `authorize()`:
// validates the request like GitHub and says where the user's browser is sent next.
import type { SimulatorRuntime } from "./runtime.js";

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string | undefined;
  state: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
}

type AuthorizationCheck =
  | { ok: true; redirectUri: string }
  | { ok: false; kind: "unknown_client" }
  | { ok: false; kind: "redirect"; location: string };

const AUTHORIZATION_ERRORS_URI = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors";

/** Checks everything that does not depend on the user's choice; GitHub answers these before showing its page. */
export function checkAuthorizationRequest(runtime: SimulatorRuntime, request: AuthorizationRequest): AuthorizationCheck {
  const client = runtime.client(request.clientId);
  if (!client) return { ok: false, kind: "unknown_client" };
  const redirectUri = request.redirectUri || client.callbackUrl;
  if (!redirectUri) return { ok: false, kind: "unknown_client" };
  if (client.callbackUrl && !redirectUriAllowed(client, redirectUri)) {
    // GitHub never sends the user to an unregistered URI: the error goes to the registered callback.
    return {
      ok: false,
      kind: "redirect",
      location: withQuery(client.callbackUrl, {
        error: "redirect_uri_mismatch",
        error_description: "The redirect_uri MUST match the registered callback URL for this application.",
        error_uri: `${AUTHORIZATION_ERRORS_URI}#redirect-uri-mismatch`,
        state: request.state,
      }),
    };
  }
  // GitHub supports PKCE with S256 only; without a method, RFC 7636 means "plain", refused as well.
  if (request.codeChallenge && request.codeChallengeMethod !== "S256") {
    return {
      ok: false,
      kind: "redirect",
      location: withQuery(redirectUri, {
        error: "invalid_request",
        error_description: "code_challenge_method must be S256",
        state: request.state,
      }),
    };
  }
  return { ok: true, redirectUri };
}

interface UserDecision {
  login: string;
  decision: "authorize" | "cancel";
  installationId?: number | undefined;
  setupAction?: "install" | "update" | undefined;
}

/** The redirect after the user chose: a fresh code, or `access_denied`. */
export function decideAuthorization(runtime: SimulatorRuntime, request: AuthorizationRequest & { redirectUri: string }, choice: UserDecision): string {
  if (choice.decision === "cancel") {
    return withQuery(request.redirectUri, {
      error: "access_denied",
      error_description: "The user has denied your application access.",
      error_uri: `${AUTHORIZATION_ERRORS_URI}#access-denied`,
      state: request.state,
    });
  }
  const user = runtime.world.requireUser(choice.login);
  const code = runtime.codes.issue({
    clientId: request.clientId,
    login: user.login,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge ?? null,
  });
  return withQuery(request.redirectUri, {
    code,
    installation_id: choice.installationId === undefined ? undefined : String(choice.installationId),
    setup_action: choice.setupAction,
    state: request.state,
  });
}

function withQuery(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * A GitHub App's redirect_uri must equal a registered callback URL exactly; a legacy OAuth App's may
 * also be a sub-path of it (GitHub's "Redirect URLs" rules for each kind).
 */
function redirectUriAllowed(client: { kind: string; callbackUrl?: string | undefined }, redirectUri: string): boolean {
  if (!client.callbackUrl) return true;
  return client.kind === "app" ? redirectUri === client.callbackUrl : redirectUri.startsWith(client.callbackUrl);
}
