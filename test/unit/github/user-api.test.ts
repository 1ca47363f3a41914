import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { githubEndpoints } from "../../../src/config.js";
import { GitHubRequestRejectedError, TerminalTokenError, TransientGitHubError } from "../../../src/github/errors.js";
import { getAuthenticatedUser, listUserInstallations } from "../../../src/github/user-api.js";

const GHE = githubEndpoints("ghe.example.com", "https");
const options = { github: GHE, token: "ghu_usertoken", timeoutMs: 2_000 };
const api = () => nock("https://ghe.example.com/api/v3", { reqheaders: { authorization: "token ghu_usertoken" } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

function installation(id: number) {
  return { id, account: { id: id * 10, login: `org-${id}`, type: "Organization" }, target_type: "Organization", repository_selection: "all" };
}

describe("GET /user with a user token", () => {
  it("answers the id and login on the API root", async () => {
    api().get("/user").reply(200, { id: 583231, login: "octocat", name: "The Octocat", email: null });
    expect(await getAuthenticatedUser(options)).toEqual({ id: 583231, login: "octocat", name: "The Octocat" });
  });

  it("classifies 401 as a dead token and 503 as transient", async () => {
    api().get("/user").reply(401, { message: "Bad credentials" });
    await expect(getAuthenticatedUser(options)).rejects.toBeInstanceOf(TerminalTokenError);
    api().get("/user").reply(503, {});
    await expect(getAuthenticatedUser(options)).rejects.toBeInstanceOf(TransientGitHubError);
  });

  it("refuses an answer without id and login", async () => {
    api().get("/user").reply(200, { message: "odd" });
    await expect(getAuthenticatedUser(options)).rejects.toBeInstanceOf(GitHubRequestRejectedError);
  });
});

describe("GET /user/installations with a user token", () => {
  it("reads every page", async () => {
    const first = Array.from({ length: 100 }, (_, index) => installation(index + 1));
    api().get("/user/installations").query({ per_page: "100", page: "1" }).reply(200, { total_count: 101, installations: first });
    api().get("/user/installations").query({ per_page: "100", page: "2" }).reply(200, { total_count: 101, installations: [installation(101)] });
    const reachable = await listUserInstallations(options);
    expect(reachable).toHaveLength(101);
    expect(reachable[100]).toEqual({ id: 101, account: { id: 1010, login: "org-101", type: "Organization" }, targetType: "Organization", repositorySelection: "all" });
  });

  it("classifies GitHub's 403 for a token that is not an App user token as a rejected request", async () => {
    api().get("/user/installations").query(true).reply(403, { message: "You must authenticate with an access token authorized to a GitHub App" });
    await expect(listUserInstallations(options)).rejects.toBeInstanceOf(GitHubRequestRejectedError);
  });
});
