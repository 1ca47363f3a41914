import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../../simulator/index.js";
import type { TestApp } from "../../support/app.js";
import type { TestDatabase } from "../../support/database.js";
import { fetchToken, seedUser, startVaultWorld, type VaultWorld } from "../../support/vault-fixture.js";

let world: VaultWorld;
let database: TestDatabase;
let simulator: GitHubSimulator;
let app: TestApp;

beforeAll(async () => {
  world = await startVaultWorld({ maxConnections: 30 });
  ({ database, simulator, app } = world);
});
afterAll(() => world?.stop());
beforeEach(() => {
  simulator.clearFaults();
  simulator.counters.reset();
});

describe("GET /api/v1/users/{github_id}/token", () => {
  it("serves a fresh App token as it is, without calling GitHub", async () => {
    const seeded = await seedUser(app.services, simulator);
    const answer = await fetchToken(app, seeded.githubId);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      token: seeded.app!.accessToken,
      type: "github_app_user",
      expires_at: seeded.app!.expiresAt!.toISOString(),
      login: seeded.login,
    });
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(simulator.counters.totalCalls()).toBe(0);
  });

  it("refreshes once when 50 requests race for an expired token, and all get the same valid token", async () => {
    const seeded = await seedUser(app.services, simulator, { expired: true });
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetchToken(app, seeded.githubId)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    const tokens = new Set(answers.map((answer) => answer.body.token));
    expect(tokens.size).toBe(1);
    const [token] = [...tokens] as string[];
    expect(token).not.toBe(seeded.app!.accessToken);
    expect(simulator.isTokenValid(token!)).toBe(true);
    expect(simulator.counters.refreshes(seeded.login)).toBe(1);
    expect(simulator.counters.calls("refresh")).toBe(1);
  });

  it("refreshes first when the token expires sooner than min_valid_seconds", async () => {
    const seeded = await seedUser(app.services, simulator, { expiresInSeconds: 1200 });
    expect((await fetchToken(app, seeded.githubId)).body.token).toBe(seeded.app!.accessToken);
    const answer = await fetchToken(app, seeded.githubId, { query: "?min_valid_seconds=1800" });
    expect(answer.body.token).not.toBe(seeded.app!.accessToken);
    expect(simulator.counters.refreshes(seeded.login)).toBe(1);
  });

  it("never refreshes a token without expiry", async () => {
    const seeded = await seedUser(app.services, simulator, { expiresInSeconds: undefined });
    await seeded.user.update({ githubAppTokenExpiresAt: null });
    const answer = await fetchToken(app, seeded.githubId, { query: "?min_valid_seconds=3600" });
    expect(answer.body).toMatchObject({ token: seeded.app!.accessToken, expires_at: null });
    expect(simulator.counters.totalCalls()).toBe(0);
  });

  it("falls back to the legacy OAuth token when App tokens are switched off, and back again", async () => {
    const seeded = await seedUser(app.services, simulator, { legacy: true });
    const flag = await app.services.models.FeatureFlag.create({ name: "github_app_tokens_enabled", value: false, updatedBy: "test" });
    try {
      const fallback = await fetchToken(app, seeded.githubId);
      expect(fallback.body).toEqual({
        token: seeded.legacy!.accessToken,
        type: "oauth",
        fallback_reason: "app_tokens_disabled",
        expires_at: null,
        login: seeded.login,
      });
    } finally {
      await flag.destroy();
    }
    expect((await fetchToken(app, seeded.githubId)).body.type).toBe("github_app_user");
  });

  it("says why it serves the legacy token: outside the rollout, rolled back, no App token, App token unavailable", async () => {
    const reasonFor = async (githubId: number) => {
      const answer = await fetchToken(app, githubId);
      expect(answer.body.type).toBe("oauth");
      return answer.body.fallback_reason;
    };
    const outside = await seedUser(app.services, simulator, { legacy: true });
    const percent = await app.services.models.FeatureFlag.create({ name: "github_app_tokens_rollout_percent", value: 0, updatedBy: "test" });
    try {
      expect(await reasonFor(outside.githubId)).toBe("not_in_rollout");
    } finally {
      await percent.destroy();
    }
    const rolledBack = await seedUser(app.services, simulator, { legacy: true });
    await app.services.migrationRollback.rollbackUser(rolledBack.githubId, { actor: "test" });
    expect(await reasonFor(rolledBack.githubId)).toBe("rolled_back");
    const withoutAppToken = await seedUser(app.services, simulator, { app: false, legacy: true });
    expect(await reasonFor(withoutAppToken.githubId)).toBe("no_app_token");
    const unavailable = await seedUser(app.services, simulator, { legacy: true, expired: true });
    simulator.injectFault("refresh", { status: 500 });
    expect(await reasonFor(unavailable.githubId)).toBe("app_token_unavailable");
    // An App token answer carries no reason.
    expect((await fetchToken(app, (await seedUser(app.services, simulator)).githubId)).body).not.toHaveProperty("fallback_reason");
  });

  it("serves the App token to a user who has no legacy token, whatever the flags say", async () => {
    const seeded = await seedUser(app.services, simulator);
    const flag = await app.services.models.FeatureFlag.create({ name: "github_app_tokens_rollout_percent", value: 0, updatedBy: "test" });
    try {
      expect((await fetchToken(app, seeded.githubId)).body.type).toBe("github_app_user");
    } finally {
      await flag.destroy();
    }
  });

  it("answers 409 reauth_required with the consent URL when no token is usable", async () => {
    const seeded = await seedUser(app.services, simulator, { app: false, legacy: true });
    const flag = await app.services.models.FeatureFlag.create({ name: "oauth_token_deprecation_date", value: "2000-01-01", updatedBy: "test" });
    try {
      const answer = await fetchToken(app, seeded.githubId);
      expect(answer.status).toBe(409);
      expect(answer.body).toEqual({
        error: "reauth_required",
        message: expect.any(String),
        consent_url: expect.stringMatching(new RegExp(`^${app.services.config.baseUrl}/auth/login\\?consent=`)),
      });
      // The link names this user: a sign-in through it refuses any other GitHub account.
      const reference = new URL(answer.body.consent_url as string).searchParams.get("consent")!;
      expect(app.services.consentLinks.verify(reference)).toEqual({ githubId: seeded.githubId, login: expect.any(String) });
      expect(answer.headers.get("cache-control")).toBe("no-store");
    } finally {
      await flag.destroy();
    }
  });

  it("keeps the tokens, records a backoff and answers an honest 503 when GitHub fails on an expired token", async () => {
    const seeded = await seedUser(app.services, simulator, { expired: true });
    simulator.injectFault("refresh", { status: 500 });
    const answer = await fetchToken(app, seeded.githubId);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: "github_unavailable" });
    expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(answer.headers.get("cache-control")).toBe("no-store");

    const row = await seeded.user.reload();
    expect(row.refreshFailureCount).toBe(1);
    expect(row.nextRefreshAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    expect(row.lastRefreshError).toMatch(/500/);
    expect(app.services.tokenStore.readAppTokens(row)!.refreshToken).toBe(seeded.app!.refreshToken);
    // Within the backoff nobody calls GitHub again.
    expect((await fetchToken(app, seeded.githubId)).status).toBe(503);
    expect(simulator.counters.calls("refresh")).toBe(1);
  });

  it("serves the still-valid token and honours Retry-After when GitHub answers 429", async () => {
    const seeded = await seedUser(app.services, simulator, { expiresInSeconds: 120 });
    simulator.injectFault("refresh", { status: 429, retryAfterSeconds: 900 });
    const answer = await fetchToken(app, seeded.githubId);
    expect(answer.status).toBe(200);
    expect(answer.body.token).toBe(seeded.app!.accessToken);
    const row = await seeded.user.reload();
    expect(row.nextRefreshAttemptAt!.getTime()).toBeGreaterThanOrEqual(Date.now() + 890_000);
    expect(row.refreshFailureCount).toBe(1);
  });

  it("answers 503 after the timeout when GitHub does not answer", async () => {
    const seeded = await seedUser(app.services, simulator, { expired: true });
    simulator.injectFault("refresh", { timeout: true });
    const started = Date.now();
    const answer = await fetchToken(app, seeded.githubId);
    expect(answer.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("marks a user whose refresh token is dead reauth_required, notifies, and stops calling GitHub", async () => {
    const seeded = await seedUser(app.services, simulator, { expired: true });
    simulator.reset();
    const answer = await fetchToken(app, seeded.githubId);
    expect(answer.status).toBe(409);
    const row = await seeded.user.reload();
    expect(row.tokenMigrationStatus).toBe("reauth_required");
    expect(row.migrationError).toMatch(/bad_refresh_token/);
    expect(row.lastRefreshError).toMatch(/bad_refresh_token/);
    const notifications = await app.services.models.Notification.findAll({ where: { eventType: "token.reauth_required" } });
    const mine = notifications.filter((notification) => notification.payload.github_id === seeded.githubId);
    expect(mine).toHaveLength(1);
    expect(JSON.stringify(mine[0]!.payload)).not.toMatch(/gh[uro]_/);
    simulator.counters.reset();
    expect((await fetchToken(app, seeded.githubId)).status).toBe(409);
    expect(simulator.counters.totalCalls()).toBe(0);
  });

  describe("refuses bad requests, with no-store on every answer", () => {
    it("401 without the service key or with a wrong one", async () => {
      for (const key of [null, "wrong-key"]) {
        const answer = await fetchToken(app, 1, { key });
        expect(answer.status).toBe(401);
        expect(answer.body).toMatchObject({ error: "unauthorized" });
        expect(answer.headers.get("cache-control")).toBe("no-store");
      }
    });

    it("400 for a github_id that is not a positive whole number", async () => {
      for (const id of ["0", "-1", "abc", "1.5", "99999999999999999"]) {
        const answer = await fetchToken(app, id);
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({ error: "invalid_request", message: expect.stringMatching(/github_id/) });
        expect(answer.headers.get("cache-control")).toBe("no-store");
      }
    });

    it("400 for a bad min_valid_seconds or an unknown query parameter", async () => {
      for (const query of ["?min_valid_seconds=abc", "?min_valid_seconds=-5", "?min_valid_seconds=99999"]) {
        const answer = await fetchToken(app, 1, { query });
        expect(answer.status).toBe(400);
        expect(answer.body.message).toMatch(/min_valid_seconds/);
      }
      const unknown = await fetchToken(app, 1, { query: "?refresh=yes" });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toMatch(/unknown query parameter: refresh/);
    });

    it("404 user_not_found for an unknown user", async () => {
      const answer = await fetchToken(app, 987654321);
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ error: "user_not_found", message: expect.stringContaining("987654321") });
      expect(answer.headers.get("cache-control")).toBe("no-store");
    });
  });
});
