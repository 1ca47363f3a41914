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
