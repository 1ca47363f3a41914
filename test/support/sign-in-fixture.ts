// Shared by the sign-in tests: an app instance whose GitHub is the simulator (registered with the
// app's real callback URL), a browser with a cookie jar, GitHub's authorize page driven like a
// user would, and snapshots of every table signing in may write.
import type { GitHubSimulator } from "../../simulator/index.js";
import { findFreePort } from "../../src/free-port.js";
import type { Models } from "../../src/db/models/index.js";
import { TEST_APP, startTestSimulator } from "./simulator-fixture.js";
import { startTestApp, type TestApp } from "./app.js";
import { testAppKeyPair } from "./config.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { simulatorEnv } from "./vault-fixture.js";

export interface SignInWorld {
  database: TestDatabase;
  simulator: GitHubSimulator;
  app: TestApp;
  stop(): Promise<void>;
}

/** `env` adds to (or overrides) the app's environment, e.g. ADMIN_GITHUB_LOGINS. */
export async function startSignInWorld({ env = {} }: { env?: Record<string, string> } = {}): Promise<SignInWorld> {
  const database = await createTestDatabase();
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const simulator = await startTestSimulator({
    app: { ...TEST_APP, publicKey: testAppKeyPair().publicKey, callbackUrl: `${baseUrl}/auth/callback` },
  });
  const app = await startTestApp({
    sequelize: database.sequelize,
    env: simulatorEnv(simulator, {
      PORT: String(port),
      BASE_URL: baseUrl,
      GITHUB_CLIENT_ID: TEST_APP.clientId,
      GITHUB_CLIENT_SECRET: TEST_APP.clientSecret,
      ...env,
    }),
    logLevel: "info",
  });
  return {
    database,
    simulator,
    app,
    async stop() {
      await app.stop();
      await simulator.stop();
      await database.drop();
    },
  };
}

/** fetch with a cookie jar and without following redirects, like a browser tab we can inspect. */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  async get(pathOrUrl: string): Promise<Response> {
    return this.#send(pathOrUrl, { method: "GET" });
  }

  /** A form post; `origin` defaults to the app's own, as a browser sends it. */
  async post(path: string, form: Record<string, string>, { origin = this.baseUrl }: { origin?: string | null } = {}) {
    return this.#send(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(origin === null ? {} : { origin }) },
      body: new URLSearchParams(form).toString(),
    });
  }

  async #send(pathOrUrl: string, init: RequestInit): Promise<Response> {
    const url = new URL(pathOrUrl, this.baseUrl);
    const headers = new Headers(init.headers);
    if (url.origin === this.baseUrl && this.cookies.size > 0) {
      headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const separator = pair.indexOf("=");
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

export function locationOf(response: Response): string {
  const location = response.headers.get("location");
  if (!location) throw new Error(`expected a redirect, got ${response.status}`);
  return location;
}

interface GitHubChoice {
  login: string;
  decision?: "authorize" | "cancel";
  /** Replaces parameters GitHub's page carries on, to play a tampered request. */
  override?: Record<string, string>;
}

/**
 * Opens GitHub's authorize page at `authorizeUrl` and submits the user's choice, as the page's form
 * does. Returns where GitHub sends the browser next (our callback).
 */
export async function chooseAtGitHub(authorizeUrl: string, { login, decision = "authorize", override = {} }: GitHubChoice): Promise<string> {
  const page = await fetch(authorizeUrl, { redirect: "manual" });
  if (page.status !== 200) throw new Error(`GitHub's authorize page answered ${page.status}`);
  const url = new URL(authorizeUrl);
  const form = new URLSearchParams({ ...Object.fromEntries(url.searchParams), ...override, login, decision });
  const answer = await fetch(`${url.origin}/login/oauth/authorize`, { method: "POST", body: form, redirect: "manual" });
  return locationOf(answer);
}

/** GET /auth/login → GitHub → the callback; returns the callback's answer. */
export async function signIn(browser: Browser, choice: GitHubChoice, loginPath = "/auth/login"): Promise<Response> {
  const authorizeUrl = locationOf(await browser.get(loginPath));
  return browser.get(await chooseAtGitHub(authorizeUrl, choice));
}

/** The `csrf_token` hidden field of a page. */
export function csrfTokenIn(html: string): string {
  const match = /name="csrf_token" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error("no csrf_token on the page");
  return match[1];
}

const TABLES = ["users", "oauth_states", "user_installations", "migration_events", "notifications"] as const;

/** Every row of every table signing in may write, to compare before and after a refused request. */
export async function snapshotTables(models: Models): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const [rows] = await models.sequelize.query(`SELECT * FROM ${table} ORDER BY 1, 2`);
    snapshot[table] = rows;
  }
  return snapshot;
}
