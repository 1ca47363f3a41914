// The admin API for a maintainer signed in through GitHub (DESIGN: "ADMIN_API_TOKEN, or a signed
// session of a login in ADMIN_GITHUB_LOGINS"), next to the admin key.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Browser, SignInWorld } from "../../support/sign-in-fixture.js";
import { MAINTAINER, signedInBrowser, startDashboardWorld } from "../../support/dashboard-fixture.js";

let world: SignInWorld;
let maintainer: Browser;
let outsider: Browser;

beforeAll(async () => {
  world = await startDashboardWorld();
  maintainer = await signedInBrowser(world, MAINTAINER);
  world.simulator.addUser({ login: "just-a-user" });
  outsider = await signedInBrowser(world, "just-a-user");
});
afterAll(() => world?.stop());

function cookieOf(browser: Browser): string {
  return [...browser.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
}

async function call(browser: Browser, method: string, path: string, { body, origin }: { body?: unknown; origin?: string | null } = {}) {
  const headers: Record<string, string> = { cookie: cookieOf(browser), "content-type": "application/json" };
  if (origin !== null) headers.origin = origin ?? world.app.url;
  const response = await fetch(`${world.app.url}/api/v1/admin${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("the admin API with a maintainer's session", () => {
  it("reads with the session alone", async () => {
    const overview = await call(maintainer, "GET", "/migration", { origin: null });
    expect(overview.status).toBe(200);
    expect(overview.body).toHaveProperty("by_status");
  });

  it("changes a flag from our own origin and records the maintainer as the actor", async () => {
    const changed = await call(maintainer, "PUT", "/flags/github_app_tokens_rollout_percent", { body: { value: 25 } });
    expect(changed.status).toBe(200);
    const [latest] = await world.app.services.flags.history({ name: "github_app_tokens_rollout_percent", limit: 1 });
    expect(latest).toMatchObject({ changedBy: MAINTAINER, newValue: 25 });
  });

  it("refuses a write without our Origin (a browser sends the cookie for any site) and writes nothing", async () => {
    const before = await world.app.services.flags.history();
    for (const origin of ["https://evil.example", null]) {
      const refused = await call(maintainer, "PUT", "/flags/github_app_tokens_rollout_percent", { body: { value: 99 }, origin });
      expect(refused).toEqual({ status: 403, body: { error: "forbidden", message: expect.stringContaining("own pages") } });
    }
    expect(await world.app.services.flags.history()).toEqual(before);
  });

  it("refuses a signed-in user who is not a maintainer, and a visitor with no session or key", async () => {
    const refused = await call(outsider, "GET", "/migration");
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain("just-a-user is not one of this service's maintainers");
    const anonymous = await fetch(`${world.app.url}/api/v1/admin/migration`);
    expect(anonymous.status).toBe(401);
  });

  it("judges a request that carries an Authorization header by the key alone, even with a maintainer's cookie", async () => {
    const response = await fetch(`${world.app.url}/api/v1/admin/migration`, {
      headers: { cookie: cookieOf(maintainer), authorization: "Bearer not-the-admin-key" },
    });
    expect(response.status).toBe(401);
  });
});
