// `users import --from-database <url> --query "<SQL>"`: the application's users read through its own
// query, from PostgreSQL and from MariaDB, through the same validation as the file import.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pg from "pg";
import { LegacyImporter } from "../../../src/migration/legacy-import.js";
import { LegacyQueryError, readLegacyQuery } from "../../../src/migration/legacy-query-source.js";
import { TokenSealer } from "../../../src/tokens/sealing.js";
import { TokenStore } from "../../../src/tokens/token-store.js";
import { runCli } from "../../support/cli.js";
import { testConfig, testEnv } from "../../support/config.js";
import { createEmptyTestDatabase, createTestDatabase, type TestDatabase } from "../../support/database.js";
import { createTestMariaDb, type TestMariaDb } from "../../support/mariadb.js";

/** Tokens in GitHub's shapes, telling which row they came from. */
const accessToken = (id: number) => `gho_${String(id).padStart(36, "0")}`;
const refreshToken = (id: number) => `ghr_${String(id).padStart(76, "0")}`;

/** The README's queries for the plan's shape: provider_info holds the tokens. */
const PLAN_QUERY_POSTGRES = `SELECT github_id, login,
       provider_info->>'access_token'  AS access_token,
       provider_info->>'refresh_token' AS refresh_token,
       provider_info->>'expires_at'    AS expires_at
  FROM users`;
const PLAN_QUERY_MYSQL = `SELECT github_id, login,
       JSON_UNQUOTE(JSON_EXTRACT(provider_info, '$.access_token'))  AS access_token,
       JSON_UNQUOTE(JSON_EXTRACT(provider_info, '$.refresh_token')) AS refresh_token,
       JSON_UNQUOTE(JSON_EXTRACT(provider_info, '$.expires_at'))    AS expires_at
  FROM users`;

/** 30 users in the plan's shape: user 13 has no token, every tenth a refresh token and expiry. */
function planRows(): Array<{ githubId: number; login: string; providerInfo: Record<string, string> }> {
  return Array.from({ length: 30 }, (_, index) => {
    const githubId = 9000 + index + 1;
    const providerInfo: Record<string, string> =
      index + 1 === 13
        ? { scope: "repo" }
        : {
            access_token: accessToken(githubId),
            scope: "repo",
            ...((index + 1) % 10 === 0 ? { refresh_token: refreshToken(githubId), expires_at: "2030-01-01T00:00:00.000Z" } : {}),
          };
    return { githubId, login: `legacy-${githubId}`, providerInfo };
  });
}

let database: TestDatabase;
let store: TokenStore;
let importer: LegacyImporter;

beforeAll(async () => {
  database = await createTestDatabase();
  store = new TokenStore({ models: database.models, sealer: new TokenSealer(testConfig().encryptionKeys) });
  importer = new LegacyImporter({ models: database.models, tokenStore: store, chunkSize: 7 });
});
afterAll(() => database?.drop());

async function expectImportedPlanRows(totals: number[]): Promise<void> {
  expect(totals).toEqual([30]);
  const expiring = await database.models.User.findOne({ where: { githubId: 9020 } });
  expect(expiring!.login).toBe("legacy-9020");
  expect(store.readLegacyToken(expiring!)).toEqual({
    accessToken: accessToken(9020),
    refreshToken: refreshToken(9020),
    expiresAt: new Date("2030-01-01T00:00:00Z"),
  });
  expect(store.readLegacyToken((await database.models.User.findOne({ where: { githubId: 9001 } }))!)).toEqual({
    accessToken: accessToken(9001),
    refreshToken: null,
    expiresAt: null,
  });
  expect(await database.models.User.findOne({ where: { githubId: 9013 } })).toBeNull();
}

describe("from PostgreSQL", () => {
  let legacy: Awaited<ReturnType<typeof createEmptyTestDatabase>>;
  let client: pg.Client;

  beforeAll(async () => {
    legacy = await createEmptyTestDatabase();
    client = new pg.Client({ connectionString: legacy.url });
    await client.connect();
    await client.query(`CREATE TABLE users (id SERIAL PRIMARY KEY, github_id BIGINT NOT NULL, login TEXT NOT NULL, provider_info JSONB NOT NULL)`);
    for (const row of planRows()) {
      await client.query(`INSERT INTO users (github_id, login, provider_info) VALUES ($1, $2, $3)`, [row.githubId, row.login, row.providerInfo]);
    }
    await client.query(`CREATE TABLE accounts (uid NUMERIC(20) PRIMARY KEY, handle VARCHAR(39), token TEXT, renew TEXT, token_expiry TIMESTAMPTZ, active BOOLEAN)`);
    await client.query(`INSERT INTO accounts VALUES (7001, 'shaped-1', $1, $2, '2031-02-03T04:05:06Z', true), (7002, 'shaped-2', $3, NULL, NULL, true), (7003, 'gone', $4, NULL, NULL, false)`, [
      accessToken(7001),
      refreshToken(7001),
      accessToken(7002),
      accessToken(7003),
    ]);
  });
  afterAll(async () => {
    await client?.end();
    await legacy?.drop();
  });

  it("imports the plan's shape through the README's query, reporting the row without a token", async () => {
    const totals: number[] = [];
    const report = await importer.importFromQuery({ url: legacy.url, query: PLAN_QUERY_POSTGRES }, { onTotal: (total) => totals.push(total) });
    expect(report).toMatchObject({ read: 30, created: 29, rejected: 1 });
    expect(report.rejections).toEqual([{ line: 13, reason: expect.stringContaining("access_token") }]);
    await expectImportedPlanRows(totals);
  });

  it("imports a table of any shape through column aliases, times and NUMERIC ids included", async () => {
    const report = await importer.importFromQuery({
      url: legacy.url,
      query: `SELECT uid AS github_id, handle AS login, token AS access_token, renew AS refresh_token, token_expiry AS expires_at
                FROM accounts WHERE active ORDER BY uid;`,
    });
    expect(report).toMatchObject({ read: 2, created: 2, rejected: 0 });
    const shaped = await database.models.User.findOne({ where: { githubId: 7001 } });
    expect(store.readLegacyToken(shaped!)).toEqual({ accessToken: accessToken(7001), refreshToken: refreshToken(7001), expiresAt: new Date("2031-02-03T04:05:06Z") });
    expect(await database.models.User.findOne({ where: { githubId: 7003 } })).toBeNull();
  });

  it("runs the query read-only: a query that writes is refused and changes nothing", async () => {
    const writing = `WITH gone AS (DELETE FROM users RETURNING github_id, login, provider_info->>'access_token' AS access_token) SELECT * FROM gone`;
    await expect(importer.importFromQuery({ url: legacy.url, query: writing })).rejects.toBeInstanceOf(LegacyQueryError);
    expect((await client.query(`SELECT count(*)::int AS n FROM users`)).rows[0].n).toBe(30);
  });

  it("refuses columns it does not know, and missing ones, naming them before reading a row", async () => {
    const before = await database.models.User.count();
    await expect(importer.importFromQuery({ url: legacy.url, query: `SELECT github_id, login, provider_info FROM users` })).rejects.toThrow(
      /returned "provider_info"; it may return only github_id, login, access_token, refresh_token, expires_at/,
    );
    await expect(importer.importFromQuery({ url: legacy.url, query: `SELECT github_id, provider_info->>'access_token' AS access_token FROM users WHERE false` })).rejects.toThrow(
      /missing: login/,
    );
    expect(await database.models.User.count()).toBe(before);
  });

  it("names the database without its password when it cannot be reached or refuses the SQL", async () => {
    const unreachable = importer.importFromQuery({ url: "postgres://importer:s3cret-password@127.0.0.1:1/app", query: "SELECT 1" });
    await expect(unreachable).rejects.toThrow(/cannot run the query on postgres:\/\/127\.0\.0\.1:1\/app: .*ECONNREFUSED/);
    await expect(unreachable).rejects.not.toThrow(/s3cret/);
    await expect(importer.importFromQuery({ url: legacy.url, query: "SELECT nothing FROM nowhere" })).rejects.toThrow(/relation "nowhere" does not exist/);
    await expect(importer.importFromQuery({ url: "sqlite:///tmp/app.db", query: "SELECT 1" })).rejects.toThrow(/postgres:\/\/, postgresql:\/\/, mysql:\/\/ or mariadb:\/\//);
  });

  it("releases its connection when the reader stops early", async () => {
    const rows = readLegacyQuery({ url: legacy.url, query: PLAN_QUERY_POSTGRES }, { pageSize: 4 });
    let read = 0;
    for await (const row of rows) {
      expect(row).toMatchObject({ line: read + 1 });
      if (++read === 5) break;
    }
    const sessions = await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'github-app-user-tokens import' AND datname = current_database()`);
    expect(sessions.rows[0].n).toBe(0);
  });
});

describe("from MariaDB", () => {
  let legacy: TestMariaDb;

  beforeAll(async () => {
    legacy = await createTestMariaDb();
    await legacy.connection.query(`CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, github_id BIGINT UNSIGNED NOT NULL, login VARCHAR(39) NOT NULL, provider_info JSON NOT NULL)`);
    for (const row of planRows()) {
      await legacy.connection.query(`INSERT INTO users (github_id, login, provider_info) VALUES (?, ?, ?)`, [row.githubId, row.login, JSON.stringify(row.providerInfo)]);
    }
    await legacy.connection.query(`CREATE TABLE members (member_id BIGINT UNSIGNED PRIMARY KEY, gh_login VARBINARY(39), oauth_token VARCHAR(255), token_expires DATETIME NULL)`);
    await legacy.connection.query(`INSERT INTO members VALUES (?, 'member-1', ?, '2032-05-06 07:08:09'), (9007199254740993, 'too-big', ?, NULL)`, [
      6001,
      accessToken(6001),
      accessToken(6002),
    ]);
  });
  afterAll(() => legacy?.drop());

  it("imports the plan's shape through the README's JSON_EXTRACT query, reporting the row without a token", async () => {
    const totals: number[] = [];
    await database.models.User.destroy({ where: {} });
    const report = await importer.importFromQuery({ url: legacy.url, query: PLAN_QUERY_MYSQL }, { onTotal: (total) => totals.push(total) });
    expect(report).toMatchObject({ read: 30, created: 29, rejected: 1 });
    expect(report.rejections).toEqual([{ line: 13, reason: expect.stringContaining("access_token") }]);
    await expectImportedPlanRows(totals);
  });

  it("reads DATETIME as UTC and binary text as text, and refuses an id JavaScript cannot hold exactly", async () => {
    const report = await importer.importFromQuery({
      url: legacy.url.replace(/^mysql:/, "mariadb:"),
      query: `SELECT member_id AS github_id, gh_login AS login, oauth_token AS access_token, token_expires AS expires_at FROM members ORDER BY member_id`,
    });
    expect(report).toMatchObject({ read: 2, created: 1, rejected: 1 });
    expect(report.rejections).toEqual([{ line: 2, reason: expect.stringContaining("github_id") }]);
    const member = await database.models.User.findOne({ where: { githubId: 6001 } });
    expect(member!.login).toBe("member-1");
    expect(store.readLegacyToken(member!)!.expiresAt).toEqual(new Date("2032-05-06T07:08:09Z"));
  });

  it("runs the query read-only and names the database without its password when it refuses", async () => {
    await expect(importer.importFromQuery({ url: legacy.url, query: "SELECT nothing FROM nowhere" })).rejects.toThrow(
      new RegExp(`cannot run the query on mysql://127\\.0\\.0\\.1:3306/${legacy.name}: .*nowhere`),
    );
    const denied = importer.importFromQuery({ url: `mysql://nobody:s3cret-password@127.0.0.1:3306/${legacy.name}`, query: "SELECT 1" });
    await expect(denied).rejects.toBeInstanceOf(LegacyQueryError);
    await expect(denied).rejects.not.toThrow(/s3cret/);
  });

  it("releases its connection when the reader stops early", async () => {
    const [[before]] = (await legacy.connection.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?`, [legacy.name])) as unknown as [[{ n: number }]];
    const rows = readLegacyQuery({ url: legacy.url, query: PLAN_QUERY_MYSQL }, { pageSize: 4 });
    let read = 0;
    for await (const _ of rows) if (++read === 5) break;
    // The server notices a closed socket a moment later.
    let after = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 50 && after > before.n; attempt += 1) {
      const [[row]] = (await legacy.connection.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?`, [legacy.name])) as unknown as [[{ n: number }]];
      after = row.n;
      if (after > before.n) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(after).toBe(before.n);
  });

  it("fails the import, instead of waiting forever, when the server cuts the connection mid-stream", async () => {
    await legacy.connection.query(`CREATE TABLE many (github_id BIGINT UNSIGNED, login VARCHAR(39), access_token VARCHAR(255))`);
    // Enough rows that most are still on the server (or in the socket) when the cut comes.
    await legacy.connection.query(`INSERT INTO many SELECT seq, CONCAT('many-', seq), CONCAT('gho_', LPAD(seq, 36, '0')) FROM seq_1_to_200000`);
    const rows = readLegacyQuery({ url: legacy.url, query: `SELECT github_id, login, access_token FROM many` }, { pageSize: 10 });
    const reading = (async () => {
      let read = 0;
      for await (const _ of rows) {
        if (++read === 10) {
          const [[reader]] = (await legacy.connection.query(`SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT github_id, login, access_token FROM many%'`)) as unknown as [[{ id: number }]];
          await legacy.connection.query(`KILL CONNECTION ${reader.id}`);
        }
      }
      return read;
    })();
    await expect(reading).rejects.toThrow(/reading the query's rows from mysql:\/\/127\.0\.0\.1:3306\/\w+ failed/);
  });

  describe("through the CLI", () => {
    /** Each run is a process of its own that compiles the CLI first. */
    const CLI_TEST_TIMEOUT_MS = 120_000;
    let app: Awaited<ReturnType<typeof createEmptyTestDatabase>>;
    beforeAll(async () => {
      app = await createEmptyTestDatabase();
    });
    afterAll(() => app?.drop());

    const cli = (...args: string[]) => runCli({ ...process.env, ...testEnv({ DATABASE_URL: app.url }), NODE_OPTIONS: "" }, ...args);

    it("imports with --from-database and --query, reports the refused row (exit 1) and prints no token", async () => {
      const imported = await cli("users", "import", "--from-database", legacy.url, "--query", PLAN_QUERY_MYSQL, "--json");
      expect(imported.code).toBe(1);
      expect(JSON.parse(imported.stdout)).toMatchObject({ read: 30, created: 29, rejected: 1, rejections: [{ line: 13 }] });
      const text = await cli("users", "import", "--from-database", legacy.url, "--query", PLAN_QUERY_MYSQL);
      expect(text.stdout).toContain("imported: 0 created, 29 updated, 1 rejected of 30 read");
      expect(text.stderr).toContain("(30/30)");
      expect(imported.stdout + imported.stderr + text.stdout + text.stderr).not.toMatch(/gh[or]_/);
    }, CLI_TEST_TIMEOUT_MS);

    it("refuses a query together with --table, and --table on MySQL, with exit code 2", async () => {
      const both = await cli("users", "import", "--from-database", legacy.url, "--query", "SELECT 1", "--table", "users");
      expect(both).toMatchObject({ code: 2, stdout: expect.stringContaining("give either --query or --table, not both") });
      const table = await cli("users", "import", "--from-database", legacy.url);
      expect(table).toMatchObject({ code: 2, stdout: expect.stringContaining("needs --query") });
      const wrong = await cli("users", "import", "--from-database", legacy.url, "--query", "SELECT id FROM users");
      expect(wrong).toMatchObject({ code: 2, stdout: expect.stringContaining(`returned "id"`) });
    }, CLI_TEST_TIMEOUT_MS);
  });
});
