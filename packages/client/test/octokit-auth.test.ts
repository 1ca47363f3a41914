import { describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/core";
import { useTokenApiWorld } from "./token-api-world-hooks.js";
import { createTokenServiceAuth, TokenServiceClient } from "../src/index.js";

const TOKEN_API = "/api/v1/users/";

const fixture = useTokenApiWorld();

function userOctokit(githubId: number, client?: TokenServiceClient): Octokit {
  return new Octokit({
    baseUrl: fixture.world.githubApiUrl,
    authStrategy: createTokenServiceAuth,
    auth: client ? { client, githubId } : { baseUrl: fixture.world.proxy.url, serviceToken: fixture.world.serviceToken, githubId },
  });
}

describe("createTokenServiceAuth: an Octokit acting as the user", () => {
  it("sends the user's token with every request, asking the service once", async () => {
    const seeded = await fixture.world.seedUser();
    const octokit = userOctokit(seeded.githubId);
    for (let call = 0; call < 3; call += 1) expect((await octokit.request("GET /user")).data.login).toBe(seeded.login);
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(1);
    expect(await octokit.auth()).toEqual({
      type: "token",
      tokenType: "user-to-server",
      token: seeded.app!.accessToken,
      expiresAt: seeded.app!.expiresAt,
      login: seeded.login,
    });
  });

  it("on a 401 from GitHub drops the cached token, fetches a fresh one once and retries", async () => {
    const seeded = await fixture.world.seedUser({ expiresInSeconds: 1800 });
    const octokit = userOctokit(seeded.githubId);
    await octokit.request("GET /user");
    // Another process of the application needs the token for longer: the service refreshes it,
    // and GitHub kills the token this Octokit still holds.
    const elsewhere = await new TokenServiceClient({ baseUrl: fixture.world.proxy.url, serviceToken: fixture.world.serviceToken }).getToken(seeded.githubId, { minValidSeconds: 3600 });
    expect(fixture.world.simulator.isTokenValid(seeded.app!.accessToken)).toBe(false);
    fixture.world.proxy.reset();
    fixture.world.simulator.counters.reset();

    const answer = await octokit.request("GET /user");
    expect(answer.data.login).toBe(seeded.login);
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(1);
    expect(fixture.world.simulator.counters.calls("user")).toBe(2);
    expect(((await octokit.auth()) as { token: string }).token).toBe(elsewhere.token);
  });

  it("refetches once and gives up with GitHub's 401 when the service still holds the refused token", async () => {
    const seeded = await fixture.world.seedUser();
    const octokit = userOctokit(seeded.githubId);
    await octokit.request("GET /user");
    fixture.world.simulator.expireAccessToken(seeded.app!.accessToken);
    fixture.world.proxy.reset();
    fixture.world.simulator.counters.reset();

    await expect(octokit.request("GET /user")).rejects.toMatchObject({ status: 401 });
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(1);
    expect(fixture.world.simulator.counters.calls("user")).toBe(1);
  });

  it("shares one client's cache and single flight between many Octokits", async () => {
    const seeded = await fixture.world.seedUser();
    const client = new TokenServiceClient({ baseUrl: fixture.world.proxy.url, serviceToken: fixture.world.serviceToken });
    await Promise.all(Array.from({ length: 10 }, () => userOctokit(seeded.githubId, client).request("GET /user")));
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(1);
  });

  it("says what is missing when githubId is not given", () => {
    expect(() => new Octokit({ authStrategy: createTokenServiceAuth, auth: { baseUrl: fixture.world.proxy.url, serviceToken: "x" } })).toThrow(/githubId/);
  });
});
