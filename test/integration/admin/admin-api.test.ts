import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { startTestSimulator } from "../../support/simulator-fixture.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { migrationEnv } from "../../support/migration-fixture.js";

describe("the admin API", () => {
  let database: TestDatabase;
  let simulator: GitHubSimulator;
  let app: TestApp;
  const users: Array<{ githubId: number; login: string }> = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    simulator = await startTestSimulator();
    app = await startTestApp({ sequelize: database.sequelize, env: migrationEnv(simulator), logLevel: "error" });
    for (let index = 0; index < 5; index += 1) {
      const { id, login } = simulator.addUser({ login: `admin-api-user-${index}` });
      users.push({ githubId: id, login });
    }
  });
  afterAll(async () => {
    await app.services.migrationBatches.whenIdle();
    await app.stop();
    await simulator.stop();
    await database.drop();
  });

  async function call(method: string, path: string, { body, type = "application/json", key = app.services.config.adminApiToken, headers = {} }: {
    body?: unknown;
    type?: string;
    key?: string | null;
    headers?: Record<string, string>;
  } = {}) {
    const response = await fetch(`${app.url}/api/v1/admin${path}`, {
      method,
      headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { "content-type": type }), ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, any> };
  }

  it("refuses calls without the admin key, or with the service key", async () => {
    expect((await call("GET", "/migration", { key: null })).status).toBe(401);
    const wrong = await call("GET", "/migration", { key: app.services.config.serviceApiToken });
    expect(wrong).toMatchObject({ status: 401, body: { error: "unauthorized" } });
    expect((await call("GET", "/users", { key: null })).status).toBe(401);
    expect((await call("PUT", "/flags/user_migration_batch_size", { key: null, body: { value: 5 } })).status).toBe(401);
  });

  it("imports JSON lines, reporting bad lines by number", async () => {
    const lines = users.map((user) =>
      JSON.stringify({ github_id: user.githubId, login: user.login, access_token: simulator.issueTokens(user.login, "legacy").accessToken }),
    );
    const response = await call("POST", "/users/import", { body: `${lines.join("\n")}\n{"github_id": -1}\n`, type: "application/x-ndjson" });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ read: 6, created: 5, updated: 0, rejected: 1, rejections: [{ line: 6 }] });
    expect((await call("POST", "/users/import", { body: lines[0], type: "application/json" })).status).toBe(415);
  });

  it("pages through users by status with an opaque keyset cursor", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await call("GET", `/users?status=pending&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.users.map((user: { github_id: number }) => user.github_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(users.map((user) => user.githubId));
    expect((await call("GET", "/users?status=sleeping")).status).toBe(400);
    expect((await call("GET", "/users?cursor=bm9wZQ")).body.error).toBe("invalid_request");
    expect((await call("GET", "/users?color=blue")).body.message).toContain("color");
  });

  it("starts a batch in the background (202) whose progress can be read until it finishes", async () => {
    const started = await call("POST", "/migration/batches", { body: { size: 3 }, headers: { "x-actor": "octo-admin" } });
    expect(started.status).toBe(202);
    const batchId = started.body.batch_id as number;
    let batch: Record<string, any>;
    do {
      batch = (await call("GET", `/migration/batches/${batchId}`)).body;
    } while (batch.state === "running");
    expect(batch).toMatchObject({ state: "finished", requested_by: "octo-admin", size: 3, dry_run: false, counts: { claimed: 3, consent_required: 3, legacy_token_valid: 3 } });

    const dry = await call("POST", "/migration/batches", { body: { dry_run: true } });
    expect(dry.status).toBe(202);
    await app.services.migrationBatches.whenIdle();
    expect((await call("GET", `/migration/batches/${dry.body.batch_id}`)).body).toMatchObject({ dry_run: true, counts: { candidates: 2 } });

    const overview = await call("GET", "/migration");
    expect(overview.body).toMatchObject({ total_users: 5, by_status: { pending: 2, consent_required: 3 }, percent_migrated: 0 });
    expect(overview.body.recent_batches).toHaveLength(2);
    expect(overview.body.flags.map((flag: { name: string }) => flag.name)).toContain("github_app_tokens_enabled");
  });

  it("refuses bad input with 400 naming the field, and writes nothing", async () => {
    const before = await database.models.MigrationBatch.count();
    expect((await call("POST", "/migration/batches", { body: { size: 3, colour: "red" } })).body).toMatchObject({ error: "invalid_request", message: "unknown field: colour" });
    expect((await call("POST", "/migration/batches", { body: { size: 0 } })).body.message).toMatch(/^size:/);
    expect((await call("POST", "/migration/batches", { body: "{not json" })).status).toBe(400);
    expect((await call("POST", "/migration/batches", { body: {}, headers: { "x-actor": "not a login!" } })).body.message).toContain("X-Actor");
    expect(await database.models.MigrationBatch.count()).toBe(before);
    expect((await call("GET", "/migration/batches/0")).status).toBe(400);
    expect((await call("GET", "/migration/batches/99999")).status).toBe(404);
    expect((await call("GET", "/users/abc")).status).toBe(400);
    expect((await call("GET", "/users/424242")).status).toBe(404);
  });

  it("validates flag values per flag and records who changed them", async () => {
    const tooMuch = await call("PUT", "/flags/github_app_tokens_rollout_percent", { body: { value: 150 } });
    expect(tooMuch).toMatchObject({ status: 400, body: { message: expect.stringContaining("at most 100") } });
    expect((await call("PUT", "/flags/github_app_tokens_allow_list", { body: { value: ["ok", "not ok"] } })).status).toBe(400);
    expect((await call("PUT", "/flags/no_such_flag", { body: { value: true } })).status).toBe(404);
    expect((await call("PUT", "/flags/github_app_tokens_enabled", { body: { value: true, why: "x" } })).body.message).toBe("unknown field: why");
    expect((await call("PUT", "/flags/github_app_tokens_enabled", { body: {} })).body.message).toContain("value");
    expect(await database.models.FeatureFlagChange.count()).toBe(0);

    const changed = await call("PUT", "/flags/github_app_tokens_rollout_percent", { body: { value: 25 }, headers: { "x-actor": "octo-admin" } });
    expect(changed.body).toMatchObject({ name: "github_app_tokens_rollout_percent", old_value: 100, new_value: 25, changed_by: "octo-admin" });
    const date = await call("PUT", "/flags/oauth_token_deprecation_date", { body: { value: "2031-06-30" } });
    expect(date.body).toMatchObject({ old_value: null, new_value: "2031-06-30T00:00:00.000Z", changed_by: "admin-api" });
    const list = await call("GET", "/flags");
    expect(list.body.flags).toContainEqual(expect.objectContaining({ name: "github_app_tokens_rollout_percent", value: 25, source: "database" }));
    expect(list.body.history).toHaveLength(2);
  });

  it("validates, rolls back and re-enables a user, and shows the story without token values", async () => {
    const [user] = users;
    const row = await database.models.User.findOne({ where: { githubId: user!.githubId } });
    const issued = simulator.issueTokens(user!.login, "app");
    await database.sequelize.transaction((transaction) =>
      app.services.tokenStore.saveAppTokens(
        row!,
        { accessToken: issued.accessToken, accessTokenExpiresAt: issued.expiresAt, refreshToken: issued.refreshToken, refreshTokenExpiresAt: issued.refreshTokenExpiresAt },
        transaction,
      ),
    );
    const validated = await call("POST", `/users/${user!.githubId}/validate`, { headers: { "x-actor": "octo-admin" } });
    expect(validated.body).toMatchObject({ status: "migrated", result: { ok: true, identity: { github_id: user!.githubId } } });

    const rolledBack = await call("POST", `/users/${user!.githubId}/rollback`, { body: { reason: "pilot ended" } });
    expect(rolledBack.body).toMatchObject({ status: "rolled_back" });
    expect((await call("POST", `/users/${user!.githubId}/rollback`)).body.error).toBe("illegal_transition");
    expect((await call("POST", `/users/${user!.githubId}/reenable`)).body.status).toBe("pending");

    const detail = await call("GET", `/users/${user!.githubId}`);
    expect(detail.body.history.map((entry: { to: string }) => entry.to)).toEqual(["consent_required", "migrated", "rolled_back", "pending"]);
    expect(detail.body.app_token).toMatchObject({ stored: true, expires_at: issued.expiresAt!.toISOString() });
    expect(JSON.stringify(detail.body)).not.toContain(issued.accessToken);
    expect(JSON.stringify(detail.body)).not.toMatch(/gh[our]_|v1\./);
  });

  it("rolls back globally and guards cleanup behind the deprecation date and an explicit confirmation", async () => {
    const rollback = await call("POST", "/migration/rollback", { headers: { "x-actor": "octo-admin" } });
    expect(rollback.body).toMatchObject({ name: "github_app_tokens_enabled", new_value: false, changed_by: "octo-admin" });

    expect((await call("POST", "/migration/cleanup")).body).toMatchObject({ error: "cleanup_refused" });
    const unconfirmed = await call("POST", "/migration/cleanup", { body: { dry_run: false } });
    expect(unconfirmed).toMatchObject({ status: 400, body: { message: expect.stringContaining("confirm") } });
    expect(simulator.counters.calls("delete_grant")).toBe(0);
  });
});
