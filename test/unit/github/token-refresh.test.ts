import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { githubEndpoints } from "../../../src/config.js";
import { GitHubRequestRejectedError, TerminalTokenError, TransientGitHubError } from "../../../src/github/errors.js";
import { refreshUserToken } from "../../../src/github/token-refresh.js";

const GHE = githubEndpoints("ghe.example.com", "https");
const refresh = (overrides: Partial<Parameters<typeof refreshUserToken>[0]> = {}) =>
  refreshUserToken({
    github: GHE,
    clientId: "Iv23client",
    clientSecret: "secret",
    refreshToken: "ghr_oldrefreshtoken1234",
    timeoutMs: 2_000,
    ...overrides,
  });
const tokenEndpoint = () => nock("https://ghe.example.com").post("/login/oauth/access_token");

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("refreshing a user token at GitHub", () => {
  it("posts the refresh grant to the web host (not the API root) and reads the new pair", async () => {
    let sent: Record<string, unknown> = {};
    tokenEndpoint().reply(200, (_uri, body) => {
      sent = body as Record<string, unknown>;
      return {
        access_token: "ghu_newaccesstoken1234",
        expires_in: 28800,
        refresh_token: "ghr_newrefreshtoken1234",
        refresh_token_expires_in: 15897600,
        token_type: "bearer",
        scope: "",
      };
    });
    const before = Date.now();
    const tokens = await refresh();
    expect(sent).toMatchObject({ client_id: "Iv23client", grant_type: "refresh_token", refresh_token: "ghr_oldrefreshtoken1234" });
    expect(tokens.accessToken).toBe("ghu_newaccesstoken1234");
    expect(tokens.refreshToken).toBe("ghr_newrefreshtoken1234");
    expect(tokens.accessTokenExpiresAt!.getTime()).toBeGreaterThanOrEqual(before + 28_800_000);
    expect(tokens.accessTokenExpiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 28_800_000);
    expect(tokens.refreshTokenExpiresAt!.getTime()).toBeGreaterThanOrEqual(before + 15_897_600_000);
  });

  it("uses https://github.com for github.com", async () => {
    nock("https://github.com").post("/login/oauth/access_token").reply(200, { access_token: "ghu_x1234567890", token_type: "bearer" });
    await expect(refresh({ github: githubEndpoints(undefined, "https") })).resolves.toMatchObject({ accessToken: "ghu_x1234567890" });
  });

  it("supports an answer without expiry fields (expiration turned off)", async () => {
    tokenEndpoint().reply(200, { access_token: "ghu_neverexpires1234", token_type: "bearer", scope: "" });
    await expect(refresh()).resolves.toEqual({
      accessToken: "ghu_neverexpires1234",
      accessTokenExpiresAt: null,
      refreshToken: null,
      refreshTokenExpiresAt: null,
    });
  });

  it("reads bad_refresh_token from an HTTP 200 body as terminal", async () => {
    tokenEndpoint().reply(200, {
      error: "bad_refresh_token",
      error_description: "The refresh token passed is incorrect or expired.",
      error_uri: "https://docs.github.com",
    });
    const error = await refresh().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TerminalTokenError);
    expect(error).toMatchObject({ code: "bad_refresh_token", status: 200 });
    expect(String((error as Error).message)).not.toContain("ghr_");
  });

  it("reads invalid_grant as terminal and incorrect_client_credentials as a rejected request", async () => {
    tokenEndpoint().reply(200, { error: "invalid_grant" });
    await expect(refresh()).rejects.toBeInstanceOf(TerminalTokenError);
    tokenEndpoint().reply(200, { error: "incorrect_client_credentials" });
    await expect(refresh()).rejects.toBeInstanceOf(GitHubRequestRejectedError);
  });

  it("classifies 5xx as transient, with an unknown outcome: a gateway may have passed the refresh on", async () => {
    tokenEndpoint().reply(502, "Bad Gateway");
    await expect(refresh()).rejects.toMatchObject({ constructor: TransientGitHubError, status: 502, outcome: "unknown" });
  });

  it("classifies 429 as transient and keeps Retry-After; nothing was done", async () => {
    tokenEndpoint().reply(429, { message: "secondary rate limit" }, { "retry-after": "120" });
    await expect(refresh()).rejects.toMatchObject({ constructor: TransientGitHubError, status: 429, retryAfterSeconds: 120, outcome: "not_done" });
  });

  it("treats an answer cut off mid-body as unknown: GitHub may have rotated the pair", async () => {
    tokenEndpoint().reply(200, "", { "content-type": "application/json" });
    await expect(refresh()).rejects.toMatchObject({ constructor: TransientGitHubError, outcome: "unknown" });
  });

  it("treats a refused connection as nothing done, and a reset as unknown", async () => {
    tokenEndpoint().replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" });
    await expect(refresh()).rejects.toMatchObject({ constructor: TransientGitHubError, outcome: "not_done" });
    tokenEndpoint().replyWithError({ code: "ECONNRESET", message: "socket hang up" });
    await expect(refresh()).rejects.toMatchObject({ constructor: TransientGitHubError, outcome: "unknown" });
  });

  it("classifies a rate-limited 403 as transient", async () => {
    const reset = Math.floor(Date.now() / 1000) + 60;
    tokenEndpoint().reply(403, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) });
    const error = await refresh().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientGitHubError);
    expect((error as TransientGitHubError).retryAfterSeconds).toBeGreaterThan(50);
    expect((error as TransientGitHubError).outcome).toBe("not_done");
  });

  it("classifies a network error as transient", async () => {
    tokenEndpoint().replyWithError({ code: "ECONNRESET", message: "socket hang up" });
    await expect(refresh()).rejects.toMatchObject({ constructor: TransientGitHubError, code: "network" });
  });

  it("gives up after the timeout, as a transient failure", async () => {
    tokenEndpoint().delay(1_000).reply(200, { access_token: "ghu_toolate12345678" });
    const started = Date.now();
    await expect(refresh({ timeoutMs: 150 })).rejects.toMatchObject({ constructor: TransientGitHubError, outcome: "unknown" });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("reports rate-limit headers it sees", async () => {
    const seen: Array<Record<string, unknown>> = [];
    tokenEndpoint().reply(200, { access_token: "ghu_x1234567890" }, { "x-ratelimit-remaining": "4999" });
    await refresh({ onResponseHeaders: (headers) => seen.push(headers) });
    expect(seen[0]).toMatchObject({ "x-ratelimit-remaining": "4999" });
  });
});
