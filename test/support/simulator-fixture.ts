// Starts a simulator for a test file with a known App, and speaks to it the way the app does.
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { startSimulator, type GitHubSimulator, type StartSimulatorOptions } from "../../simulator/index.js";
import { testAppKeyPair } from "./config.js";

export const TEST_APP = {
  id: 12345,
  slug: "user-tokens-test",
  clientId: "Iv23testclientid",
  clientSecret: "test-client-secret",
  callbackUrl: "http://localhost:3000/auth/callback",
};
export const LEGACY_APP = { clientId: "legacy-client", clientSecret: "legacy-secret" };
export const CALLBACK = `${TEST_APP.callbackUrl}`;

export async function startTestSimulator(overrides: Partial<StartSimulatorOptions> = {}): Promise<GitHubSimulator> {
  return startSimulator({
    app: { ...TEST_APP, publicKey: testAppKeyPair().publicKey },
    legacyOAuthApp: LEGACY_APP,
    ...overrides,
  });
}

/** A movable clock for lifetimes: the simulator reads it through its `now` option. */
export function movableClock(start = Date.now()) {
  let current = start;
  return { now: () => new Date(current), advance: (seconds: number) => (current += seconds * 1000) };
}

export function pkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** An RS256 App JWT like Octokit's (iat backdated 30 s, 10 minutes of life), with overridable claims. */
export function appJwt(options: { privateKey?: string; claims?: Record<string, unknown> } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode({ iat: now - 30, exp: now + 570, iss: TEST_APP.id, ...options.claims })}`;
  return `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), options.privateKey ?? testAppKeyPair().privateKey).toString("base64url")}`;
}

let strangerKey: string | undefined;
export function strangerPrivateKey(): string {
  strangerKey ??= generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
  return strangerKey;
}

/** POST /login/oauth/access_token as a JSON-accepting client (form body, like @octokit/oauth-methods). */
export async function tokenRequest(simulator: GitHubSimulator, params: Record<string, string>, accept = "application/json", signal?: AbortSignal) {
  const response = await fetch(`${simulator.url}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
    ...(signal ? { signal } : {}),
  });
  return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text() };
}

export async function tokenJson(simulator: GitHubSimulator, params: Record<string, string>): Promise<Record<string, unknown>> {
  return JSON.parse((await tokenRequest(simulator, params)).text) as Record<string, unknown>;
}

export function refreshParams(refreshToken: string) {
  return { client_id: TEST_APP.clientId, client_secret: TEST_APP.clientSecret, grant_type: "refresh_token", refresh_token: refreshToken };
}

export async function api(simulator: GitHubSimulator, path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `token ${init.token}`);
  headers.set("accept", "application/vnd.github+json");
  return fetch(`${simulator.url}/api/v3${path}`, { ...init, headers });
}

export function basicAuth(clientId = TEST_APP.clientId, clientSecret = TEST_APP.clientSecret) {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
}
