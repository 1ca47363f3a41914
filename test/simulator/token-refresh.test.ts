import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../simulator/index.js";
import { api, movableClock, refreshParams, startTestSimulator, tokenJson, tokenRequest } from "../support/simulator-fixture.js";

const clock = movableClock();
let simulator: GitHubSimulator;

beforeAll(async () => {
  simulator = await startTestSimulator({ now: clock.now });
  simulator.addUser({ login: "octocat" });
});
afterAll(() => simulator.stop());

describe("refreshing a user access token", () => {
  it("works exactly once: the new pair is live, the old pair is dead, and reuse gives bad_refresh_token with HTTP 200", async () => {
    const seeded = simulator.issueTokens("octocat", "app");
    const refreshed = await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""));
    expect(refreshed).toMatchObject({ access_token: expect.stringMatching(/^ghu_/), refresh_token: expect.stringMatching(/^ghr_/), expires_in: 28800 });
    expect(simulator.isTokenValid(String(refreshed.access_token))).toBe(true);
    expect(simulator.isTokenValid(seeded.accessToken)).toBe(false);

    const reuse = await tokenRequest(simulator, refreshParams(seeded.refreshToken ?? ""));
    expect(reuse.status).toBe(200);
    expect(JSON.parse(reuse.text)).toEqual({
      error: "bad_refresh_token",
      error_description: "The refresh token passed is incorrect or expired.",
      error_uri: expect.stringContaining("docs.github.com"),
    });
    expect(simulator.isTokenValid(String(refreshed.access_token))).toBe(true);
  });

  it("counts successful rotations per user, not failed attempts", async () => {
    simulator.counters.reset();
    const seeded = simulator.issueTokens("octocat", "app");
    await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""));
    await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""));
    expect(simulator.counters.refreshes("octocat")).toBe(1);
    expect(simulator.counters.calls("refresh")).toBe(2);
  });

  it("still works after the access token expired (expireAccessToken keeps the refresh token)", async () => {
    const seeded = simulator.issueTokens("octocat", "app");
    simulator.expireAccessToken(seeded.accessToken);
    expect((await api(simulator, "/user", { token: seeded.accessToken })).status).toBe(401);
    expect(await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""))).toHaveProperty("access_token");
  });

  it("refuses a refresh token past its lifetime", async () => {
    simulator.setTokenLifetimes({ refreshTokenSeconds: 60 });
    const seeded = simulator.issueTokens("octocat", "app");
    simulator.setTokenLifetimes({ refreshTokenSeconds: 15897600 });
    clock.advance(61);
    expect(await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""))).toMatchObject({ error: "bad_refresh_token" });
  });

  it("refuses the right refresh token with the wrong client secret", async () => {
    const seeded = simulator.issueTokens("octocat", "app");
    const answer = await tokenJson(simulator, { ...refreshParams(seeded.refreshToken ?? ""), client_secret: "nope" });
    expect(answer).toMatchObject({ error: "incorrect_client_credentials" });
  });
});

describe("token lifetimes", () => {
  it("expires access tokens when the configured lifetime ends", async () => {
    simulator.setTokenLifetimes({ accessTokenSeconds: 120 });
    const seeded = simulator.issueTokens("octocat", "app");
    simulator.setTokenLifetimes({ accessTokenSeconds: 28800 });
    expect(seeded.expiresAt?.getTime()).toBe(clock.now().getTime() + 120_000);
    clock.advance(119);
    expect(simulator.isTokenValid(seeded.accessToken)).toBe(true);
    clock.advance(1);
    expect(simulator.isTokenValid(seeded.accessToken)).toBe(false);
  });

  it("answers refreshes with the lifetimes configured at that moment", async () => {
    const seeded = simulator.issueTokens("octocat", "app");
    simulator.setTokenLifetimes({ accessTokenSeconds: 300, refreshTokenSeconds: 3600 });
    const answer = await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""));
    simulator.setTokenLifetimes({ accessTokenSeconds: 28800, refreshTokenSeconds: 15897600 });
    expect(answer).toMatchObject({ expires_in: 300, refresh_token_expires_in: 3600 });
  });

  it("with expiration turned off, answers without expires_in, refresh_token and refresh_token_expires_in", async () => {
    const seeded = simulator.issueTokens("octocat", "app");
    simulator.setTokenLifetimes({ accessTokenSeconds: null });
    const answer = await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""));
    simulator.setTokenLifetimes({ accessTokenSeconds: 28800 });
    expect(answer).toEqual({ access_token: expect.stringMatching(/^ghu_/), token_type: "bearer", scope: "" });
  });

  it("seeds non-expiring App tokens and legacy gho_ tokens on request", () => {
    const nonExpiring = simulator.issueTokens("octocat", "app", { accessTokenLifetimeSeconds: null });
    expect(nonExpiring).toEqual({ accessToken: expect.stringMatching(/^ghu_/), refreshToken: null, expiresAt: null, refreshTokenExpiresAt: null });
    const legacy = simulator.issueTokens("octocat", "legacy");
    expect(legacy).toEqual({ accessToken: expect.stringMatching(/^gho_/), refreshToken: null, expiresAt: null, refreshTokenExpiresAt: null });
  });
});

describe("a simulator started with expiration off", () => {
  it("issues tokens without expiry from the start", async () => {
    const noExpiry = await startTestSimulator({ accessTokenLifetimeSeconds: null });
    try {
      noExpiry.addUser({ login: "octocat" });
      expect(noExpiry.issueTokens("octocat", "app")).toMatchObject({ refreshToken: null, expiresAt: null });
    } finally {
      await noExpiry.stop();
    }
  });
});
