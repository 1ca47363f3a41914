import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../simulator/index.js";
import { api, appJwt, startTestSimulator } from "../support/simulator-fixture.js";

let simulator: GitHubSimulator;

beforeAll(async () => {
  simulator = await startTestSimulator();
  simulator.addUser({ login: "octocat", name: "The Octocat", email: "octocat@example.com" });
  simulator.addUser({ login: "hubot" });
  simulator.addInstallation({ account: { login: "octo-org", type: "Organization" }, userLogins: ["octocat", "hubot"] });
  simulator.addInstallation({ account: { login: "octocat" } });
  simulator.addInstallation({ account: { login: "hubot" } });
});
afterAll(() => simulator.stop());

describe("GET /user", () => {
  it("answers the token's user, with `token X` or `Bearer X`", async () => {
    const { accessToken } = simulator.issueTokens("octocat", "app");
    const viaToken = await api(simulator, "/user", { token: accessToken });
    const viaBearer = await api(simulator, "/user", { headers: { authorization: `Bearer ${accessToken}` } });
    expect(viaToken.status).toBe(200);
    expect(await viaToken.json()).toMatchObject({ login: "octocat", name: "The Octocat", email: "octocat@example.com", type: "User" });
    expect(((await viaBearer.json()) as { login: string }).login).toBe("octocat");
  });

  it("answers 401 Bad credentials for an unknown or expired token", async () => {
    const { accessToken } = simulator.issueTokens("octocat", "app");
    simulator.expireAccessToken(accessToken);
    for (const token of ["ghu_unknown", accessToken]) {
      const response = await api(simulator, "/user", { token });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: "Bad credentials", documentation_url: expect.any(String) });
    }
  });
});

describe("GET /user/installations", () => {
  it("lists only the installations the user can reach", async () => {
    const { accessToken } = simulator.issueTokens("octocat", "app");
    const body = (await (await api(simulator, "/user/installations", { token: accessToken })).json()) as {
      total_count: number;
      installations: Array<{ account: { login: string } }>;
    };
    expect(body.total_count).toBe(2);
    expect(body.installations.map((installation) => installation.account.login)).toEqual(["octo-org", "octocat"]);
  });

  it("refuses a legacy OAuth token with 403", async () => {
    const { accessToken } = simulator.issueTokens("octocat", "legacy");
    expect((await api(simulator, "/user/installations", { token: accessToken })).status).toBe(403);
  });
});

describe("rate-limit headers", () => {
  it("come on every API answer, and the user's App and OAuth tokens spend one shared budget", async () => {
    simulator.reset();
    const appToken = simulator.issueTokens("hubot", "app").accessToken;
    const legacyToken = simulator.issueTokens("hubot", "legacy").accessToken;
    const first = await api(simulator, "/user", { token: appToken });
    const second = await api(simulator, "/user", { token: legacyToken });
    expect(first.headers.get("x-ratelimit-limit")).toBe("5000");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("4999");
    expect(first.headers.get("x-ratelimit-used")).toBe("1");
    expect(first.headers.get("x-ratelimit-resource")).toBe("core");
    expect(Number(first.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    expect(second.headers.get("x-ratelimit-remaining")).toBe("4998");
  });

  it("come with GitHub's 404 for unknown routes too", async () => {
    const response = await api(simulator, "/repos/octocat/nothing-here");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ message: "Not Found" });
    expect(response.headers.get("x-ratelimit-limit")).toBe("60");
  });
});

describe("pagination", () => {
  it("pages GET /app/installations with per_page/page and a Link header like GitHub's", async () => {
    const headers = { authorization: `Bearer ${appJwt()}` };
    const first = await api(simulator, "/app/installations?per_page=2", { headers });
    const firstPage = (await first.json()) as Array<{ id: number }>;
    expect(firstPage).toHaveLength(2);
    const link = first.headers.get("link") ?? "";
    expect(link).toMatch(/<[^>]*page=2[^>]*>; rel="next"/);
    expect(link).toMatch(/rel="last"/);
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1] ?? "";
    const second = await fetch(next, { headers });
    const secondPage = (await second.json()) as Array<{ id: number }>;
    expect(secondPage).toHaveLength(1);
    expect(second.headers.get("link")).toMatch(/rel="prev"/);
    expect(second.headers.get("link")).not.toMatch(/rel="next"/);
    expect(new Set([...firstPage, ...secondPage].map((installation) => installation.id)).size).toBe(3);
  });

  it("pages GET /installation/repositories for an installation token", async () => {
    const installation = simulator.addInstallation({
      account: { login: "big-org", type: "Organization" },
      repositories: Array.from({ length: 5 }, (_, index) => ({ name: `repo-${index}` })),
    });
    const tokenResponse = await api(simulator, `/app/installations/${installation.id}/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${appJwt()}` },
    });
    const { token } = (await tokenResponse.json()) as { token: string };
    const page = await api(simulator, "/installation/repositories?per_page=2&page=3", { token });
    const body = (await page.json()) as { total_count: number; repositories: Array<{ full_name: string }> };
    expect(body.total_count).toBe(5);
    expect(body.repositories.map((repository) => repository.full_name)).toEqual(["big-org/repo-4"]);
    expect(page.headers.get("link")).toMatch(/rel="first"/);
  });
});
