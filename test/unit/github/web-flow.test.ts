import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import nock from "nock";
import { githubEndpoints } from "../../../src/config.js";
import { GitHubRequestRejectedError, TransientGitHubError } from "../../../src/github/errors.js";
import { authorizeUrl, exchangeWebFlowCode } from "../../../src/github/web-flow.js";

const GHE = githubEndpoints("ghe.example.com", "https");
const exchange = (overrides: Partial<Parameters<typeof exchangeWebFlowCode>[0]> = {}) =>
  exchangeWebFlowCode({
    github: GHE,
    clientId: "Iv23client",
    clientSecret: "secret",
    code: "0123456789abcdef0123",
    redirectUri: "https://app.example.com/auth/callback",
    codeVerifier: "v".repeat(43),
    timeoutMs: 2_000,
    ...overrides,
  });
const tokenEndpoint = () => nock("https://ghe.example.com").post("/login/oauth/access_token");

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("the authorize URL", () => {
  it("carries client_id, the exact redirect_uri, state and an S256 challenge, on the web host", () => {
    const challenge = createHash("sha256").update("verifier").digest("base64url");
    const url = new URL(
      authorizeUrl({ github: GHE, clientId: "Iv23client", redirectUri: "https://app.example.com/auth/callback", state: "s", codeChallenge: challenge }),
    );
    expect(`${url.origin}${url.pathname}`).toBe("https://ghe.example.com/login/oauth/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "Iv23client",
      redirect_uri: "https://app.example.com/auth/callback",
      state: "s",
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
  });

  it("passes a login hint when one is given", () => {
    const url = new URL(authorizeUrl({ github: GHE, clientId: "c", redirectUri: "https://a/cb", state: "s", codeChallenge: "x", login: "octocat" }));
    expect(url.searchParams.get("login")).toBe("octocat");
  });
});

describe("exchanging a web flow code", () => {
  it("sends the code with the PKCE verifier and the redirect URI, asks for JSON and reads the pair", async () => {
    let sent: Record<string, unknown> = {};
    let accept: string | undefined;
    tokenEndpoint().reply(200, function (_uri, body) {
      sent = body as Record<string, unknown>;
      accept = this.req.headers.accept;
      return { access_token: "ghu_new", expires_in: 28800, refresh_token: "ghr_new", refresh_token_expires_in: 15897600, token_type: "bearer", scope: "" };
    });
    const before = Date.now();
    const tokens = await exchange();
    expect(sent).toEqual({
      client_id: "Iv23client",
      client_secret: "secret",
      code: "0123456789abcdef0123",
      redirect_uri: "https://app.example.com/auth/callback",
      code_verifier: "v".repeat(43),
    });
    expect(accept).toBe("application/json");
    expect(tokens.accessToken).toBe("ghu_new");
    expect(tokens.refreshToken).toBe("ghr_new");
    expect(tokens.accessTokenExpiresAt!.getTime()).toBeGreaterThanOrEqual(before + 28800 * 1000);
    expect(tokens.accessTokenExpiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 28800 * 1000);
    expect(tokens.refreshTokenExpiresAt!.getTime()).toBeGreaterThanOrEqual(before + 15897600 * 1000);
  });

  it("supports Apps with token expiration turned off (no expiry fields, no refresh token)", async () => {
    tokenEndpoint().reply(200, { access_token: "ghu_forever", token_type: "bearer", scope: "" });
    expect(await exchange()).toEqual({ accessToken: "ghu_forever", accessTokenExpiresAt: null, refreshToken: null, refreshTokenExpiresAt: null });
  });

  it.each(["bad_verification_code", "redirect_uri_mismatch", "incorrect_client_credentials", "unverified_user_email"])(
    "reads %s from GitHub's HTTP 200 error body as a rejected request with that code",
    async (code) => {
      tokenEndpoint().reply(200, { error: code, error_description: "described", error_uri: "https://docs.github.com" });
      const failure = await exchange().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(GitHubRequestRejectedError);
      expect(failure).toMatchObject({ code, status: 200 });
      expect(String((failure as Error).message)).not.toContain("secret");
    },
  );

  it("classifies a 5xx as transient", async () => {
    tokenEndpoint().reply(502, "bad gateway");
    await expect(exchange()).rejects.toBeInstanceOf(TransientGitHubError);
  });

  it("gives up after the timeout, as a transient failure", async () => {
    tokenEndpoint().delay(500).reply(200, { access_token: "ghu_late" });
    await expect(exchange({ timeoutMs: 100 })).rejects.toBeInstanceOf(TransientGitHubError);
  });

  it("refuses an answer without an access token", async () => {
    tokenEndpoint().reply(200, { token_type: "bearer" });
    await expect(exchange()).rejects.toBeInstanceOf(GitHubRequestRejectedError);
  });
});
