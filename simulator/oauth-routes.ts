// GitHub's web endpoints: the authorization page and the token endpoint (code exchange and refresh).
import type { Context } from "hono";
import { Hono } from "hono";
import { checkAuthorizationRequest, decideAuthorization, type AuthorizationRequest } from "./authorization-decision.js";
import { authorizePage, notFoundPage } from "./authorize-page.js";
import { runEndpoint } from "./endpoint-runner.js";
import { readParams } from "./request-input.js";
import type { SimulatorEnv, SimulatorRuntime } from "./runtime.js";
import type { UserTokenRecord } from "./token-ledger.js";

const TOKEN_ERRORS_URI = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";

const TOKEN_ERRORS = {
  bad_verification_code: ["The code passed is incorrect or expired.", `${TOKEN_ERRORS_URI}/#bad-verification-code`],
  bad_refresh_token: ["The refresh token passed is incorrect or expired.", TOKEN_ERRORS_URI],
  incorrect_client_credentials: ["The client_id and/or client_secret passed are incorrect.", `${TOKEN_ERRORS_URI}/#incorrect-client-credentials`],
  redirect_uri_mismatch: [
    "The redirect_uri MUST match the registered callback URL for this application.",
    "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch2",
  ],
  unsupported_grant_type: ["The grant type is not supported.", TOKEN_ERRORS_URI],
} as const;
type TokenError = keyof typeof TOKEN_ERRORS;

/** The parameters GitHub's authorize page carries through to its form. */
const CARRIED_PARAMS = ["client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope", "allow_signup", "prompt"];

export function oauthRoutes(runtime: SimulatorRuntime): Hono<SimulatorEnv> {
  const routes = new Hono<SimulatorEnv>();

  routes.get("/login/oauth/authorize", (c) =>
    runEndpoint(c, runtime, "authorize", () => {
      const params = c.req.query();
      const request = authorizationRequest(params);
      const check = checkAuthorizationRequest(runtime, request);
      if (!check.ok) return check.kind === "redirect" ? c.redirect(check.location, 302) : c.html(notFoundPage(), 404);
      const carried = Object.fromEntries(CARRIED_PARAMS.flatMap((name) => (params[name] === undefined ? [] : [[name, params[name]]])));
      const appName = runtime.client(request.clientId)?.name ?? "";
      return c.html(authorizePage({ appName, users: runtime.world.allUsers(), suggestedLogin: params.login, params: carried }));
    }),
  );

  routes.post("/login/oauth/authorize", async (c) => {
    const params = await readParams(c);
    return runEndpoint(c, runtime, "authorize", () => {
      const request = authorizationRequest(params);
      const check = checkAuthorizationRequest(runtime, request);
      if (!check.ok) return check.kind === "redirect" ? c.redirect(check.location, 302) : c.html(notFoundPage(), 404);
      const decision = params.decision === "cancel" ? "cancel" : "authorize";
      if (decision === "authorize" && !runtime.world.user(params.login ?? "")) return c.html(notFoundPage(), 404);
      return c.redirect(decideAuthorization(runtime, { ...request, redirectUri: check.redirectUri }, { login: params.login ?? "", decision }), 302);
    });
  });

  routes.post("/login/oauth/access_token", async (c) => {
    const params = await readParams(c);
    const endpoint = params.grant_type === "refresh_token" ? "refresh" : "exchange";
    return runEndpoint(c, runtime, endpoint, () => {
      const client = runtime.client(params.client_id ?? "");
      if (!client || !client.clientSecrets.includes(params.client_secret ?? "")) return tokenError(c, "incorrect_client_credentials");
      if (params.grant_type === "refresh_token") {
        const record = runtime.ledger.rotate(params.refresh_token ?? "", client.clientId, runtime.lifetimesFor(client));
        if (!record) return tokenError(c, "bad_refresh_token");
        runtime.counters.countRefresh(record.login);
        return tokenAnswer(c, runtime, record);
      }
      if (params.grant_type !== undefined && params.grant_type !== "authorization_code") return tokenError(c, "unsupported_grant_type");
      const redemption = runtime.codes.redeem({
        code: params.code ?? "",
        clientId: client.clientId,
        redirectUri: params.redirect_uri,
        codeVerifier: params.code_verifier,
      });
      if (!redemption.ok) return tokenError(c, redemption.error);
      return tokenAnswer(c, runtime, runtime.ledger.mint(redemption.grant.login, client, runtime.lifetimesFor(client)));
    });
  });

  return routes;
}

function authorizationRequest(params: Record<string, string | undefined>): AuthorizationRequest {
  return {
    clientId: params.client_id ?? "",
    redirectUri: params.redirect_uri,
    state: params.state,
    codeChallenge: params.code_challenge,
    codeChallengeMethod: params.code_challenge_method,
  };
}

/** GitHub answers JSON when asked to (`Accept: application/json`), form encoding otherwise. */
function oauthAnswer(c: Context<SimulatorEnv>, body: Record<string, string | number>): Response {
  if ((c.req.header("accept") ?? "").includes("application/json")) return c.json(body, 200);
  const form = new URLSearchParams(Object.entries(body).map(([name, value]): [string, string] => [name, String(value)]));
  return c.body(form.toString(), 200, { "content-type": "application/x-www-form-urlencoded; charset=utf-8" });
}

/** Token endpoint errors come with HTTP 200: clients must read the body. */
function tokenError(c: Context<SimulatorEnv>, error: TokenError): Response {
  const [description, uri] = TOKEN_ERRORS[error];
  return oauthAnswer(c, { error, error_description: description, error_uri: uri });
}

function tokenAnswer(c: Context<SimulatorEnv>, runtime: SimulatorRuntime, record: UserTokenRecord): Response {
  const nowMs = runtime.now().getTime();
  const secondsUntil = (date: Date) => Math.round((date.getTime() - nowMs) / 1000);
  if (!record.expiresAt || !record.refreshToken || !record.refreshTokenExpiresAt) {
    return oauthAnswer(c, { access_token: record.accessToken, token_type: "bearer", scope: "" });
  }
  return oauthAnswer(c, {
    access_token: record.accessToken,
    expires_in: secondsUntil(record.expiresAt),
    refresh_token: record.refreshToken,
    refresh_token_expires_in: secondsUntil(record.refreshTokenExpiresAt),
    token_type: "bearer",
    scope: "",
  });
}
