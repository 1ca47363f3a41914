// `npm run bench:import`: `users import --from-database --query` from a PostgreSQL and a MariaDB
// table of 100,000 users each, run as a maintainer runs it (the real CLI, a process of its own), with
// that process's peak RSS measured. Memory is bounded twice: under an absolute ceiling, and within a
// fixed allowance of the same import of 10,000 rows measured in this run (the stream keeps memory flat,
// so ten times the rows may not cost ten times the memory). Not a timed test: the rate is reported
// only. Postgres: DATABASE_URL (the machine's by default); MariaDB: TEST_MARIADB_URL (root at
// 127.0.0.1:3306 by default). Prints a table; a MISS is reported and sets exit code 1.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import pg from "pg";
import { mariaDbServerUrl } from "../test/support/mariadb.js";
import { testEnv } from "../test/support/config.js";

const ROWS = 100_000;
const BASELINE_ROWS = 10_000;
const RSS_CEILING_MB = 300;
/** What ten times the rows may add to the baseline's peak: chunks, pages and bookkeeping, not rows. */
const RSS_GROWTH_ALLOWANCE_MB = 40;
/**
 * Without a ceiling V8 grows its heap lazily, so peak RSS follows the rate of allocation rather than
 * what is kept (a first run measured +71 MB from PostgreSQL and +107 MB from MariaDB between 10,000
 * and 100,000 rows). Under this ceiling an import whose live memory grew with the rows would die of
 * it: finishing 100,000 rows under it is the proof of flat memory, and the RSS bounds hold the rest.
 */
const HEAP_CEILING_MB = 128;
const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);
const mb = (bytes: number) => bytes / 1024 / 1024;

const postgresUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const workDir = mkdtempSync(path.join(tmpdir(), "gaut-bench-import-"));
const suffix = randomBytes(4).toString("hex");
const cleanups: Array<() => Promise<unknown>> = [];

const withDatabase = (url: string, name: string) => Object.assign(new URL(url), { pathname: `/${name}` }).toString();

async function postgresDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });
  return withDatabase(postgresUrl, name);
}

/** The plan's shape: a JSONB provider_info holding each user's gho_ token. */
async function postgresLegacyTable(): Promise<{ url: string; query: (rows: number) => string }> {
  const url = await postgresDatabase(`gaut_bench_legacy_${suffix}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE TABLE users (id BIGSERIAL PRIMARY KEY, github_id BIGINT NOT NULL, login TEXT NOT NULL, provider_info JSONB NOT NULL)`);
  await client.query(
    `INSERT INTO users (github_id, login, provider_info)
     SELECT n, 'bench-user-' || n, jsonb_build_object('access_token', 'gho_' || lpad(n::text, 36, '0'), 'scope', 'repo')
       FROM generate_series(1, ${ROWS}) AS n`,
  );
  await client.end();
  return {
    url,
    query: (rows) => `SELECT github_id, login, provider_info->>'access_token' AS access_token FROM users WHERE github_id <= ${rows}`,
  };
}

async function mariaDbLegacyTable(): Promise<{ url: string; query: (rows: number) => string }> {
  const name = `gaut_bench_legacy_${suffix}`;
  const server = mariaDbServerUrl();
  const admin = await mysql.createConnection({ uri: server });
  await admin.query(`CREATE DATABASE ${name}`);
  cleanups.push(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  });
  await admin.query(`USE ${name}`);
  await admin.query(`CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, github_id BIGINT UNSIGNED NOT NULL, login VARCHAR(39) NOT NULL, provider_info JSON NOT NULL)`);
  // seq_1_to_N is MariaDB's Sequence engine: the rows are made on the server.
  await admin.query(
    `INSERT INTO users (github_id, login, provider_info)
     SELECT seq, CONCAT('bench-user-', seq), JSON_OBJECT('access_token', CONCAT('gho_', LPAD(seq, 36, '0')), 'scope', 'repo')
       FROM seq_1_to_${ROWS}`,
  );
  return {
    url: withDatabase(server, name),
    query: (rows) => `SELECT github_id, login, JSON_UNQUOTE(JSON_EXTRACT(provider_info, '$.access_token')) AS access_token FROM users WHERE github_id <= ${rows}`,
  };
}

interface ImportRun {
  rows: number;
  peakRssMb: number;
  seconds: number;
  report: { read: number; created: number; rejected: number };
}

/** The real CLI into a fresh app database, with `--json`; its peak RSS from bench/report-peak-rss.mjs. */
async function importThroughCli(source: { url: string; query: (rows: number) => string }, rows: number, label: string): Promise<ImportRun> {
  const appUrl = await postgresDatabase(`gaut_bench_app_${label}_${rows}_${suffix}`);
  const peakFile = path.join(workDir, `${label}-${rows}.rss`);
  const env = { ...process.env, ...testEnv({ DATABASE_URL: appUrl, DATA_DIR: workDir, LOG_LEVEL: "warn" }), NODE_OPTIONS: "", PEAK_RSS_FILE: peakFile };
  const started = performance.now();
  const { stdout } = await run(
    process.execPath,
    ["--import", "./bench/report-peak-rss.mjs", `--max-old-space-size=${HEAP_CEILING_MB}`, "bin/github-app-user-tokens.js", "users", "import", "--from-database", source.url, "--query", source.query(rows), "--json"],
    { cwd: REPOSITORY, env, maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = (performance.now() - started) / 1000;
  return { rows, seconds, peakRssMb: mb(Number(readFileSync(peakFile, "utf8"))), report: JSON.parse(stdout) as ImportRun["report"] };
}

const table: Array<Record<string, string>> = [];
let missed = false;
try {
  for (const [label, legacy] of [
    ["postgres", await postgresLegacyTable()],
    ["mariadb", await mariaDbLegacyTable()],
  ] as const) {
    const baseline = await importThroughCli(legacy, BASELINE_ROWS, label);
    const full = await importThroughCli(legacy, ROWS, label);
    const complete = full.report.created === ROWS && full.report.rejected === 0 && baseline.report.created === BASELINE_ROWS;
    const growth = full.peakRssMb - baseline.peakRssMb;
    const pass = complete && full.peakRssMb < RSS_CEILING_MB && growth < RSS_GROWTH_ALLOWANCE_MB;
    missed ||= !pass;
    table.push({
      benchmark: `import ${ROWS.toLocaleString("en")} rows from ${label} (--query)`,
      "peak RSS": `${full.peakRssMb.toFixed(0)} MB (${BASELINE_ROWS.toLocaleString("en")} rows: ${baseline.peakRssMb.toFixed(0)} MB, +${growth.toFixed(0)} MB)`,
      target: `< ${RSS_CEILING_MB} MB, growth < ${RSS_GROWTH_ALLOWANCE_MB} MB`,
      rate: `${(ROWS / full.seconds).toFixed(0)} rows/s (${full.seconds.toFixed(0)} s, diagnostic)`,
      imported: `${full.report.created} created, ${full.report.rejected} rejected`,
      pass: pass ? "PASS" : "MISS",
    });
  }
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(`cleanup: ${String(error)}`));
  rmSync(workDir, { recursive: true, force: true });
}
console.table(table);
process.exitCode = missed ? 1 : 0;
