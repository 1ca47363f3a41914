// Every environment variable the app reads, validated in one place and passed down from here.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import {
  BATCH_SIZE,
  dateOrTimeText,
  ROLLOUT_GUARD_MIN_RESOLUTIONS,
  ROLLOUT_GUARD_THRESHOLD_PERCENT,
  ROLLOUT_GUARD_WINDOW_MINUTES,
  ROLLOUT_PERCENT,
} from "./users/input-rules.js";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const LOG_FORMATS = ["json", "pretty"] as const;
type LogFormat = (typeof LOG_FORMATS)[number];

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface FlagDefaults {
  githubAppTokensEnabled: boolean;
  githubAppTokensRolloutPercent: number;
  githubAppTokensAllowList: string[];
  userMigrationBatchSize: number;
  oauthTokenDeprecationDate: Date | null;
  rolloutGuardEnabled: boolean;
  rolloutGuardThresholdPercent: number;
  rolloutGuardWindowMinutes: number;
  rolloutGuardMinResolutions: number;
}

export interface GitHubEndpoints {
  /** Where users are sent to authorize, and where OAuth tokens are exchanged. */
  webBaseUrl: string;
  /** The REST API root. */
  apiBaseUrl: string;
  /** True when talking to GitHub Enterprise Server (or the simulator, which mimics it). */
  enterprise: boolean;
}

export interface AppConfig {
  production: boolean;
  dataDir: string;
  appId: number | null;
  privateKey: string | null;
  webhookSecret: string;
  webhookProxyUrl: string | null;
  github: GitHubEndpoints;
  appClientId: string | null;
  /** The first of appClientSecrets (the one tried first). */
  appClientSecret: string | null;
  /** GITHUB_CLIENT_SECRET as an ordered list: the new secret first, the old one while GitHub still holds both. */
  appClientSecrets: string[];
  legacyClientId: string | null;
  /** The first of legacyClientSecrets. */
  legacyClientSecret: string | null;
  /** LEGACY_OAUTH_CLIENT_SECRET as an ordered list, like appClientSecrets. */
  legacyClientSecrets: string[];
  /** Bearer token GET /metrics requires; null leaves it open (Prometheus convention). */
  metricsToken: string | null;
  port: number;
  host: string;
  logLevel: LogLevel;
  baseUrl: string;
  databaseUrl: string | null;
  encryptionKeys: EncryptionKey[];
  sessionSecret: string;
  adminApiToken: string;
  serviceApiToken: string;
  adminGithubLogins: string[];
  notifyWebhookUrl: string | null;
  notifyWebhookSecret: string | null;
  flagDefaults: FlagDefaults;
  tokenRefreshMarginSeconds: number;
  keepAliveIntervalSeconds: number;
  reconcileIntervalSeconds: number;
  githubRequestTimeoutMs: number;
  /** Connections in this process's database pool. */
  databasePoolMax: number;
  /** How long a transaction waits for a row lock before giving up (Postgres lock_timeout). */
  databaseLockTimeoutMs: number;
  /** How long a refresh intent holds off other callers; always longer than GitHub's timeout. */
  refreshLeaseSeconds: number;
  /** How long a caller waits for another caller's refresh before answering "try again". */
  refreshWaitTimeoutMs: number;
  /** Pool connections refresh work may use at once; always fewer than the pool, so reads keep some. */
  refreshMaxConnections: number;
  /** Repositories listed per user's legacy token in the readiness check (GET /user/repos stops there). */
  readinessRepositoryCap: number;
  /** Users one instance checks at once during a readiness scan. */
  readinessScanConcurrency: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Secrets we can make up for a developer; in production each must be set explicitly. */
const GENERATED_SECRETS = [
  "WEBHOOK_SECRET",
  "TOKEN_ENCRYPTION_KEYS",
  "SESSION_SECRET",
  "ADMIN_API_TOKEN",
  "SERVICE_API_TOKEN",
] as const;
type GeneratedSecretName = (typeof GENERATED_SECRETS)[number];

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const booleanText = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
  .transform((value) => value === "true" || value === "1" || value === "yes");

const integerText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: "must be a whole number" })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));

const urlText = z.url({ error: "must be a URL such as https://example.com" });

const listText = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== ""),
  );

const secretText = (minLength: number) =>
  z.string().min(minLength, { error: `must be at least ${minLength} characters` });

const encryptionKeysText = z.string().transform((value, ctx): EncryptionKey[] => {
  const keys: EncryptionKey[] = [];
  for (const entry of value.split(",").map((item) => item.trim()).filter(Boolean)) {
    const separator = entry.indexOf(":");
    const id = separator > 0 ? entry.slice(0, separator) : "";
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      ctx.addIssue({ code: "custom", message: `each entry must be kid:base64key with a kid of letters, digits, _ or -` });
      return z.NEVER;
    }
    const key = Buffer.from(entry.slice(separator + 1), "base64");
    if (key.length !== 32) {
      ctx.addIssue({ code: "custom", message: `key "${id}" must decode from base64 to exactly 32 bytes (got ${key.length})` });
      return z.NEVER;
    }
    if (keys.some((existing) => existing.id === id)) {
      ctx.addIssue({ code: "custom", message: `key id "${id}" appears twice` });
      return z.NEVER;
    }
    keys.push({ id, key });
  }
  if (keys.length === 0) {
    ctx.addIssue({ code: "custom", message: "must name at least one key" });
    return z.NEVER;
  }
  return keys;
});

const envSchema = z.object({
  NODE_ENV: optionalText,
  DATA_DIR: optionalText,
  APP_ID: integerText(1, Number.MAX_SAFE_INTEGER).optional(),
  PRIVATE_KEY: optionalText,
  PRIVATE_KEY_PATH: optionalText,
  WEBHOOK_SECRET: secretText(8),
  WEBHOOK_PROXY_URL: urlText.optional(),
  GHE_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, { error: "must be a host name with an optional :port, without a scheme" })
    .optional(),
  GHE_PROTOCOL: z.enum(["http", "https"], { error: "must be http or https" }).default("https"),
  GITHUB_CLIENT_ID: optionalText,
  GITHUB_CLIENT_SECRET: listText.optional(),
  LEGACY_OAUTH_CLIENT_ID: optionalText,
  LEGACY_OAUTH_CLIENT_SECRET: listText.optional(),
  METRICS_TOKEN: secretText(16).optional(),
  PORT: integerText(0, 65535).default(3000),
  HOST: optionalText,
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  LOG_FORMAT: z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(", ")}` }).optional(),
  BASE_URL: urlText.optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: "must be a postgres:// or postgresql:// URL" })
    .optional(),
  TOKEN_ENCRYPTION_KEYS: encryptionKeysText,
  SESSION_SECRET: secretText(32),
  ADMIN_API_TOKEN: secretText(32),
  SERVICE_API_TOKEN: secretText(32),
  ADMIN_GITHUB_LOGINS: listText.default([]),
  NOTIFY_WEBHOOK_URL: urlText.optional(),
  NOTIFY_WEBHOOK_SECRET: secretText(16).optional(),
  GITHUB_APP_TOKENS_ENABLED: booleanText.default(true),
  GITHUB_APP_TOKENS_ROLLOUT_PERCENT: integerText(ROLLOUT_PERCENT.min, ROLLOUT_PERCENT.max).default(100),
  GITHUB_APP_TOKENS_ALLOW_LIST: listText.default([]),
  USER_MIGRATION_BATCH_SIZE: integerText(BATCH_SIZE.min, BATCH_SIZE.max).default(100),
  OAUTH_TOKEN_DEPRECATION_DATE: dateOrTimeText("must be a date such as 2027-06-30 (or an ISO 8601 time)").optional(),
  ROLLOUT_GUARD_ENABLED: booleanText.default(false),
  ROLLOUT_GUARD_THRESHOLD_PERCENT: integerText(ROLLOUT_GUARD_THRESHOLD_PERCENT.min, ROLLOUT_GUARD_THRESHOLD_PERCENT.max).default(5),
  ROLLOUT_GUARD_WINDOW_MINUTES: integerText(ROLLOUT_GUARD_WINDOW_MINUTES.min, ROLLOUT_GUARD_WINDOW_MINUTES.max).default(15),
  ROLLOUT_GUARD_MIN_RESOLUTIONS: integerText(ROLLOUT_GUARD_MIN_RESOLUTIONS.min, ROLLOUT_GUARD_MIN_RESOLUTIONS.max).default(20),
  TOKEN_REFRESH_MARGIN_SECONDS: integerText(0, 28800).default(300),
  KEEP_ALIVE_INTERVAL_SECONDS: integerText(5, 86400).default(60),
  RECONCILE_INTERVAL_SECONDS: integerText(60, 604800).default(3600),
  GITHUB_REQUEST_TIMEOUT_MS: integerText(100, 120000).default(10000),
  DATABASE_POOL_MAX: integerText(2, 1000).default(10),
  DATABASE_LOCK_TIMEOUT_MS: integerText(100, 60000).default(5000),
  REFRESH_LEASE_SECONDS: integerText(5, 3600).optional(),
  REFRESH_WAIT_TIMEOUT_MS: integerText(100, 600000).default(15000),
  REFRESH_MAX_CONNECTIONS: integerText(1, 999).optional(),
  READINESS_REPOSITORY_CAP: integerText(1, 100000).default(1000),
  READINESS_SCAN_CONCURRENCY: integerText(1, 32).default(4),
});

/** A lease must outlive GitHub's timeout by this much, so a refresher is never overtaken while it waits. */
const LEASE_SLACK_SECONDS = 5;

interface LogSettings {
  level: LogLevel;
  format: LogFormat;
}

/**
 * How to log, read before the rest of the configuration is validated, because loadConfig reports
 * through the logger. An invalid LOG_LEVEL or LOG_FORMAT falls back here and is then named by
 * loadConfig's error, instead of crashing the logger.
 */
export function logSettings(env: Record<string, string | undefined>, fallbackLevel: LogLevel = "info"): LogSettings {
  return {
    level: LOG_LEVELS.find((level) => level === env.LOG_LEVEL) ?? fallbackLevel,
    format: env.LOG_FORMAT === "json" || env.NODE_ENV === "production" ? "json" : "pretty",
  };
}

interface LoadConfigOptions {
  env: Record<string, string | undefined>;
  /** Where development secrets and the embedded database live; defaults to `.data` in the working directory. */
  cwd?: string;
  /** Told about every secret generated for development. */
  warn?: (message: string) => void;
}

/**
 * One warning per feature that is off for want of a setting, naming the setting: told at start-up,
 * not found by the first user who clicks. (Production requires the App's OAuth client outright.)
 */
export function featureWarnings(config: AppConfig): string[] {
  const warnings: string[] = [];
  if (config.appClientId === null) {
    warnings.push(
      "Sign-in is off: GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the GitHub App's OAuth client) are not set, so Connect GitHub, /me and " +
        "the /admin dashboard cannot sign anyone in. Copy the Client ID and a new client secret from the App's settings page on GitHub " +
        "into .env (Probot's \"use an existing App\" form does not write them).",
    );
  }
  if (config.legacyClientId === null) {
    warnings.push(
      "Legacy token checks are off: LEGACY_OAUTH_CLIENT_ID and LEGACY_OAUTH_CLIENT_SECRET (the OAuth App being retired) are not set, " +
        "so batches do not check legacy tokens at GitHub and migration cleanup refuses to run.",
    );
  }
  if (config.adminGithubLogins.length === 0) {
    warnings.push("Nobody can open the /admin dashboard: ADMIN_GITHUB_LOGINS is empty. Set it to the maintainers' GitHub logins, comma-separated.");
  }
  if (config.notifyWebhookUrl === null) {
    warnings.push("Notifications are recorded but not delivered: NOTIFY_WEBHOOK_URL is not set (consent links reach users only through the admin API).");
  }
  return warnings;
}

export function loadConfig({ env, cwd = process.cwd(), warn = () => {} }: LoadConfigOptions): AppConfig {
  const production = env.NODE_ENV === "production";
  const dataDir = path.resolve(cwd, env.DATA_DIR?.trim() || ".data");
  // Empty strings mean "unset": .env files and CI templates often leave variables blank.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const filled = production ? present : { ...developmentSecrets(dataDir, present, warn), ...present };

  const parsed = envSchema.safeParse(filled);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "environment");
        return issue.code === "invalid_type" && filled[name] === undefined
          ? `${name} is required${production ? " when NODE_ENV=production" : ""}`
          : `${name} ${issue.message}`;
      }),
    );
  }
  const vars = parsed.data;
  const problems: string[] = [];

  const privateKey = readPrivateKey(vars.PRIVATE_KEY, vars.PRIVATE_KEY_PATH, cwd, problems);
  if (production) {
    for (const name of ["APP_ID", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "BASE_URL"] as const) {
      if (vars[name] === undefined) problems.push(`${name} is required when NODE_ENV=production`);
    }
    if (privateKey === null) problems.push("PRIVATE_KEY or PRIVATE_KEY_PATH is required when NODE_ENV=production");
  }
  if (vars.NOTIFY_WEBHOOK_URL && !vars.NOTIFY_WEBHOOK_SECRET) {
    problems.push("NOTIFY_WEBHOOK_SECRET is required when NOTIFY_WEBHOOK_URL is set");
  }
  const appClientSecrets = vars.GITHUB_CLIENT_SECRET ?? [];
  const legacyClientSecrets = vars.LEGACY_OAUTH_CLIENT_SECRET ?? [];
  if (Boolean(vars.LEGACY_OAUTH_CLIENT_ID) !== legacyClientSecrets.length > 0) {
    problems.push("LEGACY_OAUTH_CLIENT_ID and LEGACY_OAUTH_CLIENT_SECRET must be set together");
  }
  if (Boolean(vars.GITHUB_CLIENT_ID) !== appClientSecrets.length > 0) {
    problems.push("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET must be set together");
  }
  const githubTimeoutSeconds = Math.ceil(vars.GITHUB_REQUEST_TIMEOUT_MS / 1000);
  const refreshLeaseSeconds = vars.REFRESH_LEASE_SECONDS ?? githubTimeoutSeconds + 20;
  if (refreshLeaseSeconds < githubTimeoutSeconds + LEASE_SLACK_SECONDS) {
    problems.push(
      `REFRESH_LEASE_SECONDS must be at least GITHUB_REQUEST_TIMEOUT_MS + ${LEASE_SLACK_SECONDS} s (${githubTimeoutSeconds + LEASE_SLACK_SECONDS}): a lease shorter than GitHub's timeout lets a second refresh start while the first may still rotate the pair`,
    );
  }
  const refreshMaxConnections = vars.REFRESH_MAX_CONNECTIONS ?? Math.max(1, Math.floor(vars.DATABASE_POOL_MAX / 2));
  if (refreshMaxConnections >= vars.DATABASE_POOL_MAX) {
    problems.push(`REFRESH_MAX_CONNECTIONS must be below DATABASE_POOL_MAX (${vars.DATABASE_POOL_MAX}), so refresh work can never take every connection`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const port = vars.PORT;
  const host = vars.HOST ?? "localhost";
  return {
    production,
    dataDir,
    appId: vars.APP_ID ?? null,
    privateKey,
    webhookSecret: vars.WEBHOOK_SECRET,
    webhookProxyUrl: vars.WEBHOOK_PROXY_URL ?? null,
    github: githubEndpoints(vars.GHE_HOST, vars.GHE_PROTOCOL),
    appClientId: vars.GITHUB_CLIENT_ID ?? null,
    appClientSecret: appClientSecrets[0] ?? null,
    appClientSecrets,
    legacyClientId: vars.LEGACY_OAUTH_CLIENT_ID ?? null,
    legacyClientSecret: legacyClientSecrets[0] ?? null,
    legacyClientSecrets,
    metricsToken: vars.METRICS_TOKEN ?? null,
    port,
    host,
    logLevel: vars.LOG_LEVEL,
    baseUrl: (vars.BASE_URL ?? `http://${host}:${port}`).replace(/\/+$/, ""),
    databaseUrl: vars.DATABASE_URL ?? null,
    encryptionKeys: vars.TOKEN_ENCRYPTION_KEYS,
    sessionSecret: vars.SESSION_SECRET,
    adminApiToken: vars.ADMIN_API_TOKEN,
    serviceApiToken: vars.SERVICE_API_TOKEN,
    adminGithubLogins: vars.ADMIN_GITHUB_LOGINS.map((login) => login.toLowerCase()),
    notifyWebhookUrl: vars.NOTIFY_WEBHOOK_URL ?? null,
    notifyWebhookSecret: vars.NOTIFY_WEBHOOK_SECRET ?? null,
    flagDefaults: {
      githubAppTokensEnabled: vars.GITHUB_APP_TOKENS_ENABLED,
      githubAppTokensRolloutPercent: vars.GITHUB_APP_TOKENS_ROLLOUT_PERCENT,
      githubAppTokensAllowList: vars.GITHUB_APP_TOKENS_ALLOW_LIST.map((login) => login.toLowerCase()),
      userMigrationBatchSize: vars.USER_MIGRATION_BATCH_SIZE,
      oauthTokenDeprecationDate: vars.OAUTH_TOKEN_DEPRECATION_DATE ? new Date(vars.OAUTH_TOKEN_DEPRECATION_DATE) : null,
      rolloutGuardEnabled: vars.ROLLOUT_GUARD_ENABLED,
      rolloutGuardThresholdPercent: vars.ROLLOUT_GUARD_THRESHOLD_PERCENT,
      rolloutGuardWindowMinutes: vars.ROLLOUT_GUARD_WINDOW_MINUTES,
      rolloutGuardMinResolutions: vars.ROLLOUT_GUARD_MIN_RESOLUTIONS,
    },
    tokenRefreshMarginSeconds: vars.TOKEN_REFRESH_MARGIN_SECONDS,
    keepAliveIntervalSeconds: vars.KEEP_ALIVE_INTERVAL_SECONDS,
    reconcileIntervalSeconds: vars.RECONCILE_INTERVAL_SECONDS,
    githubRequestTimeoutMs: vars.GITHUB_REQUEST_TIMEOUT_MS,
    databasePoolMax: vars.DATABASE_POOL_MAX,
    databaseLockTimeoutMs: vars.DATABASE_LOCK_TIMEOUT_MS,
    refreshLeaseSeconds,
    refreshWaitTimeoutMs: vars.REFRESH_WAIT_TIMEOUT_MS,
    refreshMaxConnections,
    readinessRepositoryCap: vars.READINESS_REPOSITORY_CAP,
    readinessScanConcurrency: vars.READINESS_SCAN_CONCURRENCY,
  };
}

export function githubEndpoints(gheHost: string | undefined, protocol: "http" | "https"): GitHubEndpoints {
  if (!gheHost) {
    return { webBaseUrl: "https://github.com", apiBaseUrl: "https://api.github.com", enterprise: false };
  }
  const root = `${protocol}://${gheHost}`;
  return { webBaseUrl: root, apiBaseUrl: `${root}/api/v3`, enterprise: true };
}

function readPrivateKey(
  inline: string | undefined,
  keyPath: string | undefined,
  cwd: string,
  problems: string[],
): string | null {
  if (inline) {
    // Hosting providers often cannot hold multi-line values: accept base64 and escaped newlines too.
    const text = inline.includes("-----BEGIN") ? inline : Buffer.from(inline, "base64").toString("utf8");
    const pem = text.replace(/\\n/g, "\n");
    if (!pem.includes("-----BEGIN")) {
      problems.push("PRIVATE_KEY must be a PEM private key (or its base64 encoding)");
      return null;
    }
    return pem;
  }
  if (keyPath) {
    const resolved = path.resolve(cwd, keyPath);
    if (!existsSync(resolved)) {
      problems.push(`PRIVATE_KEY_PATH points to ${resolved}, which does not exist`);
      return null;
    }
    return readFileSync(resolved, "utf8");
  }
  return null;
}

/**
 * Development only: secrets missing from the environment are generated once into
 * `<dataDir>/secrets.json` and reused on later starts, so sealed tokens stay readable.
 */
function developmentSecrets(
  dataDir: string,
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
): Partial<Record<GeneratedSecretName, string>> {
  const missing = GENERATED_SECRETS.filter((name) => env[name] === undefined);
  if (missing.length === 0) return {};
  const file = path.join(dataDir, "secrets.json");
  const stored: Partial<Record<GeneratedSecretName, string>> = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as Partial<Record<GeneratedSecretName, string>>)
    : {};
  let changed = false;
  for (const name of missing) {
    if (stored[name] === undefined) {
      stored[name] = generateSecret(name);
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  warn(`Using development secrets from ${file} for ${missing.join(", ")}; set them explicitly in production.`);
  return Object.fromEntries(missing.map((name) => [name, stored[name]]));
}

function generateSecret(name: GeneratedSecretName): string {
  if (name === "TOKEN_ENCRYPTION_KEYS") return `dev1:${randomBytes(32).toString("base64")}`;
  return randomBytes(32).toString("base64url");
}
