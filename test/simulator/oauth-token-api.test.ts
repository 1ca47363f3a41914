import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../simulator/index.js";
import { LEGACY_APP, TEST_APP, api, basicAuth, refreshParams, startTestSimulator, tokenJson } from "../support/simulator-fixture.js";

let simulator: GitHubSimulator;

beforeAll(async () => {
  simulator = await startTestSimulator();
  simulator.addUser({ login: "octocat", name: "The Octocat" });
  simulator.addUser({ login: "hubot" });
});
afterAll(() => simulator.stop());

function tokenApi(method: string, accessToken: string, options: { path?: string; auth?: string; clientId?: string } = {}) {
  return api(simulator, `/applications/${options.clientId ?? TEST_APP.clientId}/${options.path ?? "token"}`, {
    method,
    headers: { authorization: options.auth ?? basicAuth(), "content-type": "application/json" },
    body: JSON.stringify({ access_token: accessToken }),
  });
}

describe("POST /applications/{client_id}/token (check)", () => {
  it("answers 200 with the token and its user for a live token", async () => {
    const { accessToken, expiresAt } = simulator.issueTokens("octocat", "app");
    const response = await tokenApi("POST", accessToken);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(body).toMatchObject({
      token: accessToken,
      token_last_eight: accessToken.slice(-8),
      user: { login: "octocat", type: "User" },
      app: { client_id: TEST_APP.clientId },
      expires_at: expiresAt?.toISOString(),
    });
  });

  it("answers 404 for an unknown, expired or other client's token", async () => {
    const expired = simulator.issueTokens("octocat", "app").accessToken;
    simulator.expireAccessToken(expired);
    const legacy = simulator.issueTokens("octocat", "legacy").accessToken;
    expect((await tokenApi("POST", "ghu_doesnotexist")).status).toBe(404);
    expect((await tokenApi("POST", expired)).status).toBe(404);
    expect((await tokenApi("POST", legacy)).status).toBe(404);
    expect((await tokenApi("POST", legacy, { clientId: LEGACY_APP.clientId, auth: basicAuth(LEGACY_APP.clientId, LEGACY_APP.clientSecret) })).status).toBe(200);
  });

  it("answers 404 when the client secret is wrong, exactly as for a dead token (as GitHub does)", async () => {
    const { accessToken } = simulator.issueTokens("octocat", "app");
    const answer = await tokenApi("POST", accessToken, { auth: basicAuth(TEST_APP.clientId, "wrong") });
    expect(answer.status).toBe(404);
    expect(simulator.isTokenValid(accessToken)).toBe(true);
  });
});

describe("PATCH /applications/{client_id}/token (reset)", () => {
  it("answers a new token and kills the old one; the refresh token carries over", async () => {
    const seeded = simulator.issueTokens("octocat", "app");
    const body = (await (await tokenApi("PATCH", seeded.accessToken)).json()) as { token: string };
    expect(body.token).toMatch(/^ghu_/);
    expect(body.token).not.toBe(seeded.accessToken);
    expect(simulator.isTokenValid(seeded.accessToken)).toBe(false);
    expect(simulator.isTokenValid(body.token)).toBe(true);
    expect(await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""))).toHaveProperty("access_token");
    expect(simulator.isTokenValid(body.token)).toBe(false);
  });
});

describe("DELETE /applications/{client_id}/token and /grant", () => {
  it("deletes one token with 204", async () => {
    const first = simulator.issueTokens("octocat", "app");
    const second = simulator.issueTokens("octocat", "app");
    expect((await tokenApi("DELETE", first.accessToken)).status).toBe(204);
    expect(simulator.isTokenValid(first.accessToken)).toBe(false);
    expect(simulator.isTokenValid(second.accessToken)).toBe(true);
    expect(await tokenJson(simulator, refreshParams(first.refreshToken ?? ""))).toMatchObject({ error: "bad_refresh_token" });
  });

  it("deletes the grant with 204: every token of that user for that client dies, others live", async () => {
    const first = simulator.issueTokens("octocat", "app");
    const second = simulator.issueTokens("octocat", "app");
    const legacy = simulator.issueTokens("octocat", "legacy");
    const otherUser = simulator.issueTokens("hubot", "app");
    expect((await tokenApi("DELETE", first.accessToken, { path: "grant" })).status).toBe(204);
    expect(simulator.isTokenValid(first.accessToken)).toBe(false);
    expect(simulator.isTokenValid(second.accessToken)).toBe(false);
    expect(simulator.isTokenValid(legacy.accessToken)).toBe(true);
    expect(simulator.isTokenValid(otherUser.accessToken)).toBe(true);
  });
});
