import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../simulator/index.js";
import { CALLBACK, LEGACY_APP, TEST_APP, movableClock, pkcePair, startTestSimulator, tokenJson, tokenRequest } from "../support/simulator-fixture.js";

const clock = movableClock();
let simulator: GitHubSimulator;

beforeAll(async () => {
  simulator = await startTestSimulator({ now: clock.now });
  simulator.addUser({ login: "octocat", name: "The Octocat" });
  simulator.addUser({ login: "hubot" });
});
afterAll(() => simulator.stop());

function authorizeUrl(params: Record<string, string>) {
  return `${simulator.url}/login/oauth/authorize?${new URLSearchParams({ client_id: TEST_APP.clientId, redirect_uri: CALLBACK, state: "st4te", ...params })}`;
}

function codeFrom(location: string) {
  return new URL(location).searchParams.get("code") ?? "";
}

function exchangeParams(code: string, extra: Record<string, string> = {}) {
  return { client_id: TEST_APP.clientId, client_secret: TEST_APP.clientSecret, code, redirect_uri: CALLBACK, ...extra };
}

describe("the authorization page", () => {
  it("lists the seeded users, each with an Authorize button, and a Cancel button", async () => {
    const { challenge } = pkcePair();
    const response = await fetch(authorizeUrl({ code_challenge: challenge, code_challenge_method: "S256" }));
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(html).toContain('data-login="octocat"');
    expect(html).toContain('data-login="hubot"');
    expect(html).toContain('value="cancel"');
    expect(html).toContain(`value="${challenge}"`);
  });

  it("redirects to redirect_uri with a code and the state when the user authorizes", async () => {
    const form = new URLSearchParams({ client_id: TEST_APP.clientId, redirect_uri: CALLBACK, state: "st4te", login: "octocat", decision: "authorize" });
    const response = await fetch(`${simulator.url}/login/oauth/authorize`, { method: "POST", body: form, redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "");
    expect(response.status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get("code")).toMatch(/^[0-9a-f]{20}$/);
    expect(location.searchParams.get("state")).toBe("st4te");
  });

  it("redirects with error=access_denied and the state when the user cancels", async () => {
    const form = new URLSearchParams({ client_id: TEST_APP.clientId, redirect_uri: CALLBACK, state: "st4te", login: "octocat", decision: "cancel" });
    const response = await fetch(`${simulator.url}/login/oauth/authorize`, { method: "POST", body: form, redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("error_description")).toBeTruthy();
    expect(location.searchParams.get("state")).toBe("st4te");
    expect(location.searchParams.has("code")).toBe(false);
  });

  it("answers 404 for an unknown client_id", async () => {
    const response = await fetch(authorizeUrl({ client_id: "Iv23nobody" }));
    expect(response.status).toBe(404);
  });

  it("sends redirect_uri_mismatch to the registered callback when redirect_uri is elsewhere", async () => {
    const response = await fetch(authorizeUrl({ redirect_uri: "https://evil.example/callback" }), { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "");
    expect(response.status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get("error")).toBe("redirect_uri_mismatch");
  });

  it("refuses code_challenge_method=plain: GitHub supports only S256", async () => {
    const response = await fetch(authorizeUrl({ code_challenge: "abc", code_challenge_method: "plain" }), { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.has("code")).toBe(false);
  });
});

describe("the code exchange", () => {
  it("gives a ghu_/ghr_ pair with GitHub's lifetimes for the App's client, once per code", async () => {
    const { verifier, challenge } = pkcePair();
    const code = codeFrom(simulator.authorize({ login: "octocat", clientId: TEST_APP.clientId, redirectUri: CALLBACK, state: "s", codeChallenge: challenge }));
    const answer = await tokenJson(simulator, exchangeParams(code, { code_verifier: verifier }));
    expect(answer).toEqual({
      access_token: expect.stringMatching(/^ghu_[A-Za-z0-9]{36}$/),
      expires_in: 28800,
      refresh_token: expect.stringMatching(/^ghr_[A-Za-z0-9]{76}$/),
      refresh_token_expires_in: 15897600,
      token_type: "bearer",
      scope: "",
    });
    const again = await tokenRequest(simulator, exchangeParams(code, { code_verifier: verifier }));
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text)).toMatchObject({ error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
  });

  it("refuses a wrong PKCE verifier with bad_verification_code, GitHub's answer for a code that does not match its authorization request", async () => {
    const { challenge } = pkcePair();
    const code = codeFrom(simulator.authorize({ login: "octocat", clientId: TEST_APP.clientId, redirectUri: CALLBACK, state: "s", codeChallenge: challenge }));
    const response = await tokenRequest(simulator, exchangeParams(code, { code_verifier: pkcePair().verifier }));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ error: "bad_verification_code" });
  });

  it("refuses a missing verifier when the code was issued with a challenge", async () => {
    const { challenge } = pkcePair();
    const code = codeFrom(simulator.authorize({ login: "octocat", clientId: TEST_APP.clientId, redirectUri: CALLBACK, state: "s", codeChallenge: challenge }));
    expect(await tokenJson(simulator, exchangeParams(code))).toMatchObject({ error: "bad_verification_code" });
  });

  it("lets a code live 10 minutes", async () => {
    const fresh = codeFrom(simulator.authorize({ login: "octocat", clientId: TEST_APP.clientId, redirectUri: CALLBACK, state: "s" }));
    const stale = codeFrom(simulator.authorize({ login: "octocat", clientId: TEST_APP.clientId, redirectUri: CALLBACK, state: "s" }));
    clock.advance(9 * 60);
    expect(await tokenJson(simulator, exchangeParams(fresh))).toHaveProperty("access_token");
    clock.advance(61);
    expect(await tokenJson(simulator, exchangeParams(stale))).toMatchObject({ error: "bad_verification_code" });
  });

  it("answers form-encoded unless the client accepts JSON", async () => {
    const code = codeFrom(simulator.authorize({ login: "octocat", clientId: TEST_APP.clientId, redirectUri: CALLBACK, state: "s" }));
    const response = await tokenRequest(simulator, exchangeParams(code), "*/*");
    expect(response.contentType).toContain("application/x-www-form-urlencoded");
    expect(new URLSearchParams(response.text).get("access_token")).toMatch(/^ghu_/);
  });

  it("answers incorrect_client_credentials, redirect_uri_mismatch and unsupported_grant_type with HTTP 200", async () => {
    const code = codeFrom(simulator.authorize({ login: "octocat", clientId: TEST_APP.clientId, redirectUri: CALLBACK, state: "s" }));
    expect(await tokenJson(simulator, exchangeParams(code, { client_secret: "wrong" }))).toMatchObject({ error: "incorrect_client_credentials" });
    expect(await tokenJson(simulator, exchangeParams(code, { redirect_uri: `${CALLBACK}/other` }))).toMatchObject({ error: "redirect_uri_mismatch" });
    expect(await tokenJson(simulator, exchangeParams("x", { grant_type: "urn:ietf:params:oauth:grant-type:device_code" }))).toMatchObject({
      error: "unsupported_grant_type",
    });
  });

  it("gives the legacy OAuth App's client a gho_ token that does not expire", async () => {
    const code = codeFrom(simulator.authorize({ login: "hubot", clientId: LEGACY_APP.clientId, redirectUri: "http://localhost:4000/legacy", state: "s" }));
    const answer = await tokenJson(simulator, { client_id: LEGACY_APP.clientId, client_secret: LEGACY_APP.clientSecret, code });
    expect(answer).toEqual({ access_token: expect.stringMatching(/^gho_[A-Za-z0-9]{36}$/), token_type: "bearer", scope: "" });
  });
});

describe("the install-and-authorize return", () => {
  it("carries the code, installation_id and setup_action=install", () => {
    const location = new URL(
      simulator.authorize({ login: "octocat", clientId: TEST_APP.clientId, redirectUri: CALLBACK, state: "s", installationId: 77 }),
    );
    expect(location.searchParams.get("code")).toBeTruthy();
    expect(location.searchParams.get("installation_id")).toBe("77");
    expect(location.searchParams.get("setup_action")).toBe("install");
  });
});
