import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Browser, csrfTokenIn, locationOf, signIn, type SignInWorld } from "../../support/sign-in-fixture.js";
import { MAINTAINER, signedInBrowser, startDashboardWorld } from "../../support/dashboard-fixture.js";
import { seedUser } from "../../support/vault-fixture.js";

let world: SignInWorld;
const CONSOLE_PATHS = ["/admin", "/admin/users", "/admin/batches", "/admin/flags", "/admin/installations", "/admin/readiness"];

beforeAll(async () => {
  world = await startDashboardWorld();
});
afterAll(() => world?.stop());

/** The `<tr>` carrying `attribute`, e.g. data-status="failed". */
function rowOf(html: string, attribute: string): string {
  const match = new RegExp(`<tr ${attribute}[^>]*>([\\s\\S]*?)</tr>`).exec(html);
  if (!match?.[1]) throw new Error(`no row with ${attribute}`);
  return match[1];
}

function sectionOf(html: string, headingId: string): string {
  const match = new RegExp(`<section aria-labelledby="${headingId}">([\\s\\S]*?)</section>`).exec(html);
  if (!match?.[1]) throw new Error(`no section ${headingId}`);
  return match[1];
}

describe("the console over a seeded database", () => {
  it("shows progress, attention, events and figures on the overview, and batches, flags and installations on their pages", async () => {
    const { services } = world.app;
    const browser = await signedInBrowser(world, MAINTAINER); // the maintainer is a migrated user too
    await seedUser(world.app.services, world.simulator, { legacy: true, walkTo: "migrated" });
    const retrying = await seedUser(world.app.services, world.simulator, { legacy: true, walkTo: "migrated" });
    await retrying.user.update({ refreshFailureCount: 2, lastRefreshError: "GitHub answered 502", nextRefreshAttemptAt: new Date(Date.now() + 60_000) });
    const waiting = await seedUser(world.app.services, world.simulator, { legacy: true, app: false, walkTo: "consent_required" });
    const expired = await seedUser(world.app.services, world.simulator, { legacy: true, walkTo: "reauth_required" });
    const revoked = await seedUser(world.app.services, world.simulator, { legacy: true, walkTo: "revoked" });
    const failed = await seedUser(world.app.services, world.simulator, { legacy: true, walkTo: "failed" });
    const rolledBack = await seedUser(world.app.services, world.simulator, { legacy: true, walkTo: "rolled_back" });
    await seedUser(world.app.services, world.simulator, { legacy: true, app: false, walkTo: "pending" });
    await services.flags.set({ name: "github_app_tokens_rollout_percent", value: 25, actor: "octo-lead" });
    await services.models.Installation.create({
      id: 4242,
      accountId: 99,
      accountLogin: "acme-<org>",
      accountType: "Organization",
      targetType: "Organization",
      repositorySelection: "all",
    });
    await services.models.MigrationBatch.create({
      requestedBy: "octo-lead",
      size: 10,
      state: "finished",
      counts: { claimed: 4, migrated: 3, consent_required: 1 },
      finishedAt: new Date(),
    });

    const response = await browser.get("/admin");
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/app\.css\?v=[0-9a-f]{12}">/);
    expect(html).not.toContain("<script");
    expect(html).not.toContain('http-equiv="refresh"'); // no batch is running
    expect(html).toContain(`Signed in as <strong id="maintainer">${MAINTAINER}</strong>`);

    expect(html).toContain('<strong id="percent-migrated">33.3%</strong> of 9 users migrated');
    expect(rowOf(html, 'data-status="migrated"')).toMatch(/<td data-label="Users" class="number">3<\/td>[\s\S]*<progress class="status-migrated" max="9" value="3" aria-label="migrated: 33.3%">/);
    for (const status of ["pending", "consent_required", "reauth_required", "revoked", "failed", "rolled_back"]) {
      expect(rowOf(html, `data-status="${status}"`)).toContain('<td data-label="Users" class="number">1</td>');
    }

    const attention = sectionOf(html, "attention-heading");
    for (const user of [waiting, expired, revoked, failed]) expect(attention).toContain(`data-login="${user.login}"`);
    expect(attention).not.toContain(`data-login="${rolledBack.login}"`);
    expect(rowOf(attention, `data-login="${expired.login}"`)).toContain("refresh failed: bad_refresh_token <span class=\"muted\">— system,");
    expect(rowOf(attention, `data-login="${waiting.login}"`)).toContain("no GitHub App token; consent link issued");
    expect(rowOf(attention, `data-login="${failed.login}"`)).toMatch(/<td data-label="Status">failed<\/td>/);

    expect(sectionOf(html, "attention-heading")).toContain(`<li><a href="/admin/users?status=failed">failed</a>: <strong>1</strong></li>`);
    const events = sectionOf(html, "events-heading");
    expect(events).toContain(`<th scope="row"><a href="/admin/users/${rolledBack.githubId}">${rolledBack.login}</a></th>`);
    expect(events).toContain("pending → rolled_back");

    const figures = sectionOf(html, "figures-heading");
    // Tokens were stored for the maintainer and the six users seeded with one; five users became migrated.
    expect(figures).toMatch(/issued or refreshed<\/dt><dd>7<\/dd>/);
    expect(figures).toMatch(/Users newly migrated<\/dt><dd>5<\/dd>/);
    expect(figures).toMatch(/backing off\)<\/dt><dd>1<\/dd>/);
    expect(figures).toMatch(/now reauth_required\)<\/dt><dd>1<\/dd>/);
    expect(figures).toMatch(/legacy token and no App token<\/dt><dd>2<\/dd>/);

    const flagsPage = await (await browser.get("/admin/flags")).text();
    const flags = sectionOf(flagsPage, "flags-heading");
    expect(rowOf(flags, 'data-flag="github_app_tokens_rollout_percent"')).toMatch(/<code>25<\/code>[\s\S]*set by octo-lead/);
    expect(rowOf(flags, 'data-flag="github_app_tokens_enabled"')).toContain("environment default");
    expect(sectionOf(flagsPage, "flag-history-heading")).toMatch(/<th scope="row"><code>github_app_tokens_rollout_percent<\/code><\/th>\s*<td data-label="From"><code>100<\/code><\/td>\s*<td data-label="To"><code>25<\/code><\/td>\s*<td data-label="By">octo-lead<\/td>/);

    const installations = sectionOf(await (await browser.get("/admin/installations")).text(), "installations-heading");
    expect(installations).toContain("acme-&lt;org&gt; <span class=\"muted\">(installation 4242)</span>"); // escaped
    expect(installations).toContain('<td data-label="State">active</td>');

    expect(sectionOf(html, "running-batches-heading")).toContain("No batch is running.");
    const batches = sectionOf(await (await browser.get("/admin/batches")).text(), "batches-heading");
    expect(batches).toMatch(/<td data-label="State" class="state-finished">finished<\/td>/);
    expect(batches).toContain("4 users</progress>");
    expect(batches).toContain("migrated: 3, consent required: 1");
  });

  it("reloads the overview and the batches page only while a batch is running, with a same-origin stylesheet and no script", async () => {
    const { services } = world.app;
    const browser = await signedInBrowser(world, MAINTAINER);
    const running = await services.models.MigrationBatch.create({ requestedBy: MAINTAINER, size: 20, counts: { claimed: 5, migrated: 2 } });
    for (const path of ["/admin", "/admin/batches"]) {
      const html = await (await browser.get(path)).text();
      expect(html).toContain('<meta http-equiv="refresh" content="3">');
      expect(html).toMatch(new RegExp(`<tr id="batch-${running.id}" data-state="running">[\\s\\S]*<progress max="20" value="2" aria-label="Batch ${running.id}: 2 of 20 users">`));
    }
    expect(await (await browser.get("/admin/flags")).text()).not.toContain('http-equiv="refresh"');
    await running.update({ state: "finished", finishedAt: new Date() });
    for (const path of ["/admin", "/admin/batches"]) expect(await (await browser.get(path)).text()).not.toContain('http-equiv="refresh"');

    const css = await fetch(`${world.app.url}/assets/app.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const stylesheet = await css.text();
    expect(stylesheet).toContain(":focus-visible");
    expect(stylesheet).toContain("prefers-color-scheme: dark");
  });

  it("links the same stylesheet from every page a user or maintainer sees", async () => {
    const browser = await signedInBrowser(world, MAINTAINER);
    const stylesheetLink = /<link rel="stylesheet" href="\/assets\/app\.css\?v=[0-9a-f]{12}">/;
    for (const path of ["/", "/me", ...CONSOLE_PATHS, "/auth/callback?state=forged&code=x"]) {
      expect(await (await browser.get(path)).text()).toMatch(stylesheetLink);
    }
    const confirm = await browser.post("/admin/batches", { size: "5", csrf_token: csrfTokenIn(await (await browser.get("/admin")).text()) });
    expect(await confirm.text()).toMatch(stylesheetLink);
  });

  it("carries the same navigation on every console page, the current one marked, and a user's page marked as part of Users", async () => {
    const browser = await signedInBrowser(world, MAINTAINER);
    const { githubId } = await seedUser(world.app.services, world.simulator, { legacy: true, walkTo: "migrated" });
    const navOf = (html: string) => /<nav aria-label="Maintainers' console" class="console">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? "";
    const current = (html: string) => [...navOf(html).matchAll(/<a href="([^"]+)" aria-current="(page|true)">/g)].map((match) => `${match[1]} ${match[2]}`);
    for (const path of CONSOLE_PATHS) {
      const response = await browser.get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      const html = await response.text();
      expect(navOf(html).match(/<a href="/g)).toHaveLength(CONSOLE_PATHS.length);
      expect(current(html)).toEqual([`${path} page`]);
      expect(html).toContain(`Signed in as <strong id="maintainer">${MAINTAINER}</strong>`);
      expect(html).not.toContain("<script");
    }
    expect(current(await (await browser.get(`/admin/users/${githubId}`)).text())).toEqual(["/admin/users true"]);
  });

  it("sends a visitor who is not signed in to the maintainers' sign-in, which returns to the page asked for", async () => {
    for (const [path, location] of [
      ["/admin", "/auth/login?purpose=admin"],
      ["/admin/users?status=failed", "/auth/login?purpose=admin&return_to=%2Fadmin%2Fusers%3Fstatus%3Dfailed"],
      ["/admin/flags", "/auth/login?purpose=admin&return_to=%2Fadmin%2Fflags"],
    ]) {
      const response = await new Browser(world.app.url).get(path!);
      expect({ path, status: response.status, location: locationOf(response) }).toEqual({ path, status: 302, location });
    }
    const browser = new Browser(world.app.url);
    const callback = await signIn(browser, { login: MAINTAINER }, "/auth/login?purpose=admin&return_to=%2Fadmin%2Fflags");
    expect(locationOf(callback)).toBe("/admin/flags");
  });
});
