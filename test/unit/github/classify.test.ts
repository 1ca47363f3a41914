// How GitHub's answers become our classified errors: what the callers decide on instead of status codes.
import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { request } from "@octokit/request";
import nock from "nock";
import { classifyOAuthErrorBody, classifyRequestFailure } from "../../../src/github/classify.js";
import { GitHubError, GitHubRequestRejectedError, TerminalTokenError, TransientGitHubError } from "../../../src/github/errors.js";

const API = "https://api.github.com";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

/** What @octokit/request really throws for this answer, classified. */
async function classifiedAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Promise<GitHubError> {
  nock(API).get("/user").reply(status, body as Record<string, unknown>, headers);
  const thrown = await request("GET /user", { headers: { authorization: "token ghu_x" } }).then(
    () => {
      throw new Error("the request succeeded");
    },
    (error: unknown) => error,
  );
  return classifyRequestFailure(thrown, "get user");
}

describe("classifyRequestFailure", () => {
  it("reads 5xx and 429 as transient, with GitHub's Retry-After", async () => {
    const unavailable = await classifiedAnswer(503, {});
    expect(unavailable).toBeInstanceOf(TransientGitHubError);
    expect(unavailable).toMatchObject({ status: 503, retryAfterSeconds: null });
    expect(await classifiedAnswer(429, {}, { "retry-after": "17" })).toMatchObject({ name: "TransientGitHubError", status: 429, retryAfterSeconds: 17 });
  });

  it("reads a 403 with the budget spent as rate limited, waiting until the reset", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 120;
    const limited = await classifiedAnswer(403, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) });
    expect(limited).toBeInstanceOf(TransientGitHubError);
    expect(limited.code).toBe("rate_limited");
    expect((limited as TransientGitHubError).retryAfterSeconds).toBeGreaterThan(100);
    expect((limited as TransientGitHubError).retryAfterSeconds).toBeLessThanOrEqual(121);
  });

  it("ignores x-ratelimit-reset on a plain 500 while budget remains", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 3000;
    const failed = await classifiedAnswer(500, {}, { "x-ratelimit-remaining": "4999", "x-ratelimit-reset": String(reset) });
    expect(failed).toMatchObject({ name: "TransientGitHubError", retryAfterSeconds: null });
  });

  it("reads 401 as dead credentials and any other refusal as a rejected request", async () => {
    expect(await classifiedAnswer(401, { message: "Bad credentials" })).toMatchObject({ name: "TerminalTokenError", code: "bad_credentials" });
    const forbidden = await classifiedAnswer(403, { message: "Resource not accessible by integration" });
    expect(forbidden).toBeInstanceOf(GitHubRequestRejectedError);
    expect(await classifiedAnswer(404, { message: "Not Found" })).toBeInstanceOf(GitHubRequestRejectedError);
  });

  it("reads no answer at all (connection refused) as transient, naming the cause", async () => {
    nock(API).get("/user").replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" });
    const thrown = await request("GET /user").catch((error: unknown) => error);
    const failure = classifyRequestFailure(thrown, "get user");
    expect(failure).toMatchObject({ name: "TransientGitHubError", status: null, code: "network" });
    expect(failure.message).toMatch(/^get user: GitHub did not answer/);
  });

  it("passes an error already classified through unchanged", () => {
    const terminal = new TerminalTokenError("refresh: bad_refresh_token", 200, "bad_refresh_token");
    expect(classifyRequestFailure(terminal, "anything")).toBe(terminal);
  });

  it("names the operation and never the request's headers or body", async () => {
    const failure = await classifiedAnswer(500, { message: "ghu_x leaked back" });
    expect(failure.message).toBe("get user: GitHub answered 500");
  });
});

describe("classifyOAuthErrorBody", () => {
  it.each(["bad_refresh_token", "invalid_grant", "unauthorized_client"])("reads %s as a dead refresh token", (code) => {
    expect(classifyOAuthErrorBody({ error: code }, "refresh user token")).toMatchObject({ name: "TerminalTokenError", status: 200, code });
  });

  it.each(["slow_down", "temporarily_unavailable"])("reads %s as transient", (code) => {
    expect(classifyOAuthErrorBody({ error: code }, "refresh user token")).toBeInstanceOf(TransientGitHubError);
  });

  it("reads anything else as a rejected request, with GitHub's description in the message", () => {
    const error = classifyOAuthErrorBody({ error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." }, "exchange code");
    expect(error).toBeInstanceOf(GitHubRequestRejectedError);
    expect(error.message).toBe("exchange code: incorrect_client_credentials (The client_id and/or client_secret passed are incorrect.)");
  });
});
