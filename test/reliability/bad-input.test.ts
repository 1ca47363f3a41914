// Bad input on every route: each refusal is a clear 4xx (JSON `{error,message}` on API routes, a page
// on HTML routes) and writes nothing — every table's rows are compared before and after. Routes are
// enumerated from createHttpApp, so a new route without cases here fails the first test.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { sign } from "@octokit/webhooks-methods";
import { createHttpApp, WEBHOOK_PATH } from "../../src/index.js";
import { Browser, chooseAtGitHub, csrfTokenIn, locationOf, signIn, startSignInWorld, type SignInWorld } from "../support/sign-in-fixture.js";
import { seedUser, type SeededUser } from "../support/vault-fixture.js";
import { rawRequest, type RawRequest, type RawResponse } from "./raw-request.js";
import { ReliabilityTally } from "./reliability-tally.js";
import { snapshotDatabase } from "./snapshot-database.js";

const MAINTAINER = "rel-maintainer";
const ONE_MIB = "x".repeat(1024 * 1024);
const ONE_MIB_JSON = JSON.stringify({ reason: ONE_MIB });
/** Ids that must never reach SQL or the filesystem: traversal, injection, unicode, out of range. */
const HOSTILE_IDS = [
  "..",
  "..%2F..%2Fetc%2Fpasswd",
  "%2e%2e",
  "%2e%2e%2f",
  "1%20OR%201%3D1",
  "'%3B%20DROP%20TABLE%20users%3B--",
  "%EF%BC%91%EF%BC%92", // fullwidth digits
  "%F0%9F%98%80",
  "-1",
  "0",
  "1e3",
  "99999999999999999999",
];

type Kind = "json" | "html" | "webhook";
interface BadCase {
  name: string;
  request: RawRequest;
  kind: Kind;
  /** A specific status when the route has one answer for this input. */
  status?: number;
}

const tally = new ReliabilityTally();
let world: SignInWorld;
let user: SeededUser;
let userSession: { cookie: string; csrf: string };
let maintainerSession: { cookie: string; csrf: string };

function cookieHeader(browser: Browser): string {
  return [...browser.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
}

async function signedIn(login: string, loginPath: string, page: string): Promise<{ cookie: string; csrf: string }> {
  const browser = new Browser(world.app.url);
  await signIn(browser, { login }, loginPath);
  const html = await (await browser.get(page)).text();
  return { cookie: cookieHeader(browser), csrf: csrfTokenIn(html) };
}

beforeAll(async () => {
  world = await startSignInWorld({ env: { ADMIN_GITHUB_LOGINS: MAINTAINER } });
  world.simulator.addUser({ login: MAINTAINER });
  user = await seedUser(world.app.services, world.simulator, { legacy: true });
  userSession = await signedIn(user.login, "/auth/login", "/me");
  maintainerSession = await signedIn(MAINTAINER, "/auth/login?purpose=admin", "/admin");
});
afterAll(async () => {
  await world?.stop();
  tally.print();
});

const admin = () => ({ authorization: `Bearer ${world.app.services.config.adminApiToken}` });
const service = () => ({ authorization: `Bearer ${world.app.services.config.serviceApiToken}` });
const json = { "content-type": "application/json" };
const form = (session: { cookie: string }, origin = world.app.url) => ({
  "content-type": "application/x-www-form-urlencoded",
  origin,
  cookie: session.cookie,
});

/** The key cases every admin route shares: none, wrong, the service key, a malformed header. */
function adminKeyCases(method: string, path: string): BadCase[] {
  return [
    { name: "no key", request: { method, path, headers: json }, kind: "json", status: 401 },
    { name: "wrong key", request: { method, path, headers: { ...json, authorization: "Bearer not-the-admin-key" } }, kind: "json", status: 401 },
    { name: "service key on an admin route", request: { method, path, headers: { ...json, ...service() } }, kind: "json", status: 401 },
    { name: "basic auth", request: { method, path, headers: { ...json, authorization: "Basic YWRtaW46YWRtaW4=" } }, kind: "json", status: 401 },
  ];
}

/** Body cases for a JSON route that accepts an object. */
function jsonBodyCases(method: string, path: string, wrongTypes: unknown[]): BadCase[] {
  const headers = () => ({ ...json, ...admin() });
  return [
    { name: "malformed JSON", request: { method, path, headers: headers(), body: '{"size":' }, kind: "json", status: 400 },
    { name: "a JSON array", request: { method, path, headers: headers(), body: "[]" }, kind: "json", status: 400 },
    { name: "JSON null", request: { method, path, headers: headers(), body: "null" }, kind: "json", status: 400 },
    { name: "an unknown field", request: { method, path, headers: headers(), body: '{"is_admin":true}' }, kind: "json", status: 400 },
    { name: "prototype pollution", request: { method, path, headers: headers(), body: '{"__proto__":{"admin":true}}' }, kind: "json", status: 400 },
    ...wrongTypes.map((body) => ({
      name: `wrong types ${JSON.stringify(body).slice(0, 40)}`,
      request: { method, path, headers: headers(), body: JSON.stringify(body) },
      kind: "json" as const,
      status: 400,
    })),
    ...oversizedCases(method, path, headers(), "json"),
  ];
}

function oversizedCases(method: string, path: string, headers: Record<string, string>, kind: Kind): BadCase[] {
  return [
    { name: "1 MiB body with Content-Length", request: { method, path, headers, body: ONE_MIB_JSON }, kind, status: 413 },
    { name: "1 MiB body chunked, no Content-Length", request: { method, path, headers, body: ONE_MIB_JSON, chunked: true }, kind, status: 413 },
  ];
}

/** `pattern` with `:param` replaced by each hostile id, for a route taking an id. */
function hostileIdCases(method: string, pattern: string, headers: () => Record<string, string>, body?: string): BadCase[] {
  return HOSTILE_IDS.map((id) => ({
    name: `hostile id ${id}`,
    request: { method, path: pattern.replace(/:[a-z_]+/, id), headers: headers(), body },
    kind: "json" as const,
  }));
}

/** Form cases shared by every form: foreign Origin, no Origin, no CSRF token, a wrong one, too big. */
function formCases(path: string, fields: Record<string, string>, session: () => { cookie: string; csrf: string }): BadCase[] {
  const body = (csrf?: string) => new URLSearchParams({ ...fields, ...(csrf === undefined ? {} : { csrf_token: csrf }) }).toString();
  return [
    { name: "foreign Origin", request: { method: "POST", path, headers: form(session(), "https://evil.example"), body: body(session().csrf) }, kind: "html", status: 403 },
    {
      name: "no Origin, cross-site fetch metadata",
      request: { method: "POST", path, headers: { ...withoutOrigin(form(session())), "sec-fetch-site": "cross-site" }, body: body(session().csrf) },
      kind: "html",
      status: 403,
    },
    { name: "no CSRF token", request: { method: "POST", path, headers: form(session()), body: body() }, kind: "html", status: 403 },
    { name: "a wrong CSRF token", request: { method: "POST", path, headers: form(session()), body: body("A".repeat(43)) }, kind: "html", status: 403 },
    {
      name: "another session's CSRF token",
      request: { method: "POST", path, headers: form(session()), body: body(session() === userSession ? maintainerSession.csrf : userSession.csrf) },
      kind: "html",
      status: 403,
    },
    // The app-wide body limit answers before any page group sees the request, so its 413 is JSON.
    ...oversizedCases("POST", path, form(session()), "json"),
  ];
}

function withoutOrigin(headers: Record<string, string>): Record<string, string> {
  const { origin: _origin, ...rest } = headers;
  return rest;
}

/** A maintainer's valid form with one bad field: a 400 page, nothing done. */
function badFieldCases(path: string, variants: Array<Record<string, string>>): BadCase[] {
  return variants.map((fields) => ({
    name: `bad field ${JSON.stringify(fields).slice(0, 60)}`,
    request: {
      method: "POST",
      path,
      headers: form(maintainerSession),
      body: new URLSearchParams({ ...fields, csrf_token: maintainerSession.csrf, confirm: "yes" }).toString(),
    },
    kind: "html" as const,
  }));
}

const USER_ID = () => String(user.githubId);

/** Every route's bad inputs, keyed by "METHOD pattern" as createHttpApp lists them. */
const CASES: Record<string, () => BadCase[] | Promise<BadCase[]>> = {
  "GET /api/v1/users/:github_id/token": () => [
    { name: "no key", request: { method: "GET", path: `/api/v1/users/${USER_ID()}/token` }, kind: "json", status: 401 },
    { name: "admin key on the token API", request: { method: "GET", path: `/api/v1/users/${USER_ID()}/token`, headers: admin() }, kind: "json", status: 401 },
    { name: "wrong key", request: { method: "GET", path: `/api/v1/users/${USER_ID()}/token`, headers: { authorization: "Bearer x" } }, kind: "json", status: 401 },
    { name: "unknown query", request: { method: "GET", path: `/api/v1/users/${USER_ID()}/token?debug=1`, headers: service() }, kind: "json", status: 400 },
    { name: "bad min_valid_seconds", request: { method: "GET", path: `/api/v1/users/${USER_ID()}/token?min_valid_seconds=1%20OR%201%3D1`, headers: service() }, kind: "json", status: 400 },
    ...hostileIdCases("GET", "/api/v1/users/:github_id/token", service),
  ],
  "GET /api/v1/admin/migration": () => [
    ...adminKeyCases("GET", "/api/v1/admin/migration"),
  ],
  "GET /api/v1/admin/migration/trends": () => [...adminKeyCases("GET", "/api/v1/admin/migration/trends")],
  "POST /api/v1/admin/migration/batches": () => [
    ...adminKeyCases("POST", "/api/v1/admin/migration/batches"),
    ...jsonBodyCases("POST", "/api/v1/admin/migration/batches", [{ size: "ten" }, { size: 0 }, { size: 1e9 }, { size: 1.5 }, { dry_run: "yes" }]),
    { name: "bad X-Actor", request: { method: "POST", path: "/api/v1/admin/migration/batches", headers: { ...json, ...admin(), "x-actor": "'; DROP TABLE users;--" }, body: "{}" }, kind: "json", status: 400 },
  ],
  "GET /api/v1/admin/migration/batches/:id": () => [
    ...adminKeyCases("GET", "/api/v1/admin/migration/batches/1"),
    ...hostileIdCases("GET", "/api/v1/admin/migration/batches/:id", admin),
  ],
  "POST /api/v1/admin/migration/rollback": () => [
    ...adminKeyCases("POST", "/api/v1/admin/migration/rollback"),
    ...jsonBodyCases("POST", "/api/v1/admin/migration/rollback", [{ all: true }]),
  ],
  "POST /api/v1/admin/migration/reenable": () => [
    ...adminKeyCases("POST", "/api/v1/admin/migration/reenable"),
    ...jsonBodyCases("POST", "/api/v1/admin/migration/reenable", [{ force: 1 }]),
  ],
  "POST /api/v1/admin/migration/cleanup": () => [
    ...adminKeyCases("POST", "/api/v1/admin/migration/cleanup"),
    ...jsonBodyCases("POST", "/api/v1/admin/migration/cleanup", [{ dry_run: "false" }, { dry_run: false }, { dry_run: false, confirm: "yes" }, { validated_within_days: -1 }]),
  ],
  "GET /api/v1/admin/users": () => [
    ...adminKeyCases("GET", "/api/v1/admin/users"),
    ...["status=admin", "limit=0", "limit=1%20OR%201%3D1", "cursor=" + "c".repeat(65), "evil=1", "q=" + "q".repeat(40), "q=%25", "failure=x", "sort=random"].map((query) => ({
      name: `bad query ${query.slice(0, 30)}`,
      request: { method: "GET", path: `/api/v1/admin/users?${query}`, headers: admin() },
      kind: "json" as const,
      status: 400,
    })),
    { name: "forged cursor", request: { method: "GET", path: "/api/v1/admin/users?cursor=%27%3B%20DROP%20TABLE%20users%3B--", headers: admin() }, kind: "json", status: 400 },
  ],
  "POST /api/v1/admin/users/import": () => [
    ...adminKeyCases("POST", "/api/v1/admin/users/import"),
    { name: "JSON content type", request: { method: "POST", path: "/api/v1/admin/users/import", headers: { ...json, ...admin() }, body: "{}" }, kind: "json", status: 415 },
    {
      name: "only bad lines",
      request: {
        method: "POST",
        path: "/api/v1/admin/users/import",
        headers: { "content-type": "application/x-ndjson", ...admin() },
        body: ['{"github_id":"1 OR 1=1","login":"x","access_token":"gho_x"}', "not json", '{"github_id":5,"login":"../etc","access_token":42}', "[]"].join("\n"),
      },
      kind: "json",
      status: 400,
    },
    ...oversizedCases("POST", "/api/v1/admin/users/import", { "content-type": "application/x-ndjson", ...admin() }, "json"),
  ],
  "GET /api/v1/admin/users/:github_id": () => [
    ...adminKeyCases("GET", `/api/v1/admin/users/${USER_ID()}`),
    ...hostileIdCases("GET", "/api/v1/admin/users/:github_id", admin),
  ],
  ...Object.fromEntries(
    ["validate", "rollback", "reenable"].map((action) => [
      `POST /api/v1/admin/users/:github_id/${action}`,
      () => [
        ...adminKeyCases("POST", `/api/v1/admin/users/${USER_ID()}/${action}`),
        ...jsonBodyCases("POST", `/api/v1/admin/users/${USER_ID()}/${action}`, action === "validate" ? [{ reason: "x" }] : [{ reason: 5 }, { reason: "" }, { reason: "r".repeat(501) }]),
        ...hostileIdCases("POST", `/api/v1/admin/users/:github_id/${action}`, () => ({ ...json, ...admin() }), "{}"),
      ],
    ]),
  ),
  "GET /api/v1/admin/flags": () => [...adminKeyCases("GET", "/api/v1/admin/flags")],
  "PUT /api/v1/admin/flags/:name": () => [
    ...adminKeyCases("PUT", "/api/v1/admin/flags/github_app_tokens_enabled"),
    ...jsonBodyCases("PUT", "/api/v1/admin/flags/github_app_tokens_enabled", [{}, { value: "yes" }, { value: null }, { value: { nested: true } }]),
    ...jsonBodyCases("PUT", "/api/v1/admin/flags/github_app_tokens_rollout_percent", [{ value: 101 }, { value: -1 }, { value: "50" }, { value: 1.5 }]).slice(-4),
    ...jsonBodyCases("PUT", "/api/v1/admin/flags/user_migration_batch_size", [{ value: 0 }, { value: "1 OR 1=1" }]).slice(-2),
    ...jsonBodyCases("PUT", "/api/v1/admin/flags/github_app_tokens_allow_list", [{ value: ["../etc", "'; DROP TABLE users;--"] }, { value: "octocat" }]).slice(-2),
    ...jsonBodyCases("PUT", "/api/v1/admin/flags/oauth_token_deprecation_date", [{ value: "not a date" }, { value: 12 }]).slice(-2),
    ...hostileIdCases("PUT", "/api/v1/admin/flags/:name", () => ({ ...json, ...admin() }), '{"value":true}'),
    { name: "unknown flag", request: { method: "PUT", path: "/api/v1/admin/flags/is_admin", headers: { ...json, ...admin() }, body: '{"value":true}' }, kind: "json", status: 404 },
  ],
  "GET /api/v1/admin/installations": () => [
    ...adminKeyCases("GET", "/api/v1/admin/installations"),
    ...["include_deleted=1", "after=-1", "after=1%20OR%201%3D1", "limit=501", "evil=1"].map((query) => ({
      name: `bad query ${query}`,
      request: { method: "GET", path: `/api/v1/admin/installations?${query}`, headers: admin() },
      kind: "json" as const,
      status: 400,
    })),
  ],
  "GET /auth/login": () => [
    ...["purpose=root", "return_to=https%3A%2F%2Fevil.example%2F", "return_to=%2F%2Fevil.example", "return_to=%2F%5Cevil.example", "return_to=javascript%3Aalert(1)", "return_to=%2Fme%0d%0aSet-Cookie%3Ax", "return_to=%2Fauth%2Flogin", "consent=forged-consent-link"].map(
      (query) => ({ name: `bad ${query.slice(0, 40)}`, request: { method: "GET", path: `/auth/login?${query}` }, kind: "html" as const }),
    ),
  ],
  "GET /auth/callback": async () => [
    { name: "forged state", request: { method: "GET", path: "/auth/callback?code=abc&state=forged" }, kind: "html", status: 400 },
    { name: "injection in state", request: { method: "GET", path: "/auth/callback?code=abc&state=%27%3B%20DROP%20TABLE%20users%3B--" }, kind: "html", status: 400 },
    { name: "no code, no state", request: { method: "GET", path: "/auth/callback" }, kind: "html", status: 400 },
    await reusedStateCase(),
    await expiredStateCase(),
    await stateOfAnotherBrowserCase(),
  ],
  "POST /auth/logout": () => formCases("/auth/logout", {}, () => userSession),
  "POST /me/disconnect": () => formCases("/me/disconnect", {}, () => userSession),
  "GET /admin/users": () =>
    ["q=" + "a".repeat(40), "q=%25", "q=1%20OR%201%3D1", "status=admin", "failure=x", "sort=id", "cursor=%27%3B%20DROP%20TABLE%20users%3B--", "cursor=" + "c".repeat(65), "evil=1"].map((query) => ({
      name: `bad query ${query.slice(0, 30)}`,
      request: { method: "GET", path: `/admin/users?${query}`, headers: { cookie: maintainerSession.cookie } },
      kind: "html" as const,
      status: 400,
    })),
  "GET /admin/users/:github_id": () =>
    HOSTILE_IDS.map((id) => ({
      name: `hostile id ${id}`,
      request: { method: "GET", path: `/admin/users/${id}`, headers: { cookie: maintainerSession.cookie } },
      // A dot segment resolves the path out of /admin/users/ before any page route sees it: the app's JSON 404.
      kind: /^(\.\.|%2e%2e)$/i.test(id) ? ("json" as const) : ("html" as const),
    })),
  "GET /admin/installations": () =>
    ["after=-1", "after=1%20OR%201%3D1", "after=abc", "limit=5"].map((query) => ({
      name: `bad query ${query}`,
      request: { method: "GET", path: `/admin/installations?${query}`, headers: { cookie: maintainerSession.cookie } },
      kind: "html" as const,
      status: 400,
    })),
  "POST /admin/batches": () => [
    ...formCases("/admin/batches", { confirm: "yes" }, () => maintainerSession),
    ...badFieldCases("/admin/batches", [{ size: "ten" }, { size: "0" }, { size: "1 OR 1=1" }, { dry_run: "true" }]),
    ...formCases("/admin/batches", { confirm: "yes" }, () => userSession).slice(0, 1),
    notAMaintainerCase("/admin/batches", { confirm: "yes" }),
  ],
  "POST /admin/users": () => [
    ...formCases("/admin/users", { login: user.login, action: "rollback", confirm: "yes" }, () => maintainerSession),
    ...badFieldCases("/admin/users", [
      { login: "'; DROP TABLE users;--", action: "rollback" },
      { login: "../../etc/passwd", action: "rollback" },
      { login: user.login, action: "delete" },
      { login: user.login, action: "rollback", reason: "r".repeat(5000) },
    ]),
    notAMaintainerCase("/admin/users", { login: user.login, action: "rollback", confirm: "yes" }),
  ],
  "POST /admin/flags": () => [
    ...formCases("/admin/flags", { name: "github_app_tokens_enabled", value: "false", confirm: "yes" }, () => maintainerSession),
    ...badFieldCases("/admin/flags", [
      { name: "is_admin", value: "true" },
      { name: "github_app_tokens_enabled", value: "maybe" },
      { name: "github_app_tokens_rollout_percent", value: "1 OR 1=1" },
      { name: "user_migration_batch_size", value: "-5" },
    ]),
    notAMaintainerCase("/admin/flags", { name: "github_app_tokens_enabled", value: "false", confirm: "yes" }),
  ],
  [`POST ${WEBHOOK_PATH}`]: () => webhookCases(),
  "POST /api/v1/admin/migration/readiness": () => [
    ...adminKeyCases("POST", "/api/v1/admin/migration/readiness"),
    ...jsonBodyCases("POST", "/api/v1/admin/migration/readiness", [{ github_ids: [] }, { github_ids: ["1"] }, { github_ids: [0] }, { github_ids: [1.5] }, { github_ids: 7 }]),
  ],
  "GET /api/v1/admin/migration/readiness": () => [
    ...adminKeyCases("GET", "/api/v1/admin/migration/readiness"),
    { name: "unknown query parameter", request: { method: "GET", path: "/api/v1/admin/migration/readiness?state=running", headers: admin() }, kind: "json", status: 400 },
  ],
  "GET /api/v1/admin/migration/readiness/rate-limit-drops": () => [...adminKeyCases("GET", "/api/v1/admin/migration/readiness/rate-limit-drops")],
  "GET /api/v1/admin/users/:github_id/access": () => [
    ...adminKeyCases("GET", `/api/v1/admin/users/${USER_ID()}/access`),
    ...hostileIdCases("GET", "/api/v1/admin/users/:github_id/access", admin),
    { name: "a user never checked", request: { method: "GET", path: `/api/v1/admin/users/${USER_ID()}/access`, headers: admin() }, kind: "json", status: 404 },
  ],
  "POST /api/v1/admin/flags/:name/preview": () => [
    ...adminKeyCases("POST", "/api/v1/admin/flags/github_app_tokens_enabled/preview"),
    ...jsonBodyCases("POST", "/api/v1/admin/flags/github_app_tokens_rollout_percent/preview", [{}, { value: 101 }, { value: "50" }]),
    ...hostileIdCases("POST", "/api/v1/admin/flags/:name/preview", () => ({ ...json, ...admin() }), '{"value":true}'),
  ],
  "GET /api/v1/admin/migration/rollout-guard": () => [...adminKeyCases("GET", "/api/v1/admin/migration/rollout-guard")],
  "POST /api/v1/admin/migration/rollout-guard/clear": () => [
    ...adminKeyCases("POST", "/api/v1/admin/migration/rollout-guard/clear"),
    ...jsonBodyCases("POST", "/api/v1/admin/migration/rollout-guard/clear", [{ reason: "" }, { reason: 5 }]),
    { name: "nothing to clear", request: { method: "POST", path: "/api/v1/admin/migration/rollout-guard/clear", headers: { ...json, ...admin() }, body: "{}" }, kind: "json", status: 409 },
  ],
  "POST /admin/readiness": () => [
    ...formCases("/admin/readiness", { confirm: "yes" }, () => maintainerSession),
    notAMaintainerCase("/admin/readiness", { confirm: "yes" }),
  ],
  "POST /admin/rollout-guard/clear": () => [
    ...formCases("/admin/rollout-guard/clear", { confirm: "yes" }, () => maintainerSession),
    notAMaintainerCase("/admin/rollout-guard/clear", { confirm: "yes" }),
  ],
};

/** Routes that take no input: junk query strings still never 5xx and never write. */
const INPUTLESS = new Set(["GET /", "GET /me", "GET /admin", "GET /admin/batches", "GET /admin/flags", "GET /admin/readiness", "GET /healthz", "GET /readyz", "GET /metrics", "GET /assets/app.css", "GET /api/openapi.json"]);

function notAMaintainerCase(path: string, fields: Record<string, string>): BadCase {
  return {
    name: "a signed-in user who is not a maintainer",
    request: { method: "POST", path, headers: form(userSession), body: new URLSearchParams({ ...fields, csrf_token: userSession.csrf }).toString() },
    kind: "html",
    status: 403,
  };
}

/** A callback completed once, replayed in the same browser. */
async function reusedStateCase(): Promise<BadCase> {
  const browser = new Browser(world.app.url);
  const login = `rel-replay-${Date.now()}`;
  world.simulator.addUser({ login });
  const authorizeUrl = locationOf(await browser.get("/auth/login"));
  const callback = await chooseAtGitHub(authorizeUrl, { login });
  const stateCookie = cookieHeader(browser);
  expect((await browser.get(callback)).status).toBe(302);
  const url = new URL(callback);
  return { name: "reused state", request: { method: "GET", path: `${url.pathname}${url.search}`, headers: { cookie: stateCookie } }, kind: "html", status: 400 };
}

/** A state whose ten minutes are over. */
async function expiredStateCase(): Promise<BadCase> {
  const browser = new Browser(world.app.url);
  const login = `rel-expired-${Date.now()}`;
  world.simulator.addUser({ login });
  const authorizeUrl = locationOf(await browser.get("/auth/login"));
  const callback = await chooseAtGitHub(authorizeUrl, { login });
  await world.database.sequelize.query("UPDATE oauth_states SET expires_at = now() - interval '1 minute' WHERE consumed_at IS NULL");
  const url = new URL(callback);
  return { name: "expired state", request: { method: "GET", path: `${url.pathname}${url.search}`, headers: { cookie: cookieHeader(browser) } }, kind: "html", status: 400 };
}

/** A callback URL started in one browser and opened in another (login CSRF). */
async function stateOfAnotherBrowserCase(): Promise<BadCase> {
  const victim = new Browser(world.app.url);
  const login = `rel-csrf-${Date.now()}`;
  world.simulator.addUser({ login });
  const callback = await chooseAtGitHub(locationOf(await new Browser(world.app.url).get("/auth/login")), { login });
  const url = new URL(callback);
  return { name: "state of another browser", request: { method: "GET", path: `${url.pathname}${url.search}`, headers: { cookie: cookieHeader(victim) } }, kind: "html", status: 400 };
}

async function webhookCases(): Promise<BadCase[]> {
  const secret = world.app.services.config.webhookSecret;
  const body = JSON.stringify({ action: "revoked", sender: { id: user.githubId, login: user.login } });
  const headers = (signature: string | null, extra: Record<string, string> = {}) => ({
    ...json,
    "x-github-event": "github_app_authorization",
    "x-github-delivery": `rel-${Math.random().toString(36).slice(2)}`,
    ...(signature === null ? {} : { "x-hub-signature-256": signature }),
    ...extra,
  });
  const path = WEBHOOK_PATH;
  const malformed = '{"action":"revoked",';
  return [
    { name: "no signature", request: { method: "POST", path, headers: headers(null), body }, kind: "webhook" },
    { name: "forged signature", request: { method: "POST", path, headers: headers(`sha256=${"0".repeat(64)}`), body }, kind: "webhook" },
    { name: "signed with another secret", request: { method: "POST", path, headers: headers(await sign("not-our-secret", body)), body }, kind: "webhook" },
    { name: "sha1 signature only", request: { method: "POST", path, headers: { ...withoutSignature(headers(null)), "x-hub-signature": "sha1=0000" }, body }, kind: "webhook" },
    { name: "signature of another body", request: { method: "POST", path, headers: headers(await sign(secret, "{}")), body }, kind: "webhook" },
    { name: "malformed JSON, validly signed", request: { method: "POST", path, headers: headers(await sign(secret, malformed)), body: malformed }, kind: "webhook" },
    { name: "1 MiB with Content-Length, forged", request: { method: "POST", path, headers: headers("sha256=00"), body: ONE_MIB_JSON }, kind: "webhook" },
    { name: "1 MiB chunked, forged", request: { method: "POST", path, headers: headers("sha256=00"), body: ONE_MIB_JSON, chunked: true }, kind: "webhook" },
  ];
}

function withoutSignature(headers: Record<string, string>): Record<string, string> {
  const { "x-hub-signature-256": _signature, ...rest } = headers;
  return rest;
}

function routeKeys(): string[] {
  const keys = createHttpApp(world.app.services)
    .routes.filter((route) => route.method !== "ALL")
    .map((route) => `${route.method} ${route.path}`);
  return [...new Set([...keys, `POST ${WEBHOOK_PATH}`])].sort();
}

function expectClearRefusal(response: RawResponse, badCase: BadCase): void {
  const where = `${badCase.request.method} ${badCase.request.path.slice(0, 80)} (${badCase.name})`;
  expect({ where, status: response.status >= 400 && response.status < 500 ? "4xx" : response.status }).toEqual({ where, status: "4xx" });
  if (badCase.status !== undefined) expect({ where, status: response.status }).toEqual({ where, status: badCase.status });
  const type = String(response.headers["content-type"] ?? "");
  if (badCase.kind === "json") {
    expect({ where, type }).toEqual({ where, type: expect.stringContaining("application/json") });
    const parsed = JSON.parse(response.body) as Record<string, unknown>;
    expect({ where, error: typeof parsed.error, message: typeof parsed.message }).toEqual({ where, error: "string", message: "string" });
  }
  if (badCase.kind === "html") {
    expect({ where, type }).toEqual({ where, type: expect.stringContaining("text/html") });
    expect(response.body).toContain("<html");
  }
  // Refusals never echo a stack trace or SQL.
  expect(response.body).not.toMatch(/at .+\.(ts|js):\d+|SequelizeDatabaseError|syntax error at/);
}

describe("bad input on every route", () => {
  it("has cases for every route the app serves", () => {
    const uncovered = routeKeys().filter((key) => !(key in CASES) && !INPUTLESS.has(key));
    expect(uncovered).toEqual([]);
  });

  it.each(Object.keys(CASES))("%s: every bad input is a clear 4xx and writes nothing", async (route) => {
    const cases = await CASES[route]!();
    expect(cases.length).toBeGreaterThan(0);
    for (const badCase of cases) {
      const before = await snapshotDatabase(world.database.sequelize);
      const response = await rawRequest(world.app.url, badCase.request);
      const after = await snapshotDatabase(world.database.sequelize);
      const wrote = JSON.stringify(after) !== JSON.stringify(before);
      const refused = response.status >= 400 && response.status < 500;
      tally.record("inputs", "accepted bad", { bad: wrote || !refused ? 1 : 0 });
      expectClearRefusal(response, badCase);
      expect({ route, case: badCase.name, after }).toEqual({ route, case: badCase.name, after: before });
    }
  });

  it.each([...INPUTLESS])("%s: junk in the query string never errors and writes nothing", async (route) => {
    const [method, path] = route.split(" ") as [string, string];
    for (const query of ["?id=..%2F..%2Fetc%2Fpasswd", "?x=%27%3B%20DROP%20TABLE%20users%3B--", "?done=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "?%F0%9F%98%80=%00"]) {
      const before = await snapshotDatabase(world.database.sequelize);
      const response = await rawRequest(world.app.url, { method, path: `${path}${query}`, headers: { cookie: userSession.cookie } });
      tally.record("inputs", "accepted bad", { bad: response.status >= 500 ? 1 : 0 });
      expect({ route, query, status: response.status < 500 }).toEqual({ route, query, status: true });
      expect(response.body).not.toContain("<script>alert(1)");
      expect(await snapshotDatabase(world.database.sequelize)).toEqual(before);
    }
  });

  it("a replayed webhook delivery changes nothing", async () => {
    const victim = await seedUser(world.app.services, world.simulator);
    const body = JSON.stringify({ action: "revoked", sender: { id: victim.githubId, login: victim.login } });
    const request: RawRequest = {
      method: "POST",
      path: WEBHOOK_PATH,
      headers: { ...json, "x-github-event": "github_app_authorization", "x-github-delivery": `rel-replay-${victim.githubId}`, "x-hub-signature-256": await sign(world.app.services.config.webhookSecret, body) },
      body,
    };
    expect((await rawRequest(world.app.url, request)).status).toBeLessThan(300);
    const before = await snapshotDatabase(world.database.sequelize);
    const replay = await rawRequest(world.app.url, request);
    tally.record("inputs", "accepted bad");
    expect(replay.status).toBeLessThan(500);
    expect(await snapshotDatabase(world.database.sequelize)).toEqual(before);
  });
});

describe("security headers", () => {
  async function headersOf(path: string, headers: Record<string, string> = {}) {
    return (await rawRequest(world.app.url, { method: "GET", path, headers })).headers;
  }

  it.each(["/", "/me", "/admin", "/admin/users?q=a", "/auth/login", "/auth/callback?code=x&state=forged", "/auth/login?return_to=https%3A%2F%2Fevil.example"])(
    "%s carries CSP frame-ancestors 'none', nosniff, no-referrer and no-store",
    async (path) => {
      const headers = await headersOf(path, { cookie: path.startsWith("/admin") ? maintainerSession.cookie : userSession.cookie });
      expect(headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
      expect(headers["x-content-type-options"]).toBe("nosniff");
      expect(headers["referrer-policy"]).toBe("no-referrer");
      expect(headers["x-frame-options"]).toBeDefined();
      expect(headers["cache-control"]).toBe("no-store");
    },
  );

  it("token answers, good and bad, are no-store", async () => {
    for (const [path, headers] of [
      [`/api/v1/users/${USER_ID()}/token`, service()],
      [`/api/v1/users/${USER_ID()}/token`, {}],
      ["/api/v1/users/424242/token", service()],
    ] as const) {
      const answer = await rawRequest(world.app.url, { method: "GET", path, headers });
      expect(answer.headers["cache-control"]).toBe("no-store");
      expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    }
  });
});
