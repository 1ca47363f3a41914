// Configuration for tests: real loadConfig() over a complete, generated environment.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig, type AppConfig } from "../../src/config.js";

let cachedKeyPair: { privateKey: string; publicKey: string } | undefined;

/** One RSA key pair per test process: generating one takes a noticeable moment. */
export function testAppKeyPair(): { privateKey: string; publicKey: string } {
  cachedKeyPair ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return cachedKeyPair;
}

export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: "test",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "gaut-test-data-")),
    APP_ID: "12345",
    PRIVATE_KEY: testAppKeyPair().privateKey,
    WEBHOOK_SECRET: "test-webhook-secret",
    GITHUB_CLIENT_ID: "Iv23testclientid",
    GITHUB_CLIENT_SECRET: "test-client-secret",
    TOKEN_ENCRYPTION_KEYS: `test1:${randomBytes(32).toString("base64")}`,
    SESSION_SECRET: randomBytes(32).toString("hex"),
    ADMIN_API_TOKEN: `admin-${randomBytes(24).toString("hex")}`,
    SERVICE_API_TOKEN: `service-${randomBytes(24).toString("hex")}`,
    LOG_LEVEL: "silent",
    HOST: "127.0.0.1",
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string | undefined> = {}): AppConfig {
  return loadConfig({ env: testEnv(overrides) });
}
