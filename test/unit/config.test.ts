import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { ConfigError, featureWarnings, loadConfig } from "../../src/config.js";
import { testEnv } from "../support/config.js";

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("loadConfig", () => {
  it("accepts a complete environment and derives GitHub.com endpoints", () => {
    const config = loadConfig({ env: testEnv() });
    expect(config.appId).toBe(12345);
    expect(config.github).toEqual({ webBaseUrl: "https://github.com", apiBaseUrl: "https://api.github.com", enterprise: false });
    expect(config.encryptionKeys[0]?.id).toBe("test1");
    expect(config.flagDefaults).toEqual({
      githubAppTokensEnabled: true,
      githubAppTokensRolloutPercent: 100,
      githubAppTokensAllowList: [],
      userMigrationBatchSize: 100,
      oauthTokenDeprecationDate: null,
      rolloutGuardEnabled: false,
      rolloutGuardThresholdPercent: 5,
      rolloutGuardWindowMinutes: 15,
      rolloutGuardMinResolutions: 20,
    });
  });

  it("derives GitHub Enterprise Server endpoints from GHE_HOST and GHE_PROTOCOL", () => {
    const config = loadConfig({ env: testEnv({ GHE_HOST: "127.0.0.1:8080", GHE_PROTOCOL: "http" }) });
    expect(config.github).toEqual({
      webBaseUrl: "http://127.0.0.1:8080",
      apiBaseUrl: "http://127.0.0.1:8080/api/v3",
      enterprise: true,
    });
  });

  it("names every malformed variable with what is wrong", () => {
    const problems = problemsOf(
      testEnv({
        PORT: "eighty",
        GITHUB_APP_TOKENS_ROLLOUT_PERCENT: "150",
        GITHUB_APP_TOKENS_ENABLED: "maybe",
        TOKEN_ENCRYPTION_KEYS: "k1:c2hvcnQ=",
        BASE_URL: "not a url",
        GHE_HOST: "https://ghe.example.com",
        OAUTH_TOKEN_DEPRECATION_DATE: "soon",
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "PORT must be a whole number",
        "GITHUB_APP_TOKENS_ROLLOUT_PERCENT must be at most 100",
        "GITHUB_APP_TOKENS_ENABLED must be true or false",
        'TOKEN_ENCRYPTION_KEYS key "k1" must decode from base64 to exactly 32 bytes (got 5)',
        expect.stringMatching(/^BASE_URL must be a URL/),
        expect.stringMatching(/^GHE_HOST must be a host name/),
        "OAUTH_TOKEN_DEPRECATION_DATE must be a date such as 2027-06-30 (or an ISO 8601 time)",
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it("sizes the pool and refresh leases from the environment, with defaults that keep reads a share of the pool", () => {
    const defaults = loadConfig({ env: testEnv() });
    expect(defaults).toMatchObject({ databasePoolMax: 10, databaseLockTimeoutMs: 5000, refreshLeaseSeconds: 30, refreshWaitTimeoutMs: 15000, refreshMaxConnections: 5 });
    const tuned = loadConfig({
      env: testEnv({ DATABASE_POOL_MAX: "40", DATABASE_LOCK_TIMEOUT_MS: "2000", GITHUB_REQUEST_TIMEOUT_MS: "30000", REFRESH_WAIT_TIMEOUT_MS: "5000" }),
    });
    // The lease follows GitHub's timeout unless set: it must outlive the slowest answer.
    expect(tuned).toMatchObject({ databasePoolMax: 40, databaseLockTimeoutMs: 2000, refreshLeaseSeconds: 50, refreshWaitTimeoutMs: 5000, refreshMaxConnections: 20 });
  });

  it("refuses a lease shorter than GitHub's timeout and refresh work that could take every connection", () => {
    expect(problemsOf(testEnv({ GITHUB_REQUEST_TIMEOUT_MS: "10000", REFRESH_LEASE_SECONDS: "12" }))).toEqual([
      expect.stringMatching(/^REFRESH_LEASE_SECONDS must be at least GITHUB_REQUEST_TIMEOUT_MS \+ 5 s \(15\)/),
    ]);
    expect(problemsOf(testEnv({ DATABASE_POOL_MAX: "4", REFRESH_MAX_CONNECTIONS: "4" }))).toEqual([
      "REFRESH_MAX_CONNECTIONS must be below DATABASE_POOL_MAX (4), so refresh work can never take every connection",
    ]);
    expect(problemsOf(testEnv({ DATABASE_POOL_MAX: "1" }))).toEqual(["DATABASE_POOL_MAX must be at least 2"]);
    expect(problemsOf(testEnv({ DATABASE_LOCK_TIMEOUT_MS: "soon" }))).toEqual(["DATABASE_LOCK_TIMEOUT_MS must be a whole number"]);
  });

  it("refuses a short secret and a notification URL without its secret", () => {
    expect(problemsOf(testEnv({ SERVICE_API_TOKEN: "short" }))).toEqual(["SERVICE_API_TOKEN must be at least 32 characters"]);
    expect(problemsOf(testEnv({ NOTIFY_WEBHOOK_URL: "https://app.example.com/hooks" }))).toEqual([
      "NOTIFY_WEBHOOK_SECRET is required when NOTIFY_WEBHOOK_URL is set",
    ]);
  });

  it("generates missing development secrets into the data folder once, with a warning", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "gaut-config-"));
    const env = { ...testEnv(), DATA_DIR: dataDir, SESSION_SECRET: undefined, TOKEN_ENCRYPTION_KEYS: undefined };
    const warnings: string[] = [];
    const first = loadConfig({ env, warn: (message) => warnings.push(message) });
    const second = loadConfig({ env });
    expect(warnings).toEqual([expect.stringContaining("SESSION_SECRET")]);
    expect(existsSync(path.join(dataDir, "secrets.json"))).toBe(true);
    expect(second.sessionSecret).toBe(first.sessionSecret);
    expect(second.encryptionKeys[0]?.key.equals(first.encryptionKeys[0]!.key)).toBe(true);
    expect(readFileSync(path.join(dataDir, "secrets.json"), "utf8")).toContain("dev1:");
  });

  it("refuses to generate secrets under NODE_ENV=production and names each missing one", () => {
    const problems = problemsOf({
      NODE_ENV: "production",
      APP_ID: "1",
      PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----",
      GITHUB_CLIENT_ID: "Iv1.abc",
      GITHUB_CLIENT_SECRET: "secret",
      BASE_URL: "https://tokens.example.com",
      TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    });
    expect(problems.sort()).toEqual([
      "ADMIN_API_TOKEN is required when NODE_ENV=production",
      "SERVICE_API_TOKEN is required when NODE_ENV=production",
      "SESSION_SECRET is required when NODE_ENV=production",
      "WEBHOOK_SECRET is required when NODE_ENV=production",
    ]);
  });

  it("requires the App's identity, OAuth credentials and public URL in production", () => {
    const env = testEnv({ NODE_ENV: "production" });
    delete env.APP_ID;
    delete env.PRIVATE_KEY;
    delete env.GITHUB_CLIENT_ID;
    delete env.GITHUB_CLIENT_SECRET;
    expect(problemsOf(env).sort()).toEqual([
      "APP_ID is required when NODE_ENV=production",
      "BASE_URL is required when NODE_ENV=production",
      "GITHUB_CLIENT_ID is required when NODE_ENV=production",
      "GITHUB_CLIENT_SECRET is required when NODE_ENV=production",
      "PRIVATE_KEY or PRIVATE_KEY_PATH is required when NODE_ENV=production",
    ]);
  });

  it("accepts a base64-encoded private key and lower-cases login lists", () => {
    const env = testEnv({ ADMIN_GITHUB_LOGINS: "Octocat, hubot ,", GITHUB_APP_TOKENS_ALLOW_LIST: "Mona" });
    const config = loadConfig({ env: { ...env, PRIVATE_KEY: Buffer.from(env.PRIVATE_KEY!).toString("base64") } });
    expect(config.privateKey).toContain("-----BEGIN PRIVATE KEY-----");
    expect(config.adminGithubLogins).toEqual(["octocat", "hubot"]);
    expect(config.flagDefaults.githubAppTokensAllowList).toEqual(["mona"]);
  });
});

describe("featureWarnings", () => {
  it("names each setting a feature lacks, one warning per feature, as Probot's \"use an existing App\" form leaves them", () => {
    const env = testEnv({ ADMIN_GITHUB_LOGINS: "", NOTIFY_WEBHOOK_URL: "", NOTIFY_WEBHOOK_SECRET: "" });
    for (const name of ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "LEGACY_OAUTH_CLIENT_ID", "LEGACY_OAUTH_CLIENT_SECRET"]) delete env[name];
    const warnings = featureWarnings(loadConfig({ env }));
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/^Sign-in is off: GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET/);
    expect(warnings[1]).toMatch(/^Legacy token checks are off: LEGACY_OAUTH_CLIENT_ID and LEGACY_OAUTH_CLIENT_SECRET/);
    expect(warnings[2]).toMatch(/ADMIN_GITHUB_LOGINS is empty/);
    expect(warnings[3]).toMatch(/NOTIFY_WEBHOOK_URL is not set/);
  });

  it("says nothing when every feature has what it needs", () => {
    const config = loadConfig({
      env: testEnv({ ADMIN_GITHUB_LOGINS: "octocat", LEGACY_OAUTH_CLIENT_ID: "legacy", LEGACY_OAUTH_CLIENT_SECRET: "legacy-secret", NOTIFY_WEBHOOK_URL: "https://app.example/hooks", NOTIFY_WEBHOOK_SECRET: "x".repeat(32) }),
    });
    expect(featureWarnings(config)).toEqual([]);
  });
});
