// Row 7 of `npm run bench` (issue 20): the maintainers' console at campaign scale. Seeds 100,000
// users and 1,000,000 audit events (test/support/console-world.ts), signs a maintainer in by minting
// the session cookie the app's own SessionCookies would set, then loads each console page from its
// own process (autocannon, two connections: two maintainers clicking without pause) and reports its
// p99 against the absolute target (300 ms), next to /healthz on the same instance, loaded
// the same way: what the instance answers when a page costs nothing.
import { Hono } from "hono";
import pg from "pg";
import { SessionCookies } from "../src/auth/session-cookies.js";
import { connectDatabase } from "../src/db/connection.js";
import { defineModels } from "../src/db/models/index.js";
import { CampaignTrends } from "../src/migration/trends.js";
import { seedConsoleWorld, type ConsoleWorld } from "../test/support/console-world.js";
import type { LoadResult } from "./closed-loop.js";
import { runScript } from "./run-script.js";

export const CONSOLE_MAINTAINER = "bench-maintainer";
const CONSOLE_SCALE = { users: 100_000, events: 1_000_000 };
const CONNECTIONS = 2;
const MEASURE_SECONDS = 3;
export const CONSOLE_P99_TARGET_MS = 300;
/** Pages walked through the users list's "next" links to reach a deep cursor. */
const DEEP_PAGES = 40;

export interface ConsolePageResult {
  label: string;
  path: string;
  load: LoadResult | null;
  /** Why a page could not be measured (not built yet: it answered 404). */
  skipped: string | null;
}

export interface ConsoleMeasurement {
  world: ConsoleWorld;
  floor: LoadResult;
  pages: ConsolePageResult[];
}

interface ConsolePhaseOptions {
  instanceUrl: string;
  databaseUrl: string;
  sessionSecret: string;
}

export async function measureConsole({ instanceUrl, databaseUrl, sessionSecret }: ConsolePhaseOptions): Promise<ConsoleMeasurement> {
  const world = await seedConsoleWorld({ databaseUrl, ...CONSOLE_SCALE });
  await rollUpTrends(databaseUrl);
  const cookie = await maintainerSessionCookie({ databaseUrl, sessionSecret });
  const get = (path: string) => fetch(`${instanceUrl}${path}`, { headers: { cookie }, redirect: "manual" });
  const word = world.loginWords[0]!;
  const candidates: Array<{ label: string; path: string | (() => Promise<string | null>) }> = [
    { label: "overview", path: "/admin" },
    { label: "users, login prefix", path: `/admin/users?q=${word}-1` },
    { label: "users, by GitHub id", path: `/admin/users?q=${world.firstGithubId + 4_321}` },
    { label: "users, status filter", path: "/admin/users?status=reauth_required" },
    { label: "users, failure-class filter", path: "/admin/users?failure=revoked" },
    { label: `users, page ${DEEP_PAGES + 1} by cursor`, path: () => deepCursorPath(get, "/admin/users", DEEP_PAGES) },
    { label: `user page, ${world.busiestUser.events} events`, path: `/admin/users/${world.busiestUser.githubId}` },
    { label: "batches", path: "/admin/batches" },
    { label: "flags", path: "/admin/flags" },
    { label: "installations", path: "/admin/installations" },
    { label: "readiness", path: "/admin/readiness" },
  ];
  const load = (path: string, durationSeconds: number) =>
    runScript<LoadResult>("./http-load.ts", { url: `${instanceUrl}${path}`, variants: [{ headers: { cookie } }], connections: CONNECTIONS, durationSeconds });

  const pages: ConsolePageResult[] = [];
  for (const candidate of candidates) {
    const path = typeof candidate.path === "string" ? candidate.path : await candidate.path();
    if (path === null) {
      pages.push({ label: candidate.label, path: "-", load: null, skipped: "no next-page link to follow" });
      continue;
    }
    const probe = await get(path);
    await probe.arrayBuffer();
    if (probe.status !== 200) {
      pages.push({ label: candidate.label, path, load: null, skipped: `answered ${probe.status}` });
      continue;
    }
    await load(path, 1);
    pages.push({ label: candidate.label, path, load: await load(path, MEASURE_SECONDS), skipped: null });
  }
  await load("/healthz", 1);
  const floor = await load("/healthz", MEASURE_SECONDS);
  return { world, floor, pages };
}

/**
 * What every instance's trends job does within a minute of the seed (the bench's instances run no
 * jobs): rolls the closed hours of the audit trail up, so the overview reads six weeks of buckets and
 * only the last hour's events.
 */
async function rollUpTrends(databaseUrl: string): Promise<void> {
  const sequelize = connectDatabase({ url: databaseUrl, maxConnections: 2 });
  try {
    await new CampaignTrends({ models: defineModels(sequelize) }).rollUpClosedHours();
  } finally {
    await sequelize.close();
  }
}

/**
 * The cookie a maintainer's browser holds after signing in: the maintainer's user row, and the
 * session value signed by the app's own SessionCookies (with the instances' SESSION_SECRET).
 */
async function maintainerSessionCookie({ databaseUrl, sessionSecret }: { databaseUrl: string; sessionSecret: string }): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client
    .query<{ github_id: string }>(
      `INSERT INTO users (github_id, login) VALUES (99999999, $1)
       ON CONFLICT (github_id) DO UPDATE SET login = EXCLUDED.login RETURNING github_id`,
      [CONSOLE_MAINTAINER],
    )
    .finally(() => client.end());
  const sessions = new SessionCookies({ secret: sessionSecret, secure: false });
  const minting = new Hono().get("/", async (c) => {
    await sessions.start(c, Number(rows[0]!.github_id));
    return c.body(null, 204);
  });
  const setCookie = (await minting.request("/")).headers.get("set-cookie");
  if (!setCookie) throw new Error("the session was not minted");
  return setCookie.split(";")[0]!;
}

/** Follows the list's next-page link `pages` times; null when a page has none. */
async function deepCursorPath(get: (path: string) => Promise<Response>, start: string, pages: number): Promise<string | null> {
  let path = start;
  for (let page = 0; page < pages; page += 1) {
    const response = await get(path);
    if (response.status !== 200) return null;
    const next = /<a[^>]*href="([^"]*cursor=[^"]*)"[^>]*rel="next"|<a[^>]*rel="next"[^>]*href="([^"]*)"/.exec(await response.text());
    const href = next?.[1] ?? next?.[2];
    if (!href) return null;
    path = href.replaceAll("&amp;", "&");
  }
  return path;
}
