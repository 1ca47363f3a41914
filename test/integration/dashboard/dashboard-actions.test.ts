import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Browser, csrfTokenIn, locationOf, signIn, snapshotTables, type SignInWorld } from "../../support/sign-in-fixture.js";
import { MAINTAINER, startSignedInConsole } from "../../support/dashboard-fixture.js";
import { seedUser } from "../../support/vault-fixture.js";

let world: SignInWorld;
let maintainer: Browser;
let csrfToken: string;

beforeAll(async () => {
  ({ world, maintainer, csrfToken } = await startSignedInConsole());
});
afterAll(() => world?.stop());

/** Everything an action may write, to show a refused one wrote nothing. */
async function snapshot() {
  const { models } = world.app.services;
  const [batches] = await models.sequelize.query("SELECT * FROM migration_batches ORDER BY id");
  const [flags] = await models.sequelize.query("SELECT * FROM feature_flag_changes ORDER BY id");
  return { ...(await snapshotTables(models)), batches, flags };
}

describe("who gets into the dashboard", () => {
  it("sends a visitor who is not signed in to the GitHub sign-in for maintainers", async () => {
    const response = await new Browser(world.app.url).get("/admin");
    expect(response.status).toBe(302);
    expect(locationOf(response)).toBe("/auth/login?purpose=admin");
  });

  it("does not take the admin API key for the HTML pages (their forms need a session's CSRF token); the JSON API still does", async () => {
    const key = world.app.services.config.adminApiToken;
    const page = await fetch(`${world.app.url}/admin`, { headers: { authorization: `Bearer ${key}` }, redirect: "manual" });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/auth/login?purpose=admin");
    const api = await fetch(`${world.app.url}/api/v1/admin/migration`, { headers: { authorization: `Bearer ${key}` } });
    expect(api.status).toBe(200);
  });

  it("lets a maintainer in through /auth/login?purpose=admin, which returns to /admin", async () => {
    const response = await maintainer.get("/admin");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<title>Migration dashboard</title>");
  });

  it("refuses a signed-in user who is not a maintainer with a 403 page, for the page and for every action", async () => {
    const login = "not-a-maintainer";
    world.simulator.addUser({ login });
    const browser = new Browser(world.app.url);
    const callback = await signIn(browser, { login }, "/auth/login?purpose=admin");
    expect(locationOf(callback)).toBe("/admin");

    const page = await browser.get("/admin");
    const html = await page.text();
    expect(page.status).toBe(403);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(html).toContain("This dashboard is for maintainers");
    expect(html).toContain(`You are signed in as ${login}, which is not one of this site&#39;s maintainers`);

    const token = csrfTokenIn(await (await browser.get("/me")).text());
    const before = await snapshot();
    for (const [path, form] of [
      ["/admin/batches", { confirm: "yes" }],
      ["/admin/users", { login: MAINTAINER, action: "rollback", confirm: "yes" }],
      ["/admin/flags", { name: "github_app_tokens_enabled", value: "false", confirm: "yes" }],
    ] as const) {
      const response = await browser.post(path, { csrf_token: token, ...form });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain("This dashboard is for maintainers");
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe("the dashboard's actions", () => {
  const ACTIONS: Array<{ name: string; path: string; form: Record<string, string>; confirmTitle: string }> = [
    { name: "start a batch", path: "/admin/batches", form: { size: "5" }, confirmTitle: "Confirm a migration batch" },
    { name: "validate a user", path: "/admin/users", form: { login: MAINTAINER, action: "validate" }, confirmTitle: `Confirm: Validate ${MAINTAINER}` },
    { name: "roll back a user", path: "/admin/users", form: { login: MAINTAINER, action: "rollback" }, confirmTitle: `Confirm: Roll back ${MAINTAINER}` },
    {
      name: "change a flag",
      path: "/admin/flags",
      form: { name: "github_app_tokens_rollout_percent", value: "40" },
      confirmTitle: "Confirm: change github_app_tokens_rollout_percent",
    },
  ];

  it.each(ACTIONS)("$name: refused without the CSRF token, with a wrong one, or from another origin; nothing written", async ({ path, form }) => {
    const before = await snapshot();
    for (const attempt of [
      maintainer.post(path, { ...form, confirm: "yes" }),
      maintainer.post(path, { ...form, confirm: "yes", csrf_token: "forged" }),
      maintainer.post(path, { ...form, confirm: "yes", csrf_token: csrfToken }, { origin: "http://evil.example" }),
    ]) {
      const response = await attempt;
      expect(response.status).toBe(403);
      expect(await response.text()).toContain("That form could not be accepted");
    }
    expect(await snapshot()).toEqual(before);
  });

  it.each(ACTIONS)("$name: without confirmation answers the confirmation page and changes nothing", async ({ path, form, confirmTitle }) => {
    const before = await snapshot();
    const response = await maintainer.post(path, { ...form, csrf_token: csrfToken });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain(`<h1>${confirmTitle}</h1>`);
    expect(html).toContain(`<form method="post" action="${path}" class="confirm">`);
    expect(html).toContain(`name="csrf_token" value="${csrfToken}"`);
    expect(html).toContain('<input type="checkbox" id="confirm" name="confirm" value="yes" required>');
    for (const [name, value] of Object.entries(form)) expect(html).toContain(`<input type="hidden" name="${name}" value="${value}">`);
    expect(await snapshot()).toEqual(before);
  });

  it("starts a batch when confirmed, records the maintainer as its requester, and redirects back (PRG)", async () => {
    const { services } = world.app;
    const waiting = await seedUser(world.app.services, world.simulator, { legacy: true, app: false, walkTo: "pending" });
    const response = await maintainer.post("/admin/batches", { size: "5", confirm: "yes", csrf_token: csrfToken });
    expect(response.status).toBe(303);
    const location = locationOf(response);
    expect(location).toMatch(/^\/admin\/batches\?done=batch_started&batch=\d+$/);
    await services.migrationBatches.whenIdle();
    const batchId = Number(new URL(location, world.app.url).searchParams.get("batch"));
    const batch = await services.migrationBatches.get(batchId);
    expect([batch.state, batch.requestedBy, batch.size, batch.dryRun]).toEqual(["finished", MAINTAINER, 5, false]);
    await waiting.user.reload();
    expect(waiting.user.tokenMigrationStatus).toBe("consent_required");
    const html = await (await maintainer.get(location)).text();
    expect(html).toContain(`<p role="status" id="notice">Batch #${batchId} started. Its progress shows below.</p>`);
    expect(html).toMatch(new RegExp(`<tr id="batch-${batchId}" data-state="finished">`));
    expect(await (await maintainer.get("/admin")).text()).toContain(`data-login="${waiting.login}"`);
  });

  it("runs a dry run that changes no user", async () => {
    const pending = await seedUser(world.app.services, world.simulator, { legacy: true, app: false, walkTo: "pending" });
    const response = await maintainer.post("/admin/batches", { dry_run: "yes", confirm: "yes", csrf_token: csrfToken });
    expect(response.status).toBe(303);
    await world.app.services.migrationBatches.whenIdle();
    const [latest] = await world.app.services.migrationBatches.recent(1);
    expect(latest?.dryRun).toBe(true);
    expect(latest?.counts.candidates).toBeGreaterThanOrEqual(1);
    await pending.user.reload();
    expect(pending.user.tokenMigrationStatus).toBe("pending");
  });

  it("validates a user at GitHub when confirmed", async () => {
    const failed = await seedUser(world.app.services, world.simulator, { legacy: true, walkTo: "failed" });
    const response = await maintainer.post("/admin/users", { login: failed.login, action: "validate", confirm: "yes", csrf_token: csrfToken });
    expect(locationOf(response)).toBe(`/admin/users/${failed.githubId}?done=validated&login=${failed.login}`);
    await failed.user.reload();
    expect(failed.user.tokenMigrationStatus).toBe("migrated");
    const [event] = await world.app.services.models.MigrationEvent.findAll({ where: { userId: failed.user.id }, order: [["id", "DESC"]], limit: 1 });
    expect([event?.toStatus, event?.actor, event?.reason]).toEqual(["migrated", MAINTAINER, "App token validated"]);
  });

  it("rolls a user back and re-enables them when confirmed, each recorded with the maintainer and reason", async () => {
    const migrated = await seedUser(world.app.services, world.simulator, { legacy: true, walkTo: "migrated" });
    const rollback = await maintainer.post("/admin/users", {
      login: migrated.login.toUpperCase(), // logins are case-insensitive
      action: "rollback",
      reason: "support ticket 42",
      confirm: "yes",
      csrf_token: csrfToken,
    });
    expect(rollback.status).toBe(303);
    await migrated.user.reload();
    expect(migrated.user.tokenMigrationStatus).toBe("rolled_back");
    expect(locationOf(rollback)).toBe(`/admin/users/${migrated.githubId}?done=rolled_back&login=${migrated.login.toUpperCase()}`);
    expect(await (await maintainer.get(locationOf(rollback))).text()).toContain("was rolled back: the application serves their legacy OAuth token again.");
    expect(await (await maintainer.get("/admin")).text()).toContain("migrated → rolled_back<br><span class=\"muted\">support ticket 42</span>");

    const again = await maintainer.post("/admin/users", { login: migrated.login, action: "rollback", confirm: "yes", csrf_token: csrfToken });
    expect(again.status).toBe(409);
    const refusal = await again.text();
    expect(refusal).toContain("That action was refused");
    expect(refusal).toContain('<a href="/admin">Back to the dashboard</a>');

    const reenable = await maintainer.post("/admin/users", { login: migrated.login, action: "reenable", confirm: "yes", csrf_token: csrfToken });
    expect(locationOf(reenable)).toBe(`/admin/users/${migrated.githubId}?done=reenabled&login=${migrated.login}`);
    await migrated.user.reload();
    expect(migrated.user.tokenMigrationStatus).toBe("pending");
  });

  it("changes a flag when confirmed, with the maintainer in its history", async () => {
    const response = await maintainer.post("/admin/flags", {
      name: "github_app_tokens_allow_list",
      value: "Octocat, hubot",
      confirm: "yes",
      csrf_token: csrfToken,
    });
    expect(locationOf(response)).toBe("/admin/flags?done=flag_changed&flag=github_app_tokens_allow_list");
    const [change] = await world.app.services.flags.history({ name: "github_app_tokens_allow_list", limit: 1 });
    expect([change?.newValue, change?.changedBy]).toEqual([["octocat", "hubot"], MAINTAINER]);
  });

  it.each([
    ["/admin/flags", { name: "github_app_tokens_rollout_percent", value: "250" }, 400, "must be at most 100"],
    ["/admin/flags", { name: "no_such_flag", value: "1" }, 400, "name: must be one of"],
    ["/admin/users", { login: "nobody-known-here", action: "rollback" }, 404, "No user with the GitHub login nobody-known-here"],
    ["/admin/users", { login: "-bad-", action: "rollback" }, 400, "login: must be a GitHub login"],
    ["/admin/batches", { size: "0" }, 400, "size: must be at least 1"],
  ] as const)("refuses %s %j with a %i page saying why, before any confirmation", async (path, form, status, reason) => {
    const before = await snapshot();
    const response = await maintainer.post(path, { ...form, csrf_token: csrfToken });
    expect(response.status).toBe(status);
    expect(await response.text()).toContain(reason);
    expect(await snapshot()).toEqual(before);
  });
});
