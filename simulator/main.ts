// `npm run simulator`: starts the GitHub simulator on its own for the demo and for manual runs,
// seeded with a few users and an installation. The App's credentials come from the environment or
// are generated once into SIMULATOR_DATA_DIR, and the lines to point the app at it are printed.
import { createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { seedDemoWorld } from "./demo-world.js";
import { startSimulator } from "./index.js";

const env = z
  .object({
    SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    SIMULATOR_DATA_DIR: z.string().default(".data/simulator"),
    SIMULATOR_APP_ID: z.coerce.number().int().positive().optional(),
    SIMULATOR_APP_SLUG: z.string().default("github-app-user-tokens-dev"),
    SIMULATOR_PRIVATE_KEY_PATH: z.string().optional(),
    SIMULATOR_CLIENT_ID: z.string().optional(),
    SIMULATOR_CLIENT_SECRET: z.string().optional(),
    SIMULATOR_CALLBACK_URL: z.string().url().default("http://localhost:3000/auth/callback"),
    SIMULATOR_WEBHOOK_URL: z.string().url().default("http://localhost:3000/api/github/webhooks"),
    SIMULATOR_WEBHOOK_SECRET: z.string().optional(),
    SIMULATOR_LEGACY_CLIENT_ID: z.string().default("legacy-oauth-client"),
    SIMULATOR_LEGACY_CLIENT_SECRET: z.string().default("legacy-oauth-secret"),
  })
  .parse(process.env);

interface StoredCredentials {
  appId: number;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
}

/** Credentials made up on the first run and kept, so the app's .env stays valid across restarts. */
function loadOrCreateCredentials(directory: string): StoredCredentials & { privateKeyPath: string } {
  mkdirSync(directory, { recursive: true });
  const credentialsPath = path.join(directory, "app.json");
  const privateKeyPath = env.SIMULATOR_PRIVATE_KEY_PATH ?? path.join(directory, "app-private-key.pem");
  if (!existsSync(privateKeyPath)) {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    writeFileSync(privateKeyPath, privateKey, { mode: 0o600 });
  }
  const stored: Partial<StoredCredentials> = existsSync(credentialsPath) ? (JSON.parse(readFileSync(credentialsPath, "utf8")) as StoredCredentials) : {};
  const credentials: StoredCredentials = {
    appId: env.SIMULATOR_APP_ID ?? stored.appId ?? 4242,
    clientId: env.SIMULATOR_CLIENT_ID ?? stored.clientId ?? `Iv23sim${randomBytes(6).toString("hex")}`,
    clientSecret: env.SIMULATOR_CLIENT_SECRET ?? stored.clientSecret ?? randomBytes(20).toString("hex"),
    webhookSecret: env.SIMULATOR_WEBHOOK_SECRET ?? stored.webhookSecret ?? randomBytes(20).toString("hex"),
  };
  writeFileSync(credentialsPath, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return { ...credentials, privateKeyPath };
}

const credentials = loadOrCreateCredentials(env.SIMULATOR_DATA_DIR);
const simulator = await startSimulator({
  port: env.SIMULATOR_PORT,
  app: {
    id: credentials.appId,
    slug: env.SIMULATOR_APP_SLUG,
    publicKey: createPublicKey(readFileSync(credentials.privateKeyPath, "utf8")).export({ type: "spki", format: "pem" }).toString(),
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    callbackUrl: env.SIMULATOR_CALLBACK_URL,
  },
  legacyOAuthApp: { clientId: env.SIMULATOR_LEGACY_CLIENT_ID, clientSecret: env.SIMULATOR_LEGACY_CLIENT_SECRET },
  webhook: { url: env.SIMULATOR_WEBHOOK_URL, secret: credentials.webhookSecret },
});

seedDemoWorld(simulator);

console.log(`GitHub simulator listening on ${simulator.url}
Point the app at it with:
  GHE_HOST=${simulator.host}
  GHE_PROTOCOL=http
  APP_ID=${credentials.appId}
  PRIVATE_KEY_PATH=${path.resolve(credentials.privateKeyPath)}
  GITHUB_CLIENT_ID=${credentials.clientId}
  GITHUB_CLIENT_SECRET=${credentials.clientSecret}
  WEBHOOK_SECRET=${credentials.webhookSecret}
  LEGACY_OAUTH_CLIENT_ID=${env.SIMULATOR_LEGACY_CLIENT_ID}
  LEGACY_OAUTH_CLIENT_SECRET=${env.SIMULATOR_LEGACY_CLIENT_SECRET}
Webhooks go to ${env.SIMULATOR_WEBHOOK_URL}; seeded users: octocat, hubot, monalisa.`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void simulator.stop().then(() => process.exit(0)));
}
