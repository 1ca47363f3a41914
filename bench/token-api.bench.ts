// `npm run bench`: token API throughput for a user with a fresh App token, against a raw `pg`
// primary-key SELECT of the same row in the same run. Loopback only, bounded in time and count.
// Uses DATABASE_URL when set, otherwise an embedded Postgres in a temporary folder.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { startAppServer } from "../src/app-server.js";
import { loadConfig } from "../src/config.js";
import { connectDatabase } from "../src/db/connection.js";
import { startEmbeddedPostgres } from "../src/db/embedded-postgres.js";
import { migrateToLatest } from "../src/db/migrator.js";
import { findFreePort } from "../src/free-port.js";
import { createLogger } from "../src/observability/logger.js";

const CONCURRENCY = 8;
const DURATION_MS = 3_000;
const MAX_OPERATIONS = 50_000;
const TARGET_RATIO = 0.5;

/** Runs `operation` from CONCURRENCY workers until the time or the count runs out; operations per second. */
async function throughput(operation: () => Promise<void>): Promise<{ perSecond: number; count: number }> {
  let count = 0;
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline && count < MAX_OPERATIONS) {
        await operation();
        count += 1;
      }
    }),
  );
  return { perSecond: count / ((performance.now() - started) / 1000), count };
}

const workDir = mkdtempSync(path.join(tmpdir(), "gaut-bench-"));
const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres({ directory: workDir, persistent: false });
const adminUrl = process.env.DATABASE_URL ?? embedded!.adminUrl;
const databaseName = `gaut_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${databaseName}`);
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();

const port = await findFreePort();
const serviceApiToken = randomBytes(24).toString("hex");
const config = loadConfig({
  env: {
    NODE_ENV: "test",
    DATA_DIR: workDir,
    APP_ID: "1",
    PRIVATE_KEY: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    GITHUB_CLIENT_ID: "Iv23bench",
    GITHUB_CLIENT_SECRET: "bench-secret",
    WEBHOOK_SECRET: randomBytes(16).toString("hex"),
    TOKEN_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString("base64")}`,
    SESSION_SECRET: randomBytes(32).toString("hex"),
    ADMIN_API_TOKEN: randomBytes(24).toString("hex"),
    SERVICE_API_TOKEN: serviceApiToken,
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "silent",
  },
});
const sequelize = connectDatabase({ url: databaseUrl, maxConnections: CONCURRENCY * 2 });
await migrateToLatest(sequelize);
const app = await startAppServer({ config, sequelize, log: await createLogger({ level: "silent" }) });
const raw = new pg.Pool({ connectionString: databaseUrl, max: CONCURRENCY });

try {
  const { models, tokenStore } = app.services;
  const user = await models.User.create({ githubId: 424242, login: "bench-user", tokenMigrationStatus: "migrated" });
  await sequelize.transaction((transaction) =>
    tokenStore.saveAppTokens(
      user,
      {
        accessToken: `ghu_${randomBytes(18).toString("hex")}`,
        accessTokenExpiresAt: new Date(Date.now() + 8 * 3600_000),
        refreshToken: `ghr_${randomBytes(36).toString("hex")}`,
        refreshTokenExpiresAt: new Date(Date.now() + 180 * 86_400_000),
      },
      transaction,
    ),
  );
  const url = `${app.url}/api/v1/users/424242/token`;
  const headers = { authorization: `Bearer ${serviceApiToken}` };
  const callApi = async () => {
    const response = await fetch(url, { headers });
    if (response.status !== 200) throw new Error(`token API answered ${response.status}`);
    await response.arrayBuffer();
  };
  const selectRow = async () => {
    await raw.query("SELECT * FROM users WHERE id = $1", [user.id]);
  };

  // Warm both paths (connections, JIT) before measuring.
  for (let i = 0; i < 200; i++) await Promise.all([callApi(), selectRow()]);
  const api = await throughput(callApi);
  const select = await throughput(selectRow);
  // Where the time goes: the HTTP stack alone (no database), and resolution without HTTP.
  const health = await throughput(async () => void (await (await fetch(`${app.url}/healthz`)).arrayBuffer()));
  const resolve = await throughput(async () => void (await app.services.tokenResolver.resolveUserToken(424242)));
  const ratio = api.perSecond / select.perSecond;
  console.log(`token API (fresh token):    ${api.perSecond.toFixed(0)} req/s (${api.count} calls)`);
  console.log(`raw pg primary-key SELECT:  ${select.perSecond.toFixed(0)} q/s (${select.count} queries)`);
  console.log(`GET /healthz (no database): ${health.perSecond.toFixed(0)} req/s`);
  console.log(`resolution in-process:      ${resolve.perSecond.toFixed(0)} /s`);
  console.log(`ratio: ${ratio.toFixed(2)} (target >= ${TARGET_RATIO}) ${ratio >= TARGET_RATIO ? "OK" : "BELOW TARGET"}`);
  console.log(`concurrency ${CONCURRENCY}, ${DURATION_MS} ms per side, loopback`);
  process.exitCode = ratio >= TARGET_RATIO ? 0 : 1;
} finally {
  await raw.end();
  await app.stop();
  await sequelize.close();
  await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
  await embedded?.stop();
  rmSync(workDir, { recursive: true, force: true });
}
