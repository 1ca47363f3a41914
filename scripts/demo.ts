// `npm run demo`: the whole journey offline, with no GitHub account and no network. Starts the
// GitHub simulator, then the app on an embedded Postgres with credentials generated for this run,
// seeds legacy users holding OAuth tokens, and prints the URLs to open. Each run starts clean.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { startAppServer } from "../src/app-server.js";
import { loadConfig } from "../src/config.js";
import { migrateToLatest } from "../src/db/migrator.js";
import { openDatabase } from "../src/db/open-database.js";
import { createLogger } from "../src/observability/logger.js";
import { DEMO_LOGINS, seedDemoWorld } from "../simulator/demo-world.js";
import { startSimulator } from "../simulator/index.js";

const startedAt = Date.now();
const appPort = Number(process.env.DEMO_PORT ?? 3000);
const simulatorPort = Number(process.env.DEMO_SIMULATOR_PORT ?? 4010);
const baseUrl = `http://127.0.0.1:${appPort}`;
const dataDir = path.resolve(process.env.DEMO_DATA_DIR ?? ".data/demo");
const maintainer = "monalisa";

// The simulator keeps its tokens in memory, so tokens stored by an earlier run would be dead: start
// clean. The demo runs its own embedded Postgres, never a DATABASE_URL that may hold real data; an
// empty database may be named explicitly with DEMO_DATABASE_URL.
rmSync(dataDir, { recursive: true, force: true });

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

const log = await createLogger({ level: (process.env.LOG_LEVEL as "warn" | undefined) ?? "warn", format: "pretty" });
const config = loadConfig({
  env: {
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.DEMO_DATABASE_URL,
    APP_ID: String(app.id),
    PRIVATE_KEY: keys.privateKey,
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
  },
});
const database = await openDatabase(config, { onLog: () => {} });
await migrateToLatest(database.sequelize);
const running = await startAppServer({ config, sequelize: database.sequelize, log });
for (const job of running.jobs) job.start();

// The App is installed on octo-org: GitHub tells the app through a webhook.
await simulator.sendWebhook("installation", "created", { installationId: world.organizationInstallation.id });

// Legacy users, each with a live OAuth token from the legacy OAuth App, as the old app stored them.
const legacyUsers = world.users.map((user) =>
  JSON.stringify({ github_id: user.id, login: user.login, access_token: simulator.issueTokens(user.login, "legacy").accessToken }),
);
const imported = await running.services.legacyImporter.importJsonLines(legacyUsers);

const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
console.log(`
github-app-user-tokens demo is running (started in ${seconds} s). Nothing here talks to GitHub.

  The app                ${baseUrl}/               Connect GitHub, sign in as octocat or hubot
  Your page              ${baseUrl}/me
  Maintainer dashboard   ${baseUrl}/admin          sign in as ${maintainer}
  GitHub simulator       ${simulator.url}/   (stands in for github.com: its sign-in page appears on Connect)

  Legacy users imported: ${imported.created} (${DEMO_LOGINS.join(", ")}), each with an OAuth token.

  The token API, as the application's services call it:
    curl -H "Authorization: Bearer ${config.serviceApiToken}" ${baseUrl}/api/v1/users/<github_id>/token
  The admin API:
    curl -H "Authorization: Bearer ${config.adminApiToken}" ${baseUrl}/api/v1/admin/migration

Press Ctrl-C to stop.`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await Promise.all(running.jobs.map((job) => job.stop()));
      await running.stop();
      await database.close();
      await simulator.stop();
      process.exit(0);
    })();
  });
}
