// `doctor`: every piece of set-up checked from outside, each with a verdict and the fix —
// configuration, the database and its migrations, both OAuth clients' credentials (which secret
// of a rotation list works), the App's identity at GitHub, the webhook secret, and the callback URL.
// Start-up runs the credential checks too and warns about what fails.
import type { Logger } from "pino";
import type { Sequelize } from "sequelize";
import type { AppConfig } from "../config.js";
import { createMigrator } from "../db/migrator.js";
import type { RedirectUriVerdict } from "../github/authorize-probe.js";
import type { OAuthClientCredentials, OAuthClients } from "../github/client-credentials.js";

/** info: nothing wrong, but something to know (an optional client not configured). */
export type CheckStatus = "ok" | "info" | "warn" | "fail";

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  verdict: string;
  /** What to do about it; absent when there is nothing to do. */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  config: AppConfig;
  /** Null when the database could not even be opened; `databaseError` then says why. */
  sequelize: Sequelize | null;
  databaseError?: string;
  oauthClients: OAuthClients;
  /** GET /app and GET /app/hook/config with the App's JWT (github/app-api.ts). */
  app: {
    appIdentity(): Promise<{ id: number; slug: string | null; clientId: string | null }>;
    webhookConfig(): Promise<{ url: string | null; signed: boolean }>;
  };
  /** GitHub's authorize page asked about our callback URL (github/authorize-probe.ts). */
  probeRedirectUri(redirectUri: string): Promise<RedirectUriVerdict>;
  webhookPath: string;
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [
    configurationCheck(options.config),
    ...(await databaseChecks(options)),
    await clientCheck("App OAuth client", options.oauthClients.app, options.config.production ? "fail" : "warn"),
    await clientCheck("legacy OAuth client", options.oauthClients.legacy, "warn"),
    ...(await appChecks(options)),
    await callbackCheck(options),
  ];
  return { ok: checks.every((check) => check.status !== "fail"), checks };
}

/**
 * At start-up: both clients' credentials asked about, a warning naming the variable for each that
 * fails. The app still starts (GitHub may be briefly unreachable), but batches, validation and
 * cleanup refuse to run until the credentials are good.
 */
export async function warnAboutClientCredentials(oauthClients: OAuthClients, log: Logger): Promise<DoctorCheck[]> {
  const checks = [await clientCheck("App OAuth client", oauthClients.app, "info"), await clientCheck("legacy OAuth client", oauthClients.legacy, "info")];
  for (const check of checks) {
    const line = { event: "startup.client_credentials", check: check.name, status: check.status };
    if (check.status === "ok" || check.status === "info") log.info(line, check.verdict);
    else log.warn(line, `${check.name}: ${check.verdict}. ${check.fix ?? ""}`.trim());
  }
  return checks;
}

function configurationCheck(config: AppConfig): DoctorCheck {
  const missing = [
    config.appId === null ? "APP_ID" : null,
    config.privateKey === null ? "PRIVATE_KEY (or PRIVATE_KEY_PATH)" : null,
    config.appClientId === null ? "GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET" : null,
  ].filter((name): name is string => name !== null);
  if (missing.length > 0) {
    return {
      name: "configuration",
      status: "fail",
      verdict: `loaded, but ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not set`,
      fix: "Run `npm start` once to register the App through Probot's setup flow, or copy the values from the App's settings page into .env.",
    };
  }
  const local = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(config.baseUrl);
  if (config.production && !config.baseUrl.startsWith("https://") && !local) {
    return { name: "configuration", status: "fail", verdict: `BASE_URL ${config.baseUrl} is not https in production`, fix: "Serve the app over https and set BASE_URL to its https:// address." };
  }
  return { name: "configuration", status: "ok", verdict: `every variable valid${config.production ? " (production)" : ""}; BASE_URL ${config.baseUrl}` };
}

async function databaseChecks({ sequelize, databaseError }: DoctorOptions): Promise<DoctorCheck[]> {
  const unreachable = (why: string): DoctorCheck[] => [
    { name: "database", status: "fail", verdict: `not reachable: ${why}`, fix: "Check DATABASE_URL (host, port, user, password, database name) and that PostgreSQL is running." },
    { name: "migrations", status: "fail", verdict: "not checked: no database", fix: "Fix the database first." },
  ];
  if (!sequelize) return unreachable(databaseError ?? "it could not be opened");
  try {
    await sequelize.query("SELECT 1");
  } catch (error) {
    return unreachable((error as Error).message);
  }
  const database: DoctorCheck = { name: "database", status: "ok", verdict: "reachable" };
  const [bookkeeping] = (await sequelize.query("SELECT to_regclass('schema_migrations') AS name"))[0] as Array<{ name: string | null }>;
  if (!bookkeeping?.name) {
    // Asking umzug would create its table: doctor only looks.
    return [database, { name: "migrations", status: "fail", verdict: "none applied: the database is empty", fix: "Run `npm run db:migrate` (or start the app once: it migrates before serving)." }];
  }
  const migrator = createMigrator(sequelize);
  let executed, pending;
  try {
    // One after the other: each makes umzug create its bookkeeping table if missing, and two at once race.
    executed = await migrator.executed();
    pending = await migrator.pending();
  } catch (error) {
    return [database, { name: "migrations", status: "fail", verdict: `could not be read: ${(error as Error).message}`, fix: "Check that DATABASE_URL's user may read (and create) the schema_migrations table." }];
  }
  if (pending.length > 0) {
    return [
      database,
      {
        name: "migrations",
        status: "fail",
        verdict: `${pending.length} not applied: ${pending.map((migration) => migration.name).join(", ")}`,
        fix: "Run `npm run db:migrate` (or start the app once: it migrates before serving).",
      },
    ];
  }
  return [database, { name: "migrations", status: "ok", verdict: `all ${executed.length} applied (latest ${executed.at(-1)?.name ?? "none"})` }];
}

async function clientCheck(name: string, client: OAuthClientCredentials | null, whenMissing: CheckStatus): Promise<DoctorCheck> {
  if (!client) {
    const legacy = name.startsWith("legacy");
    return {
      name,
      status: whenMissing,
      verdict: "not configured",
      fix: legacy
        ? "Set LEGACY_OAUTH_CLIENT_ID and LEGACY_OAUTH_CLIENT_SECRET to check legacy tokens during batches and revoke them at cleanup."
        : "Set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET from the App's settings page: users cannot sign in without them.",
    };
  }
  const { clientId, secrets, idVariable, secretVariable } = client.settings;
  let answers;
  try {
    answers = await client.verifyEachSecret();
  } catch (error) {
    return { name, status: "fail", verdict: `GitHub could not be asked: ${(error as Error).message}`, fix: "Check GHE_HOST / network access to GitHub and run doctor again." };
  }
  const accepted = answers.flatMap((answer, index) => (answer === "accepted" ? [index + 1] : []));
  const rejected = answers.flatMap((answer, index) => (answer === "rejected" ? [index + 1] : []));
  const which = (positions: number[]) => positions.map((position) => `secret ${position}`).join(", ");
  if (accepted.length === 0) {
    return {
      name,
      status: "fail",
      verdict: `GitHub rejects ${idVariable}=${clientId} with ${secrets.length > 1 ? `every secret in ${secretVariable}` : secretVariable} (incorrect_client_credentials)`,
      fix: `Copy the client id and a current client secret from the app's settings page on GitHub into ${idVariable} and ${secretVariable}.`,
    };
  }
  if (secrets.length === 1) return { name, status: "ok", verdict: `GitHub accepts ${idVariable}=${clientId} with ${secretVariable}` };
  const verdict = `${secretVariable} lists ${secrets.length} secrets: GitHub accepts ${which(accepted)}${rejected.length > 0 ? `, rejects ${which(rejected)}` : ""}`;
  if (accepted[0] !== 1) {
    return { name, status: "warn", verdict, fix: `The first secret (the one used first) is rejected: put the working secret first in ${secretVariable}, or fix the first.` };
  }
  if (rejected.length > 0) return { name, status: "warn", verdict, fix: `Remove ${which(rejected)} from ${secretVariable}: GitHub no longer holds it.` };
  return { name, status: "ok", verdict, fix: `Once every instance runs with secret 1, delete the older secret at GitHub and from ${secretVariable}.` };
}

async function appChecks({ config, app, webhookPath }: DoctorOptions): Promise<DoctorCheck[]> {
  const webhookUrl = `${config.baseUrl}${webhookPath}`;
  if (config.appId === null || config.privateKey === null) {
    const skipped = { status: "fail" as const, verdict: "not checked: APP_ID or PRIVATE_KEY is missing", fix: "Set APP_ID and PRIVATE_KEY first." };
    return [{ name: "App identity", ...skipped }, { name: "webhook", ...skipped }];
  }
  let identity;
  try {
    identity = await app.appIdentity();
  } catch (error) {
    return [
      { name: "App identity", status: "fail", verdict: `GET /app with the App's JWT failed: ${(error as Error).message}`, fix: "Check APP_ID and PRIVATE_KEY against the App's settings page (generate a new private key if in doubt)." },
      { name: "webhook", status: "fail", verdict: "not checked: the App's JWT is not accepted", fix: "Fix the App identity first." },
    ];
  }
  const checks: DoctorCheck[] = [];
  if (identity.id !== config.appId) {
    checks.push({ name: "App identity", status: "fail", verdict: `GitHub says this key belongs to App ${identity.id}, APP_ID is ${config.appId}`, fix: "Set APP_ID to the App the private key belongs to." });
  } else if (config.appClientId !== null && identity.clientId !== null && identity.clientId !== config.appClientId) {
    checks.push({ name: "App identity", status: "fail", verdict: `App ${identity.slug ?? identity.id} has client id ${identity.clientId}, GITHUB_CLIENT_ID is ${config.appClientId}`, fix: "Set GITHUB_CLIENT_ID (and its secret) from this App's settings page." });
  } else {
    checks.push({ name: "App identity", status: "ok", verdict: `GET /app answers App ${identity.slug ?? "?"} (id ${identity.id})${identity.clientId ? `, client id ${identity.clientId}` : ""}` });
  }
  checks.push(await webhookCheck(app, webhookUrl, config));
  return checks;
}

async function webhookCheck(app: DoctorOptions["app"], webhookUrl: string, config: AppConfig): Promise<DoctorCheck> {
  let hook;
  try {
    hook = await app.webhookConfig();
  } catch (error) {
    return { name: "webhook", status: "warn", verdict: `GitHub's webhook configuration could not be read: ${(error as Error).message}`, fix: "Check the App's webhook settings by hand: URL and secret." };
  }
  if (!hook.signed) {
    return { name: "webhook", status: "fail", verdict: "GitHub signs no deliveries: the App has no webhook secret", fix: "Set a webhook secret in the App's settings and the same value in WEBHOOK_SECRET." };
  }
  const weak = config.webhookSecret.length < 16;
  const elsewhere = hook.url !== null && hook.url !== webhookUrl && config.webhookProxyUrl === null;
  if (weak || elsewhere) {
    return {
      name: "webhook",
      status: "warn",
      verdict: [weak ? "WEBHOOK_SECRET is shorter than 16 characters" : null, elsewhere ? `GitHub delivers to ${hook.url}, not ${webhookUrl}` : null].filter(Boolean).join("; "),
      fix: [weak ? "Use a long random WEBHOOK_SECRET (and the same at GitHub)" : null, elsewhere ? `set the App's webhook URL to ${webhookUrl} (or BASE_URL to match it)` : null].filter(Boolean).join("; ") + ".",
    };
  }
  // GitHub never shows the secret itself: a delivery failing with 400 is what tells a mismatch.
  return { name: "webhook", status: "ok", verdict: `GitHub signs deliveries to ${hook.url ?? webhookUrl}; WEBHOOK_SECRET is set (GitHub never shows its own copy: a mismatch shows as 400 answers under the App's Advanced tab)` };
}

async function callbackCheck({ config, probeRedirectUri }: DoctorOptions): Promise<DoctorCheck> {
  const callback = `${config.baseUrl}/auth/callback`;
  if (config.appClientId === null) {
    return { name: "callback URL", status: "fail", verdict: `not checked: GITHUB_CLIENT_ID is missing (the callback would be ${callback})`, fix: "Set GITHUB_CLIENT_ID first." };
  }
  let verdict: RedirectUriVerdict;
  try {
    verdict = await probeRedirectUri(callback);
  } catch (error) {
    return { name: "callback URL", status: "warn", verdict: `GitHub's authorize page could not be asked: ${(error as Error).message}`, fix: `Make sure the App's callback URL is exactly ${callback}.` };
  }
  if (verdict === "mismatch") {
    return { name: "callback URL", status: "fail", verdict: `GitHub refuses ${callback} (redirect_uri_mismatch)`, fix: `Add ${callback} to the App's callback URLs, or set BASE_URL to the address registered there.` };
  }
  if (verdict === "unknown_client") {
    return { name: "callback URL", status: "fail", verdict: `GitHub knows no OAuth client ${config.appClientId}`, fix: "Check GITHUB_CLIENT_ID." };
  }
  return { name: "callback URL", status: "ok", verdict: `BASE_URL + /auth/callback = ${callback}; GitHub did not refuse it` };
}
