// The simulator's repositories: who reads what with a legacy token, what an App user token reaches
// through all/selected installations, pagination with Link headers, and rate limits per token kind.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../simulator/index.js";
import { api, startTestSimulator } from "../support/simulator-fixture.js";

let simulator: GitHubSimulator;
let selectedInstallationId: number;

beforeAll(async () => {
  simulator = await startTestSimulator();
  simulator.addUser({ login: "mona" });
  simulator.addUser({ login: "hubot" });
  simulator.addOrganization({ login: "covered-org", members: ["mona"] });
  simulator.addOrganization({ login: "bare-org", members: ["mona", "hubot"] });
  simulator.addOrganization({ login: "picky-org", members: ["mona"] });
  for (const name of ["api", "web"]) simulator.addRepository({ owner: "covered-org", name });
  for (const name of ["one", "two", "three"]) simulator.addRepository({ owner: "bare-org", name });
  simulator.addRepository({ owner: "picky-org", name: "chosen" });
  simulator.addRepository({ owner: "picky-org", name: "forgotten" });
  simulator.addRepository({ owner: "mona", name: "dotfiles", private: true });
  simulator.addRepository({ owner: "hubot", name: "scripts", collaborators: ["mona"] });
  simulator.addInstallation({ account: { login: "covered-org" }, repositorySelection: "all" });
  selectedInstallationId = simulator.addInstallation({ account: { login: "picky-org" }, repositorySelection: "selected", repositories: [{ name: "chosen" }] }).id;
});
afterAll(() => simulator.stop());

const fullNames = (body: unknown) => (body as Array<{ full_name: string }>).map((repository) => repository.full_name);

describe("GET /user/repos", () => {
  it("lists, for a legacy token, everything the user owns, reads through organizations and collaborates on", async () => {
    const { accessToken } = simulator.issueTokens("mona", "legacy");
    const response = await api(simulator, "/user/repos?per_page=100", { token: accessToken });
    expect(response.status).toBe(200);
    expect(fullNames(await response.json())).toEqual([
      "bare-org/one",
      "bare-org/three",
      "bare-org/two",
      "covered-org/api",
      "covered-org/web",
      "hubot/scripts",
      "mona/dotfiles",
      "picky-org/chosen",
      "picky-org/forgotten",
    ]);
  });

  it("lists, for an App user token, only what an installation reaches too", async () => {
    const { accessToken } = simulator.issueTokens("mona", "app");
    const response = await api(simulator, "/user/repos", { token: accessToken });
    expect(fullNames(await response.json())).toEqual(["covered-org/api", "covered-org/web", "picky-org/chosen"]);
  });

  it("pages with GitHub's Link header", async () => {
    const { accessToken } = simulator.issueTokens("mona", "legacy");
    const first = await api(simulator, "/user/repos?per_page=4", { token: accessToken });
    expect(first.headers.get("link")).toMatch(/page=2>; rel="next".*page=3>; rel="last"/);
    const last = await api(simulator, "/user/repos?per_page=4&page=3", { token: accessToken });
    expect(fullNames(await last.json())).toEqual(["picky-org/forgotten"]);
    expect(last.headers.get("link")).not.toContain('rel="next"');
  });

  it("reports the rate limit set for each token kind, per user when asked", async () => {
    simulator.setRateLimit("legacy", 15_000, { login: "mona" });
    const legacy = await api(simulator, "/user/repos", { token: simulator.issueTokens("mona", "legacy").accessToken });
    const app = await api(simulator, "/user/repos", { token: simulator.issueTokens("mona", "app").accessToken });
    const otherUser = await api(simulator, "/user/repos", { token: simulator.issueTokens("hubot", "legacy").accessToken });
    expect([legacy.headers.get("x-ratelimit-limit"), app.headers.get("x-ratelimit-limit"), otherUser.headers.get("x-ratelimit-limit")]).toEqual([
      "15000",
      "5000",
      "5000",
    ]);
  });
});

describe("GET /user/installations/{installation_id}/repositories", () => {
  it("lists the installation's repositories the user reads", async () => {
    const { accessToken } = simulator.issueTokens("mona", "app");
    const response = await api(simulator, `/user/installations/${selectedInstallationId}/repositories`, { token: accessToken });
    const body = (await response.json()) as { total_count: number; repository_selection: string; repositories: unknown };
    expect(body.total_count).toBe(1);
    expect(body.repository_selection).toBe("selected");
    expect(fullNames(body.repositories)).toEqual(["picky-org/chosen"]);
  });

  it("refuses legacy tokens (403) and installations the user cannot reach (404)", async () => {
    const legacy = await api(simulator, `/user/installations/${selectedInstallationId}/repositories`, { token: simulator.issueTokens("mona", "legacy").accessToken });
    expect(legacy.status).toBe(403);
    const stranger = await api(simulator, `/user/installations/${selectedInstallationId}/repositories`, { token: simulator.issueTokens("hubot", "app").accessToken });
    expect(stranger.status).toBe(404);
  });

  it("lists installations on organizations the user belongs to under GET /user/installations", async () => {
    const response = await api(simulator, "/user/installations", { token: simulator.issueTokens("mona", "app").accessToken });
    const body = (await response.json()) as { installations: Array<{ account: { login: string } }> };
    expect(body.installations.map((installation) => installation.account.login)).toEqual(["covered-org", "picky-org"]);
  });
});
