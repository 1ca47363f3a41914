import { describe, expect, it } from "@jest/globals";
import { useTokenApiWorld } from "./token-api-world-hooks.js";
import {
  ReauthRequiredError,
  TokenServiceAuthError,
  TokenServiceClient,
  TokenServiceUnavailableError,
  UserNotFoundError,
  type TokenServiceClientOptions,
} from "../src/index.js";

const TOKEN_API = "/api/v1/users/";

const fixture = useTokenApiWorld();

function client(options: Partial<TokenServiceClientOptions> = {}): TokenServiceClient {
  return new TokenServiceClient({ baseUrl: fixture.world.proxy.url, serviceToken: fixture.world.serviceToken, ...options });
}

describe("TokenServiceClient against a real app instance", () => {
  it("answers the user's App token with its type, expiry and login", async () => {
    const seeded = await fixture.world.seedUser();
    const answer = await client().getToken(seeded.githubId);
    expect(answer).toEqual({ token: seeded.app!.accessToken, type: "github_app_user", expiresAt: seeded.app!.expiresAt, login: seeded.login });
  });

  it("serves a cached token without any HTTP call", async () => {
    const seeded = await fixture.world.seedUser();
    const tokens = client();
    const first = await tokens.getToken(seeded.githubId);
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(1);
    expect(await tokens.getToken(seeded.githubId)).toEqual(first);
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(1);
  });

  it("makes one request when 50 calls for one user arrive at once", async () => {
    const seeded = await fixture.world.seedUser({ expired: true });
    const tokens = client();
    const answers = await Promise.all(Array.from({ length: 50 }, () => tokens.getToken(seeded.githubId)));
    expect(new Set(answers.map((answer) => answer.token)).size).toBe(1);
    expect(answers[0]!.token).not.toBe(seeded.app!.accessToken);
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(1);
    expect(fixture.world.simulator.counters.refreshes(seeded.login)).toBe(1);
  });

  it("never reuses a token past its expiry minus the margin", async () => {
    // The token lives 30 minutes: the service serves it as it is, but with a one-hour margin the
    // client may not reuse it, so every call asks.
    const seeded = await fixture.world.seedUser({ expiresInSeconds: 1800 });
    const tokens = client({ marginSeconds: 3600 });
    await tokens.getToken(seeded.githubId);
    await tokens.getToken(seeded.githubId);
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(2);
  });

  it("asks the service for a longer-lived token when minValidSeconds exceeds what the cached one has left", async () => {
    const seeded = await fixture.world.seedUser({ expiresInSeconds: 1800 });
    const tokens = client();
    expect((await tokens.getToken(seeded.githubId)).token).toBe(seeded.app!.accessToken);
    const longer = await tokens.getToken(seeded.githubId, { minValidSeconds: 3600 });
    expect(longer.token).not.toBe(seeded.app!.accessToken);
    expect(longer.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3600_000);
    expect(fixture.world.simulator.counters.refreshes(seeded.login)).toBe(1);
    // The fresher token is cached and satisfies the same demand.
    await tokens.getToken(seeded.githubId, { minValidSeconds: 3600 });
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(2);
  });

  it("turns a 409 into ReauthRequiredError carrying the consent URL, and caches nothing", async () => {
    const seeded = await fixture.world.seedUser({ app: false });
    const tokens = client();
    const error = await tokens.getToken(seeded.githubId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReauthRequiredError);
    expect((error as ReauthRequiredError).consentUrl).toMatch(new RegExp(`^${fixture.world.app.url}/auth/login\\?consent=`));
    expect((error as ReauthRequiredError).githubId).toBe(seeded.githubId);
    await expect(tokens.getToken(seeded.githubId)).rejects.toBeInstanceOf(ReauthRequiredError);
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(2);
  });

  it("turns a 404 into UserNotFoundError and a refused service key into TokenServiceAuthError", async () => {
    await expect(client().getToken(987_654_321)).rejects.toBeInstanceOf(UserNotFoundError);
    const seeded = await fixture.world.seedUser();
    const wrongKey = client({ serviceToken: "not-the-service-key" });
    const error = await wrongKey.getToken(seeded.githubId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TokenServiceAuthError);
    expect(String((error as Error).message)).not.toContain("not-the-service-key");
  });

  it("retries a 503 after the Retry-After it names", async () => {
    const seeded = await fixture.world.seedUser();
    fixture.world.proxy.answerNext({ status: 503, headers: { "retry-after": "1" }, body: { error: "github_unavailable", message: "try again" } });
    const started = Date.now();
    const answer = await client().getToken(seeded.githubId);
    expect(answer.token).toBe(seeded.app!.accessToken);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(2);
  });

  it("does not wait out a Retry-After beyond its bound: the service's advice travels in the error", async () => {
    // A real 503: GitHub fails to refresh an expired token, so the service backs off (30 s or more).
    const seeded = await fixture.world.seedUser({ expired: true });
    fixture.world.simulator.injectFault("refresh", { status: 500 });
    const error = await client({ maxRetryWaitSeconds: 5 })
      .getToken(seeded.githubId)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TokenServiceUnavailableError);
    expect((error as TokenServiceUnavailableError).retryAfterSeconds).toBeGreaterThan(5);
    expect((error as TokenServiceUnavailableError).status).toBe(503);
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(1);
  });

  it("gives up after its attempts when the service keeps answering 503", async () => {
    const seeded = await fixture.world.seedUser();
    fixture.world.proxy.answerNext({ status: 503, headers: { "retry-after": "0" }, body: { error: "database_unavailable", message: "down" } }, 5);
    const error = await client({ maxAttempts: 3 })
      .getToken(seeded.githubId)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "TokenServiceUnavailableError", code: "database_unavailable", retryAfterSeconds: 0 });
    expect(fixture.world.proxy.requests(TOKEN_API)).toBe(3);
  });

  it("reports a service that does not answer as unavailable, with no key in the message", async () => {
    const unreachable = new TokenServiceClient({ baseUrl: "http://127.0.0.1:1", serviceToken: "secret-service-key", maxAttempts: 1 });
    const error = await unreachable.getToken(1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TokenServiceUnavailableError);
    expect((error as Error).message).not.toContain("secret-service-key");
  });

  it("answers the legacy OAuth token with its fallback reason when the service falls back", async () => {
    const seeded = await fixture.world.seedUser({ app: false, legacy: true });
    const answer = await client().getToken(seeded.githubId);
    expect(answer).toMatchObject({ token: seeded.legacy!.accessToken, type: "oauth", expiresAt: null, login: seeded.login });
    // The service names its reason (fallback_reason); a cached copy keeps it.
    fixture.world.proxy.answerNext({ status: 200, body: { token: "gho_x", type: "oauth", expires_at: null, login: "someone", fallback_reason: "not_in_rollout" } });
    expect(await client().getToken(seeded.githubId)).toMatchObject({ type: "oauth", fallbackReason: "not_in_rollout" });
  });

  it("refuses ids and minValidSeconds the service would refuse, before any request", async () => {
    const tokens = client();
    for (const id of [0, -1, 1.5, Number.NaN]) await expect(tokens.getToken(id)).rejects.toBeInstanceOf(TypeError);
    await expect(tokens.getToken(1, { minValidSeconds: 3601 })).rejects.toBeInstanceOf(RangeError);
    expect(fixture.world.proxy.requests()).toBe(0);
  });
});
