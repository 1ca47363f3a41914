// The API document tells the truth: real answers of the token API and the admin API, driven through
// their success and refusal paths on a real database and the GitHub simulator, each fit the schema the
// document gives for their route and status.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { startTestSimulator } from "../../support/simulator-fixture.js";
import { DocumentedAnswers, type AnswerCheck } from "../../support/api-document.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { seedUser } from "../../support/vault-fixture.js";
import { migrationEnv } from "../../support/migration-fixture.js";

let database: TestDatabase;
let simulator: GitHubSimulator;
let app: TestApp;
const documented = new DocumentedAnswers();
const checks: AnswerCheck[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  simulator = await startTestSimulator();
  app = await startTestApp({ sequelize: database.sequelize, env: migrationEnv(simulator), logLevel: "error" });
});
afterAll(async () => {
  await app.services.migrationBatches.whenIdle();
  await app.stop();
  await simulator.stop();
  await database.drop();
});

type Key = "admin" | "service" | "none";

/** One request; its answer is checked against the document and kept for the assertions below. */
async function call(method: string, path: string, { key = "admin", body, type = "application/json" }: { key?: Key; body?: unknown; type?: string } = {}) {
  const keys = { admin: app.services.config.adminApiToken, service: app.services.config.serviceApiToken, none: null };
  const secret = keys[key];
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...(secret && { authorization: `Bearer ${secret}` }), ...(body !== undefined && { "content-type": type }) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const answer = { method, path, status: response.status, body: (await response.json()) as Record<string, any> };
  const check = documented.check(answer);
  checks.push(check);
  expect(check).toEqual({ route: check.route, status: answer.status, errors: null });
  return answer;
}

describe("answers of the token API fit the document", () => {
  it("a stored App token, the OAuth fallback, reauth_required, an unknown user and refusals", async () => {
    const migrated = await seedUser(app.services, simulator);
    expect((await call("GET", `/api/v1/users/${migrated.githubId}/token`, { key: "service" })).status).toBe(200);

    const legacyOnly = await seedUser(app.services, simulator, { app: false, legacy: true });
    expect((await call("GET", `/api/v1/users/${legacyOnly.githubId}/token`, { key: "service" })).body.type).toBe("oauth");

    const tokenless = await seedUser(app.services, simulator, { app: false });
    expect((await call("GET", `/api/v1/users/${tokenless.githubId}/token`, { key: "service" })).body.error).toBe("reauth_required");

    expect((await call("GET", "/api/v1/users/999999999/token", { key: "service" })).status).toBe(404);
    expect((await call("GET", `/api/v1/users/${migrated.githubId}/token?min_valid_seconds=9999`, { key: "service" })).status).toBe(400);
    expect((await call("GET", `/api/v1/users/${migrated.githubId}/token`, { key: "none" })).status).toBe(401);
  });
});

describe("answers of the admin API fit the document", () => {
  const users: Array<{ githubId: number; login: string }> = [];

  beforeAll(() => {
    for (let index = 0; index < 3; index += 1) {
      const { id, login } = simulator.addUser({ login: `openapi-user-${index}` });
      users.push({ githubId: id, login });
    }
  });

  it("the legacy import: a report skipping the bad line (skip_invalid), a refusal of every line, and a wrong media type", async () => {
    const lines = users.map((user) =>
      JSON.stringify({ github_id: user.githubId, login: user.login, access_token: simulator.issueTokens(user.login, "legacy").accessToken }),
    );
    const mixed = `${lines.join("\n")}\n{"github_id": -1}\n`;
    expect((await call("POST", "/api/v1/admin/users/import", { body: mixed, type: "application/x-ndjson" })).status).toBe(400);
    expect((await call("POST", "/api/v1/admin/users/import?skip_invalid=true", { body: mixed, type: "application/x-ndjson" })).status).toBe(200);
    expect((await call("POST", "/api/v1/admin/users/import", { body: '{"github_id": -1}\n', type: "application/x-ndjson" })).status).toBe(400);
    expect((await call("POST", "/api/v1/admin/users/import", { body: lines[0], type: "application/json" })).status).toBe(415);
  });

  it("users: a page, one user's story, validation, rollback, re-enable and the status machine's refusal", async () => {
    const first = users[0]!;
    expect((await call("GET", "/api/v1/admin/users?status=pending&limit=2")).body.users).toHaveLength(2);
    expect((await call("GET", "/api/v1/admin/users?limit=0")).status).toBe(400);
    expect((await call("GET", `/api/v1/admin/users/${first.githubId}`)).status).toBe(200);
    expect((await call("GET", "/api/v1/admin/users/424242424")).status).toBe(404);

    const migrated = await seedUser(app.services, simulator);
    const validated = await call("POST", `/api/v1/admin/users/${migrated.githubId}/validate`);
    expect(validated.body.result.ok).toBe(true);

    expect((await call("POST", `/api/v1/admin/users/${migrated.githubId}/rollback`, { body: { reason: "checking the document" } })).body.status).toBe("rolled_back");
    const again = await call("POST", `/api/v1/admin/users/${migrated.githubId}/rollback`, { body: {} });
    expect(again).toMatchObject({ status: 409, body: { error: "illegal_transition", from: "rolled_back", to: "rolled_back" } });
    expect((await call("POST", `/api/v1/admin/users/${migrated.githubId}/reenable`)).body.status).toBe("pending");
  });

  it("batches, the overview, global rollback and re-enable, and the cleanup", async () => {
    const started = await call("POST", "/api/v1/admin/migration/batches", { body: { size: 2, dry_run: true } });
    expect(started.status).toBe(202);
    await app.services.migrationBatches.whenIdle();
    expect((await call("GET", `/api/v1/admin/migration/batches/${started.body.batch_id}`)).body.state).toBe("finished");
    expect((await call("GET", "/api/v1/admin/migration/batches/987654")).status).toBe(404);
    expect((await call("POST", "/api/v1/admin/migration/batches", { body: { size: 0 } })).status).toBe(400);

    expect((await call("GET", "/api/v1/admin/migration")).body.recent_batches.length).toBeGreaterThan(0);
    expect((await call("POST", "/api/v1/admin/migration/rollback")).body.new_value).toBe(false);
    expect((await call("POST", "/api/v1/admin/migration/reenable", { body: {} })).body.new_value).toBe(true);

    expect((await call("POST", "/api/v1/admin/migration/cleanup", { body: { dry_run: false } })).status).toBe(400);
    // No deprecation date has passed: a refusal with its reason.
    expect((await call("POST", "/api/v1/admin/migration/cleanup", { body: {} })).body.error).toBe("cleanup_refused");
    await call("PUT", "/api/v1/admin/flags/oauth_token_deprecation_date", { body: { value: "2000-01-01" } });
    expect((await call("POST", "/api/v1/admin/migration/cleanup", { body: {} })).body.dry_run).toBe(true);
  });

  it("flags: the list, a change, a refused value and an unknown flag", async () => {
    expect((await call("GET", "/api/v1/admin/flags")).body.flags.length).toBeGreaterThan(0);
    expect((await call("PUT", "/api/v1/admin/flags/github_app_tokens_rollout_percent", { body: { value: 50 } })).status).toBe(200);
    expect((await call("PUT", "/api/v1/admin/flags/github_app_tokens_rollout_percent", { body: { value: 500 } })).status).toBe(400);
    expect((await call("PUT", "/api/v1/admin/flags/no_such_flag", { body: { value: 1 } })).status).toBe(404);
  });

  it("installations: a page", async () => {
    await app.services.models.Installation.create({
      id: 77,
      accountId: 770,
      accountLogin: "openapi-org",
      accountType: "Organization",
      targetType: "Organization",
      repositorySelection: "selected",
      createdAt: new Date(),
    });
    expect((await call("GET", "/api/v1/admin/installations?include_deleted=true")).body.installations).toHaveLength(1);
    expect((await call("GET", "/api/v1/admin/installations?limit=9999")).status).toBe(400);
    expect((await call("GET", "/api/v1/admin/installations", { key: "none" })).status).toBe(401);
  });

  it("migration readiness: a scan, the summary, one user's access, rate-limit drops, a flag preview and the rollout guard", async () => {
    const reader = await seedUser(app.services, simulator, { app: false, legacy: true });
    expect((await call("GET", `/api/v1/admin/users/${reader.githubId}/access`)).body.error).toBe("not_checked");
    expect((await call("POST", "/api/v1/admin/migration/readiness", { body: { github_ids: [987654321] } })).status).toBe(400);
    expect((await call("POST", "/api/v1/admin/migration/readiness", { body: { github_ids: [reader.githubId] } })).status).toBe(202);
    let summary = (await call("GET", "/api/v1/admin/migration/readiness")).body;
    for (let tries = 0; summary.scan.state === "running" && tries < 50; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      summary = (await call("GET", "/api/v1/admin/migration/readiness")).body;
    }
    expect(summary.scan.state).toBe("finished");
    expect((await call("GET", `/api/v1/admin/users/${reader.githubId}/access`)).status).toBe(200);
    expect((await call("GET", "/api/v1/admin/users/zero/access")).status).toBe(400);
    expect((await call("GET", "/api/v1/admin/migration/readiness/rate-limit-drops")).status).toBe(200);
    expect((await call("GET", "/api/v1/admin/migration/readiness?verbose=1")).status).toBe(400);

    expect((await call("POST", "/api/v1/admin/flags/github_app_tokens_rollout_percent/preview", { body: { value: 50 } })).status).toBe(200);
    expect((await call("POST", "/api/v1/admin/flags/github_app_tokens_rollout_percent/preview", { body: { value: 150 } })).status).toBe(400);
    expect((await call("POST", "/api/v1/admin/flags/no_such_flag/preview", { body: { value: 1 } })).status).toBe(404);

    expect((await call("GET", "/api/v1/admin/migration/rollout-guard")).body.state).toBeDefined();
    expect((await call("POST", "/api/v1/admin/migration/rollout-guard/clear", { body: {} })).body.error).toBe("not_tripped");
    expect((await call("PUT", "/api/v1/admin/flags/rollout_guard_enabled", { body: { value: true, override: false } })).status).toBe(200);
  });

  it("health, readiness and the document itself", async () => {
    expect((await call("GET", "/healthz", { key: "none" })).status).toBe(200);
    expect((await call("GET", "/readyz", { key: "none" })).status).toBe(200);
    expect((await call("GET", "/api/openapi.json", { key: "none" })).body.openapi).toBe("3.1.0");
  });
});

describe("the drive above", () => {
  it("reached every JSON route of the token API and the admin API", () => {
    const jsonRoutes = [
      "GET /api/v1/users/{github_id}/token",
      "GET /api/v1/admin/migration",
      "POST /api/v1/admin/migration/batches",
      "GET /api/v1/admin/migration/batches/{id}",
      "POST /api/v1/admin/migration/rollback",
      "POST /api/v1/admin/migration/reenable",
      "POST /api/v1/admin/migration/cleanup",
      "GET /api/v1/admin/users",
      "POST /api/v1/admin/users/import",
      "GET /api/v1/admin/users/{github_id}",
      "POST /api/v1/admin/users/{github_id}/validate",
      "POST /api/v1/admin/users/{github_id}/rollback",
      "POST /api/v1/admin/users/{github_id}/reenable",
      "GET /api/v1/admin/flags",
      "PUT /api/v1/admin/flags/{name}",
      "GET /api/v1/admin/installations",
      "POST /api/v1/admin/migration/readiness",
      "GET /api/v1/admin/migration/readiness",
      "GET /api/v1/admin/migration/readiness/rate-limit-drops",
      "GET /api/v1/admin/users/{github_id}/access",
      "POST /api/v1/admin/flags/{name}/preview",
      "GET /api/v1/admin/migration/rollout-guard",
      "POST /api/v1/admin/migration/rollout-guard/clear",
    ];
    expect(jsonRoutes.filter((route) => !documented.covered.has(route))).toEqual([]);
    expect(checks.filter((check) => check.errors !== null)).toEqual([]);
  });
});
