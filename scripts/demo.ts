// `npm run demo`: the whole journey offline, with no GitHub account and no network. Starts the
// GitHub simulator, then the app on an embedded Postgres with credentials generated for this run,
// seeds a world big enough to watch a migration (several hundred legacy users over four
// organizations, a few App tokens about to expire), and prints the URLs, ids and commands to try.
// Each run starts clean.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { startAppServer } from "../src/app-server.js";
import { loadConfig } from "../src/config.js";
import { migrateToLatest } from "../src/db/migrator.js";
import { openDatabase } from "../src/db/open-database.js";
import { findFreePort } from "../src/free-port.js";
import { createLogger } from "../src/observability/logger.js";
import { DEMO_ORGANIZATIONS, seedDemoWorld } from "../simulator/demo-world.js";
import { startSimulator } from "../simulator/index.js";

const startedAt = Date.now();
const maintainer = "monalisa";
/** Users who already authorized the App once, with access tokens expiring within minutes: keep-alive renews them. */
const EXPIRING_SOON = 5;
/** Legacy tokens GitHub no longer knows: the first batch finds them dead. */
const DEAD_LEGACY_TOKENS = 3;

/** A port that is free on 127.0.0.1, or null. */
async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/**
 * The port to use: the variable's if set (and refused in one line when taken), else the default,
 * else any free one, saying so.
 */
async function choosePort(variable: string, fallback: number, notes: string[]): Promise<number> {
  const requested = process.env[variable];
  if (requested !== undefined && requested !== "") {
    const port = Number(requested);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) fail(`${variable}=${requested} is not a port number.`);
    if (!(await isFree(port))) fail(`Port ${port} (${variable}) is taken; set ${variable} to a free port, or leave it unset to pick one.`);
    return port;
  }
  if (await isFree(fallback)) return fallback;
  const port = await findFreePort();
  notes.push(`Port ${fallback} is taken, so this runs on ${port} (set ${variable} to choose).`);
  return port;
}

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(1);
}

const notes: string[] = [];
const appPort = await choosePort("DEMO_PORT", 3000, notes);
const simulatorPort = await choosePort("DEMO_SIMULATOR_PORT", 4010, notes);
const baseUrl = `http://127.0.0.1:${appPort}`;
const dataDir = path.resolve(process.env.DEMO_DATA_DIR ?? ".data/demo");
const shownDataDir = path.relative(process.cwd(), dataDir).startsWith("..") ? dataDir : path.relative(process.cwd(), dataDir);
// GitHub answers in tens of milliseconds; a little more here lets a batch be watched on the dashboard.
const githubLatencyMs = Number(process.env.DEMO_GITHUB_LATENCY_MS ?? 150);

// The simulator keeps its tokens in memory, so tokens stored by an earlier run would be dead: start
// clean. The demo runs its own embedded Postgres, never a DATABASE_URL that may hold real data; an
// empty database may be named explicitly with DEMO_DATABASE_URL.
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });

const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const app = { id: 4242, slug: "github-app-user-tokens-demo", clientId: `Iv23demo${randomBytes(6).toString("hex")}`, clientSecret: randomBytes(20).toString("hex") };
const legacy = { clientId: "legacy-demo-client", clientSecret: randomBytes(20).toString("hex") };
const webhookSecret = randomBytes(20).toString("hex");

const simulator = await startSimulator({
  port: simulatorPort,
  app: { ...app, publicKey: keys.publicKey, callbackUrl: `${baseUrl}/auth/callback` },
  legacyOAuthApp: legacy,
  webhook: { url: `${baseUrl}/api/github/webhooks`, secret: webhookSecret },
});
const world = seedDemoWorld(simulator);

const privateKeyPath = path.join(dataDir, "app-private-key.pem");
writeFileSync(privateKeyPath, keys.privateKey, { mode: 0o600 });
// Everything the app (and the CLI pointed at this demo) needs; secrets the config generates itself
// go to DATA_DIR/secrets.json, which the CLI reads too.
const env: Record<string, string> = {
  DATA_DIR: dataDir,
  ...(process.env.DEMO_DATABASE_URL ? { DATABASE_URL: process.env.DEMO_DATABASE_URL } : {}),
  APP_ID: String(app.id),
  PRIVATE_KEY_PATH: privateKeyPath,
  WEBHOOK_SECRET: webhookSecret,
  GITHUB_CLIENT_ID: app.clientId,
  GITHUB_CLIENT_SECRET: app.clientSecret,
  LEGACY_OAUTH_CLIENT_ID: legacy.clientId,
  LEGACY_OAUTH_CLIENT_SECRET: legacy.clientSecret,
  GHE_HOST: simulator.host,
  GHE_PROTOCOL: "http",
  HOST: "127.0.0.1",
  PORT: String(appPort),
  BASE_URL: baseUrl,
  ADMIN_GITHUB_LOGINS: maintainer,
  LOG_LEVEL: "warn",
};
const envFile = path.join(dataDir, "demo.env");
writeFileSync(envFile, `${Object.entries(env).map(([name, value]) => `${name}=${value}`).join("\n")}\n`, { mode: 0o600 });

const log = await createLogger({ level: (process.env.LOG_LEVEL as "warn" | undefined) ?? "warn", format: "pretty" });
const config = loadConfig({ env });
const database = await openDatabase(config, { onLog: () => {} });
await migrateToLatest(database.sequelize);
const running = await startAppServer({ config, sequelize: database.sequelize, log });
for (const job of running.jobs) job.start();

// The App's installations: GitHub tells the app through webhooks.
for (const installation of world.installations) {
  await simulator.sendWebhook("installation", "created", { installationId: installation.id });
}

// Legacy users, each with an OAuth token from the legacy OAuth App, as the old app stored them; a
// few of those tokens were revoked at GitHub since.
const legacyLines = world.users.map((user, index) =>
  JSON.stringify({
    github_id: user.id,
    login: user.login,
    access_token:
      index >= world.users.length - DEAD_LEGACY_TOKENS ? `gho_revoked${index}${"x".repeat(26)}` : simulator.issueTokens(user.login, "legacy").accessToken,
  }),
);
const imported = await running.services.legacyImporter.importJsonLines(legacyLines);

// A few developers authorized the App in an earlier session; their access tokens expire within
// minutes, so the keep-alive job renews them while you watch (dashboard: "Refreshes and fallbacks").
const expiring = world.users.filter((user) => user.login.startsWith("octo-org-dev-")).slice(0, EXPIRING_SOON);
const { models, tokenStore } = running.services;
for (const [index, user] of expiring.entries()) {
  const tokens = simulator.issueTokens(user.login, "app", { accessTokenLifetimeSeconds: 240 + index * 60 });
  await models.sequelize.transaction(async (transaction) => {
    const row = await models.User.findOne({ where: { githubId: user.id }, transaction, lock: transaction.LOCK.UPDATE });
    const pair = { accessToken: tokens.accessToken, accessTokenExpiresAt: tokens.expiresAt, refreshToken: tokens.refreshToken, refreshTokenExpiresAt: tokens.refreshTokenExpiresAt };
    await tokenStore.saveAppTokens(row!, pair, transaction);
  });
}
simulator.setLatency(githubLatencyMs);

const [octocat, hubot, mona] = world.namedUsers;
const organizations = DEMO_ORGANIZATIONS.map(
  (organization) => `${organization.login} (${organization.developers} developers, App ${organization.installed ? "installed" : "not installed"})`,
).join(", ");
const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
console.log(`
github-app-user-tokens demo is running (started in ${seconds} s). Nothing here talks to GitHub.
${notes.map((note) => `\n  ${note}`).join("")}
  The app                ${baseUrl}/          Connect GitHub, sign in as octocat or hubot
  Your page              ${baseUrl}/me
  Maintainer dashboard   ${baseUrl}/admin     sign in as ${maintainer}, then start a batch
  GitHub simulator       ${simulator.url}/    (stands in for github.com: its sign-in page appears on Connect)

  Legacy users imported: ${imported.created}, each with an OAuth token (${DEAD_LEGACY_TOKENS} of them revoked at GitHub since),
  over ${organizations}.
  ${EXPIRING_SOON} of them (${expiring.map((user) => user.login).join(", ")}) hold App tokens expiring within minutes.
  GitHub ids: octocat ${octocat!.id}, hubot ${hubot!.id}, monalisa ${mona!.id}; the others follow from ${world.users[3]!.id} (${world.users[3]!.login}).

  The token API, as the application's services call it (octocat):
    curl -H "Authorization: Bearer ${config.serviceApiToken}" ${baseUrl}/api/v1/users/${octocat!.id}/token
  The admin API:
    curl -H "Authorization: Bearer ${config.adminApiToken}" ${baseUrl}/api/v1/admin/migration
  The maintainer CLI on this demo's database:
    npm run cli -- migration status --env-file ${path.join(shownDataDir, "demo.env")}
    npm run cli -- migration batch --size 100 --env-file ${path.join(shownDataDir, "demo.env")}

Press Ctrl-C to stop.`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await Promise.all(running.jobs.map((job) => job.stop()));
      await running.stop();
      await running.services.migrationBatches.whenIdle();
      await database.close();
      await simulator.stop();
      process.exit(0);
    })();
  });
}
