// The HTML pages during a database outage (the app's connection cut at a proxy, the shared Postgres
// untouched): every page that needs the database answers the styled "database unreachable" page
// with 503 and Retry-After, the JSON routes keep their `503 database_unavailable`, nothing is logged
// as an unhandled error, and the pages come back by themselves with the database.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Sequelize } from "sequelize";
import { connectDatabase } from "../../src/db/connection.js";
import { STYLESHEET_HREF } from "../../src/http/pages/stylesheet.js";
import { chooseAtGitHub, csrfTokenIn, locationOf, startSignInWorld, type Browser, type SignInWorld } from "../support/sign-in-fixture.js";
import { MAINTAINER, signedInBrowser } from "../support/dashboard-fixture.js";
import { seedUser, type SeededUser } from "../support/vault-fixture.js";
import { startCuttableProxy, type CuttableProxy } from "./tcp-proxy.js";

let world: SignInWorld;
let proxy: CuttableProxy;
let proxied: Sequelize;
let maintainer: Browser;
let user: SeededUser;

beforeAll(async () => {
  world = await startSignInWorld({
    env: { ADMIN_GITHUB_LOGINS: MAINTAINER },
    connect: async (database) => {
      proxy = await startCuttableProxy(database.url);
      proxied = connectDatabase({ url: proxy.url, maxConnections: 5, queryTimeoutMs: 3_000 });
      return proxied;
    },
  });
  world.simulator.addUser({ login: MAINTAINER });
  maintainer = await signedInBrowser(world, MAINTAINER);
  user = await seedUser(world.app.services, world.simulator);
}, 60_000);
afterAll(async () => {
  proxy?.restore();
  await world?.stop();
  await proxied?.close();
  await proxy?.close();
});

async function untilReadiness(status: number): Promise<void> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    if ((await fetch(`${world.app.url}/readyz`)).status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/readyz never answered ${status}`);
}

describe("HTML pages while the database is unreachable", () => {
  it("answer the styled 503 page with Retry-After wherever they need the database, while JSON routes keep their 503", async () => {
    const dashboard = await maintainer.get("/admin");
    expect(dashboard.status).toBe(200);
    const csrfToken = csrfTokenIn(await dashboard.text());
    // A sign-in GitHub approved just before the outage: its return needs the stored state.
    const signInReturn = await chooseAtGitHub(locationOf(await maintainer.get("/auth/login")), { login: MAINTAINER });

    proxy.cut();
    await untilReadiness(503);

    const pages = {
      "your account (/me)": await maintainer.get("/me"),
      "starting a sign-in (/auth/login)": await maintainer.get("/auth/login"),
      "a sign-in's return (/auth/callback)": await maintainer.get(signInReturn),
      "the console's overview (/admin)": await maintainer.get("/admin"),
      "the console's users (/admin/users)": await maintainer.get("/admin/users?q=a&status=pending"),
      "a user's page (/admin/users/:github_id)": await maintainer.get(`/admin/users/${user.githubId}`),
      "the console's batches (/admin/batches)": await maintainer.get("/admin/batches"),
      "the console's flags (/admin/flags)": await maintainer.get("/admin/flags"),
      "the console's installations (/admin/installations)": await maintainer.get("/admin/installations"),
      "the console's readiness (/admin/readiness)": await maintainer.get("/admin/readiness"),
      "a dashboard confirmation page": await maintainer.post("/admin/users", { csrf_token: csrfToken, login: user.login, action: "rollback" }),
      "disconnecting (/me/disconnect)": await maintainer.post("/me/disconnect", { csrf_token: csrfToken }),
    };
    for (const [name, response] of Object.entries(pages)) {
      const body = await response.text();
      expect({
        name,
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        type: response.headers.get("content-type"),
        cache: response.headers.get("cache-control"),
        styled: body.includes(`<link rel="stylesheet" href="${STYLESHEET_HREF}">`),
        title: /<h1>([^<]*)<\/h1>/.exec(body)?.[1],
      }).toEqual({
        name,
        status: 503,
        retryAfter: "5",
        type: "text/html; charset=UTF-8",
        cache: "no-store",
        styled: true,
        title: "The database is unreachable",
      });
      expect(body).not.toMatch(/Something went wrong|SequelizeConnection|ECONN/);
    }

    // The start page needs no database: it keeps working, and the outage page links there.
    expect((await maintainer.get("/")).status).toBe(200);

    const tokenApi = await fetch(`${world.app.url}/api/v1/users/${user.githubId}/token`, {
      headers: { authorization: `Bearer ${world.app.services.config.serviceApiToken}` },
    });
    expect({ status: tokenApi.status, retryAfter: tokenApi.headers.get("retry-after"), body: await tokenApi.json() }).toMatchObject({
      status: 503,
      retryAfter: "5",
      body: { error: "database_unavailable" },
    });

    const pageErrors = world.app.logLines().filter((line) => line.event === "page.error");
    expect(pageErrors.length).toBeGreaterThanOrEqual(Object.keys(pages).length);
    expect(new Set(pageErrors.map((line) => line.error_code))).toEqual(new Set(["database_unavailable"]));
    expect(world.app.logLines().filter((line) => /unhandled error/.test(String(line.msg)))).toEqual([]);

    proxy.restore();
    await untilReadiness(200);
    expect((await maintainer.get("/me")).status).toBe(200);
    for (const path of ["/admin", "/admin/users", `/admin/users/${user.githubId}`]) expect((await maintainer.get(path)).status).toBe(200);
  }, 60_000);
});
