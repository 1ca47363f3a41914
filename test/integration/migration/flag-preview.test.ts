// The impact preview of a flag change, checked against a small world whose answers are worked out
// by hand: seven users whose rollout buckets, tokens and statuses are chosen, and one readiness
// check saying user A would lose a repository.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { MigrationStatus } from "../../../src/db/models/index.js";
import { rolloutBucket } from "../../../src/users/rollout-policy.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

let database: TestDatabase;
let app: TestApp;

/** The next GitHub id from `from` whose rollout bucket is in [low, high). */
function idInBuckets(from: number, low: number, high: number): number {
  for (let id = from; ; id += 1) if (rolloutBucket(id) >= low && rolloutBucket(id) < high) return id;
}

interface Person {
  name: string;
  bucket: "low" | "high";
  app: boolean;
  legacy: boolean;
  status: MigrationStatus;
  losesRepositories?: boolean;
}

// Buckets "low" are below 50 (in a 50 % rollout), "high" at 50 or above.
const PEOPLE: Person[] = [
  { name: "a", bucket: "low", app: true, legacy: true, status: "migrated", losesRepositories: true },
  { name: "b", bucket: "low", app: true, legacy: true, status: "migrated", losesRepositories: false },
  { name: "c", bucket: "high", app: true, legacy: true, status: "migrated" },
  { name: "d", bucket: "low", app: false, legacy: true, status: "consent_required" },
  { name: "e", bucket: "high", app: true, legacy: false, status: "migrated" },
  { name: "f", bucket: "low", app: true, legacy: true, status: "rolled_back" },
  { name: "g", bucket: "low", app: true, legacy: true, status: "reauth_required" },
];

async function preview(name: string, value: unknown) {
  const response = await fetch(`${app.url}/api/v1/admin/flags/${name}/preview`, {
    method: "POST",
    headers: { authorization: `Bearer ${app.services.config.adminApiToken}`, "content-type": "application/json" },
    body: JSON.stringify({ value }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp({ sequelize: database.sequelize });
  const { models, tokenStore, flags } = app.services;
  let nextId = 5000;
  for (const person of PEOPLE) {
    const githubId = person.bucket === "low" ? idInBuckets(nextId, 0, 50) : idInBuckets(nextId, 50, 100);
    nextId = githubId + 1;
    await models.sequelize.transaction(async (transaction) => {
      const user = await models.User.create({ githubId, login: `person-${person.name}`, tokenMigrationStatus: person.status }, { transaction });
      if (person.app) {
        const expiresAt = new Date(Date.now() + 3_600_000);
        await tokenStore.saveAppTokens(user, { accessToken: `ghu_${person.name}`, accessTokenExpiresAt: expiresAt, refreshToken: `ghr_${person.name}`, refreshTokenExpiresAt: expiresAt }, transaction);
      }
      if (person.legacy) await tokenStore.saveLegacyToken(user, { accessToken: `gho_${person.name}`, refreshToken: null, expiresAt: null }, transaction);
      if (person.losesRepositories !== undefined) {
        await app.services.accessChecker.record(
          user,
          {
            checkedAt: new Date(),
            outcome: "checked",
            legacyRepositories: 5,
            legacyTruncated: false,
            coveredRepositories: person.losesRepositories ? 4 : 5,
            coverageSource: "installations",
            appTokenRepositories: null,
            missing: [],
            legacyRateLimit: 5000,
            appRateLimit: null,
          },
          transaction,
        );
      }
    });
  }
  await flags.set({ name: "github_app_tokens_rollout_percent", value: 0, actor: "test" });
});
afterAll(async () => {
  await app.stop();
  await database.drop();
});

describe("POST /api/v1/admin/flags/{name}/preview", () => {
  it("a 50 % rollout: a and b switch to the App token, and a would lose a repository", async () => {
    // c is above the 50 % line; d has no App token; e has App tokens only and keeps them;
    // f is rolled back; g's App token is retired (reauth_required).
    expect((await preview("github_app_tokens_rollout_percent", 50)).body).toEqual({
      switch_to_app: 2,
      switch_to_oauth: 0,
      lose_token: 0,
      lose_repository_access: 1,
    });
  });

  it("a past deprecation date: everyone holding an App token gets it, d and g are left with nothing", async () => {
    // a, b, c and f fall back to their App token once legacy tokens stop being served.
    expect((await preview("oauth_token_deprecation_date", "2020-01-01")).body).toEqual({
      switch_to_app: 4,
      switch_to_oauth: 0,
      lose_token: 2,
      lose_repository_access: 1,
    });
  });

  it("the global rollback from a full rollout sends a, b and c back to OAuth", async () => {
    await app.services.flags.set({ name: "github_app_tokens_rollout_percent", value: 100, actor: "test" });
    // e has no legacy token and keeps the App token; f is rolled back already; d, g are on OAuth.
    expect((await preview("github_app_tokens_enabled", false)).body).toEqual({
      switch_to_app: 0,
      switch_to_oauth: 3,
      lose_token: 0,
      lose_repository_access: 0,
    });
  });

  it("writes nothing", async () => {
    const before = await app.services.flags.history();
    await preview("github_app_tokens_rollout_percent", 10);
    expect(await app.services.flags.history()).toEqual(before);
    expect((await app.services.flags.read()).github_app_tokens_rollout_percent).toBe(100);
  });

  it("refuses an unknown flag (404) and a value the flag refuses (400), by name", async () => {
    expect(await preview("no_such_flag", 1)).toMatchObject({ status: 404, body: { error: "unknown_flag" } });
    const bad = await preview("github_app_tokens_rollout_percent", 101);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("at most 100");
  });
});
