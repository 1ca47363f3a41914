// The App's REST calls through Probot's Octokit, against nock.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type { GitHubAppApi } from "../../../src/github/app-api.js";
import { GitHubRequestRejectedError, TerminalTokenError } from "../../../src/github/errors.js";
import { createGitHubClients } from "../../../src/github/github-clients.js";
import { captureLog } from "../../support/app.js";
import { testConfig } from "../../support/config.js";

const API = "https://api.github.com";

describe("GitHubAppApi", () => {
  let api: GitHubAppApi;

  beforeAll(async () => {
    const { log } = await captureLog("error");
    api = createGitHubClients({ config: testConfig(), log }).app;
    nock.disableNetConnect();
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  const delivery = (id: number, minutesAgo: number) => ({
    id,
    guid: `guid-${id}`,
    delivered_at: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    redelivery: false,
    duration: 0.1,
    status: "OK",
    status_code: 200,
    event: "installation",
    action: "created",
    installation_id: 1,
    repository_id: null,
  });

  it("follows the deliveries cursor as the App (JWT) and stops at the first delivery older than the window", async () => {
    nock(API)
      .get("/app/hook/deliveries")
      .query({ per_page: "100" })
      .matchHeader("authorization", /^bearer ey/i)
      .reply(200, [delivery(3, 1), delivery(2, 2)], { link: `<${API}/app/hook/deliveries?per_page=100&cursor=v1_2>; rel="next"` });
    nock(API)
      .get("/app/hook/deliveries")
      .query({ per_page: "100", cursor: "v1_2" })
      .reply(200, [delivery(1, 3), delivery(0, 120)], { link: `<${API}/app/hook/deliveries?per_page=100&cursor=v1_0>; rel="next"` });

    const deliveries = await api.listRecentDeliveries({ since: new Date(Date.now() - 60 * 60_000), maxDeliveries: 100 });

    expect(deliveries.map((item) => item.id)).toEqual([3, 2, 1]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("stops listing deliveries at maxDeliveries without fetching further pages", async () => {
    nock(API)
      .get("/app/hook/deliveries")
      .query(true)
      .reply(200, [delivery(3, 1), delivery(2, 2)], { link: `<${API}/app/hook/deliveries?per_page=100&cursor=v1_2>; rel="next"` });

    const deliveries = await api.listRecentDeliveries({ since: new Date(0), maxDeliveries: 1 });

    expect(deliveries.map((item) => item.id)).toEqual([3]);
  });

  it("classifies GitHub's refusals: 401 as bad credentials, 404 as a rejected request", async () => {
    nock(API).get("/app/installations").query(true).reply(401, { message: "A JSON web token could not be decoded" });
    await expect(api.listInstallations()).rejects.toBeInstanceOf(TerminalTokenError);
    nock(API).post("/app/hook/deliveries/42/attempts").reply(404, { message: "Not Found" });
    await expect(api.requestRedelivery(42)).rejects.toEqual(expect.any(GitHubRequestRejectedError));
  });

  it("says plainly that App credentials are missing instead of blaming GitHub", async () => {
    const { log } = await captureLog("error");
    const withoutKey = createGitHubClients({ config: { ...testConfig(), privateKey: null }, log }).app;
    await expect(withoutKey.listInstallations()).rejects.toThrow("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are required");
  });
});
