import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pg from "pg";
import { LegacyImporter } from "../../../src/migration/legacy-import.js";
import { TokenSealer } from "../../../src/tokens/sealing.js";
import { TokenStore } from "../../../src/tokens/token-store.js";
import { testConfig } from "../../support/config.js";
import { createEmptyTestDatabase, createTestDatabase, type TestDatabase } from "../../support/database.js";
import { legacyAccessToken, legacyRefreshToken } from "../../support/legacy-tokens.js";

describe("importing legacy users from the legacy application's own table", () => {
  let database: TestDatabase;
  let legacy: Awaited<ReturnType<typeof createEmptyTestDatabase>>;
  let store: TokenStore;
  let importer: LegacyImporter;

  beforeAll(async () => {
    database = await createTestDatabase();
    legacy = await createEmptyTestDatabase();
    store = new TokenStore({ models: database.models, sealer: new TokenSealer(testConfig().encryptionKeys) });
    importer = new LegacyImporter({ models: database.models, tokenStore: store, chunkSize: 7 });
    const client = new pg.Client({ connectionString: legacy.url });
    await client.connect();
    await client.query(`CREATE SCHEMA legacy_app`);
    await client.query(`CREATE TABLE legacy_app."Accounts" (uid BIGINT PRIMARY KEY, handle TEXT, oauth JSONB)`);
    for (let uid = 1; uid <= 40; uid += 1) {
      const oauth =
        uid === 13
          ? { scope: "repo" }
          : {
              access_token: legacyAccessToken(uid),
              scope: "repo",
              ...(uid % 10 === 0 ? { refresh_token: legacyRefreshToken(uid), expires_at: "2030-01-01T00:00:00Z" } : {}),
            };
      await client.query(`INSERT INTO legacy_app."Accounts" VALUES ($1, $2, $3)`, [uid, `legacy${uid}`, oauth]);
    }
    await client.end();
  });
  afterAll(async () => {
    await database.drop();
    await legacy.drop();
  });

  const source = () => ({
    url: legacy.url,
    table: "legacy_app.Accounts",
    githubIdColumn: "uid",
    loginColumn: "handle",
    providerInfoColumn: "oauth",
  });

  it("reads every row in pages, seals the tokens, keeps other legacy fields and reports rows without a token", async () => {
    const progress: number[] = [];
    const report = await importer.importFromDatabase(source(), { onProgress: (p) => progress.push(p.read), skipInvalid: true });
    expect(report).toMatchObject({ read: 40, created: 39, updated: 0, rejected: 1, written: true, skipped_invalid: true });
    expect(report.rejections).toEqual([{ line: 13, field: "access_token", reason: "access_token is missing" }]);
    expect(progress.length).toBeGreaterThan(3);

    const expiring = await database.models.User.findOne({ where: { githubId: 20 } });
    expect(expiring!.providerInfo).toMatchObject({ scope: "repo", access_token: expect.stringMatching(/^v1\./), refresh_token: expect.stringMatching(/^v1\./) });
    expect(store.readLegacyToken(expiring!)).toEqual({
      accessToken: legacyAccessToken(20),
      refreshToken: legacyRefreshToken(20),
      expiresAt: new Date("2030-01-01T00:00:00Z"),
    });
  });

  it("is idempotent: importing again updates the same users and creates none", async () => {
    await database.models.User.update({ legacyTokenValid: false }, { where: { githubId: 5 } });
    const report = await importer.importFromDatabase(source(), { skipInvalid: true });
    expect(report).toMatchObject({ created: 0, updated: 39 });
    expect(await database.models.User.count()).toBe(39);
    const reimported = await database.models.User.findOne({ where: { githubId: 5 } });
    expect(reimported!.legacyTokenValid).toBeNull();
  });
});

describe("the strict legacy import", () => {
  let database: TestDatabase;
  let importer: LegacyImporter;

  beforeAll(async () => {
    database = await createTestDatabase();
    const store = new TokenStore({ models: database.models, sealer: new TokenSealer(testConfig().encryptionKeys) });
    importer = new LegacyImporter({ models: database.models, tokenStore: store, chunkSize: 2 });
  });
  afterAll(async () => {
    await database.drop();
  });

  const line = (fields: Record<string, unknown>) => JSON.stringify({ github_id: 101, login: "octocat", access_token: legacyAccessToken(101), ...fields });

  it.each([
    ["a password", { access_token: "hunter2" }, "access_token"],
    ["HTML", { access_token: "<script>alert(1)</script>" }, "access_token"],
    ["SQL", { access_token: "x' OR '1'='1" }, "access_token"],
    ["gho_ with too few characters", { access_token: "gho_abc" }, "access_token"],
    ["gho_ with a character outside base62", { access_token: `gho_${"a".repeat(35)}-` }, "access_token"],
    ["an App user token (ghu_), not an OAuth App token", { access_token: `ghu_${"a".repeat(36)}` }, "access_token"],
    ["39 hexadecimal characters", { access_token: "a".repeat(39) }, "access_token"],
    ["uppercase hexadecimal", { access_token: "A".repeat(40) }, "access_token"],
    ["a refresh token without ghr_", { refresh_token: "refresh-me" }, "refresh_token"],
    ["a refresh token in the access token's shape", { refresh_token: legacyAccessToken(7) }, "refresh_token"],
    ["a number as github_id text", { github_id: "101" }, "github_id"],
  ])("refuses %s, naming the line and the field, and writes nothing", async (_shape, fields, field) => {
    const report = await importer.importJsonLines([line({ github_id: 100, access_token: legacyAccessToken(100) }), line(fields)]);
    expect(report).toMatchObject({ read: 2, created: 0, updated: 0, rejected: 1, written: false });
    expect(report.rejections).toEqual([{ line: 2, field, reason: expect.stringContaining(field) }]);
    expect(await database.models.User.count()).toBe(0);
  });

  it("accepts both GitHub OAuth token shapes and a ghr_ refresh token", async () => {
    const report = await importer.importJsonLines([
      line({ github_id: 1 }),
      line({ github_id: 2, login: "hubot", access_token: "0123456789abcdef0123456789abcdef01234567", refresh_token: legacyRefreshToken(2) }),
    ]);
    expect(report).toMatchObject({ read: 2, created: 2, rejected: 0, written: true, skipped_invalid: false });
    await database.models.User.destroy({ where: {} });
  });

  it("refuses a github_id that appears twice, naming both lines, even in different chunks", async () => {
    const report = await importer.importJsonLines([line({ github_id: 7 }), line({ github_id: 8 }), line({ github_id: 9 }), "", line({ github_id: 7, login: "other" })]);
    expect(report).toMatchObject({ read: 4, created: 0, rejected: 2, written: false });
    expect(report.rejections).toEqual([
      { line: 1, field: "github_id", reason: "github_id 7 appears on lines 1 and 5" },
      { line: 5, field: "github_id", reason: "github_id 7 appears on lines 1 and 5" },
    ]);
    expect(await database.models.User.count()).toBe(0);
  });

  it("with skip_invalid, writes the valid lines and reports each skipped one with its reason", async () => {
    const report = await importer.importJsonLines(
      [line({ github_id: 7 }), line({ github_id: 8, access_token: "hunter2" }), line({ github_id: 7 }), "{not json", line({ github_id: 9 }), line({ github_id: 10, surprise: 1 })],
      { skipInvalid: true },
    );
    expect(report).toMatchObject({ read: 6, created: 1, updated: 0, rejected: 5, written: true, skipped_invalid: true });
    expect(report.rejections.map((rejection) => [rejection.line, rejection.field ?? null])).toEqual([
      [1, "github_id"],
      [2, "access_token"],
      [3, "github_id"],
      [4, null],
      [6, "surprise"],
    ]);
    expect((await database.models.User.findAll()).map((user) => user.githubId)).toEqual([9]);
  });
});
