import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../simulator/index.js";
import { api, refreshParams, startTestSimulator, tokenJson, tokenRequest } from "../support/simulator-fixture.js";

let simulator: GitHubSimulator;
let userToken: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  simulator.addUser({ login: "octocat" });
  userToken = simulator.issueTokens("octocat", "app", { accessTokenLifetimeSeconds: null }).accessToken;
});
afterEach(() => {
  simulator.clearFaults();
  simulator.setLatency(0);
  simulator.counters.reset();
});
afterAll(() => simulator.stop());

const getUser = (signal?: AbortSignal) => api(simulator, "/user", { token: userToken, ...(signal ? { signal } : {}) });

describe("injected faults", () => {
  it.each([500, 502, 503] as const)("answers %i for as many calls as asked, then normally again", async (status) => {
    simulator.injectFault("user", { status }, 2);
    expect((await getUser()).status).toBe(status);
    expect((await getUser()).status).toBe(status);
    expect((await getUser()).status).toBe(200);
    expect(simulator.counters.calls("user")).toBe(3);
  });

  it("answers 429 with Retry-After", async () => {
    simulator.injectFault("user", { status: 429, retryAfterSeconds: 7 });
    const response = await getUser();
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
  });

  it("answers a rate-limited 403 with x-ratelimit-remaining 0 and the reset time", async () => {
    simulator.injectFault("user", { rateLimited403: true, resetInSeconds: 90 });
    const response = await getUser();
    expect(response.status).toBe(403);
    expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(response.headers.get("x-ratelimit-reset"))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 89);
  });

  it("holds the connection open on timeout, until the client gives up", async () => {
    simulator.injectFault("user", { timeout: true });
    await expect(getUser(AbortSignal.timeout(300))).rejects.toThrow();
    expect((await getUser()).status).toBe(200);
  });

  it("drops the connection without an answer", async () => {
    simulator.injectFault("user", { drop: true });
    await expect(getUser()).rejects.toThrow("fetch failed");
  });

  it("rotate_then_drop on refresh: the client sees a socket error, yet the rotation happened", async () => {
    const seeded = simulator.issueTokens("octocat", "app");
    simulator.injectFault("refresh", { rotateThenDrop: true });
    await expect(tokenRequest(simulator, refreshParams(seeded.refreshToken ?? ""))).rejects.toThrow("fetch failed");
    expect(simulator.counters.refreshes("octocat")).toBe(1);
    expect(simulator.isTokenValid(seeded.accessToken)).toBe(false);
    expect(await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""))).toMatchObject({ error: "bad_refresh_token" });
  });

  it("delayMs answers normally, only late", async () => {
    const seeded = simulator.issueTokens("octocat", "app");
    simulator.injectFault("refresh", { delayMs: 200 });
    const started = performance.now();
    expect(await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""))).toHaveProperty("access_token");
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("rotateThenHold rotates at once and answers only when released", async () => {
    const seeded = simulator.issueTokens("octocat", "app");
    simulator.injectFault("refresh", { rotateThenHold: true });
    const answer = tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""));
    await simulator.held.whenHeld();
    expect(simulator.held.count()).toBe(1);
    expect(simulator.isTokenValid(seeded.accessToken)).toBe(false);
    expect(simulator.counters.refreshes("octocat")).toBe(1);
    expect(simulator.held.release()).toBe(1);
    expect(await answer).toHaveProperty("access_token");
  });

  it("holdBeforeRotation changes nothing when the client is gone before release", async () => {
    const seeded = simulator.issueTokens("octocat", "app");
    simulator.injectFault("refresh", { holdBeforeRotation: true });
    const client = new AbortController();
    const answer = tokenRequest(simulator, refreshParams(seeded.refreshToken ?? ""), "application/json", client.signal).catch((error: unknown) => error);
    await simulator.held.whenHeld();
    client.abort();
    await answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
    simulator.held.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(simulator.counters.refreshes("octocat")).toBe(0);
    expect(simulator.isTokenValid(seeded.accessToken)).toBe(true);
    expect(await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""))).toHaveProperty("access_token");
  });

  it("faults the exchange and the refresh separately although they share a URL", async () => {
    const seeded = simulator.issueTokens("octocat", "app");
    simulator.injectFault("exchange", { status: 502 }, Infinity);
    expect(await tokenJson(simulator, refreshParams(seeded.refreshToken ?? ""))).toHaveProperty("access_token");
    expect((await tokenRequest(simulator, { client_id: "x", code: "y" })).status).toBe(502);
  });

  it("keeps an Infinity fault until clearFaults", async () => {
    simulator.injectFault("user", { status: 503 }, Infinity);
    for (let call = 0; call < 5; call++) expect((await getUser()).status).toBe(503);
    simulator.clearFaults();
    expect((await getUser()).status).toBe(200);
  });

  it("applies the configured latency to every request", async () => {
    simulator.setLatency(150);
    const started = performance.now();
    await getUser();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("counters", () => {
  it("count calls per endpoint and in total", async () => {
    await getUser();
    await getUser();
    await api(simulator, "/user/installations", { token: userToken });
    expect(simulator.counters.calls("user")).toBe(2);
    expect(simulator.counters.calls("user_installations")).toBe(1);
    expect(simulator.counters.totalCalls()).toBe(3);
  });
});
