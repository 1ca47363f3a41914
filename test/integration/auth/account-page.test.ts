import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { seedUser } from "../../support/vault-fixture.js";
import { Browser, csrfTokenIn, locationOf, signIn, startSignInWorld, type SignInWorld } from "../../support/sign-in-fixture.js";

let world: SignInWorld;

beforeAll(async () => {
  world = await startSignInWorld();
});
afterAll(() => world?.stop());

let sequence = 0;

/** A user signed in through the App in a fresh browser, with their /me page's CSRF token. */
async function signedInUser() {
  const login = `account-${++sequence}`;
  const githubUser = world.simulator.addUser({ login });
  const browser = new Browser(world.app.url);
  await signIn(browser, { login });
  const csrfToken = csrfTokenIn(await (await browser.get("/me")).text());
  const user = await world.database.models.User.findOne({ where: { githubId: githubUser.id } });
  const accessToken = world.app.services.tokenStore.readAppTokens(user!)!.accessToken;
  return { login, githubId: githubUser.id, browser, csrfToken, accessToken };
}

describe("GET / and GET /me", () => {
  it("shows the landing page with Connect GitHub to a visitor", async () => {
    const response = await new Browser(world.app.url).get("/");
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('<a class="call-to-action" href="/auth/login">Connect GitHub</a>');
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("sends a visitor without a session from /me to /", async () => {
    const response = await new Browser(world.app.url).get("/me");
    expect(response.status).toBe(302);
    expect(locationOf(response)).toBe("/");
  });

  it("does not accept a session cookie whose signature was altered", async () => {
    const { browser } = await signedInUser();
    const [name, value] = [...browser.cookies][0]!;
    browser.cookies.set(name, value.replace(/^\d+/, "1"));
    expect(locationOf(await browser.get("/me"))).toBe("/");
  });

  it("tells a legacy user who disconnected the App that the application is back on their OAuth token", async () => {
    const seeded = await seedUser(world.app.services, world.simulator, { app: false, legacy: true });
    const browser = new Browser(world.app.url);
    await signIn(browser, { login: seeded.login });
    const csrfToken = csrfTokenIn(await (await browser.get("/me")).text());
    await browser.post("/me/disconnect", { csrf_token: csrfToken });

    const html = await (await browser.get("/me")).text();
    expect(html).toContain("The application still uses your legacy OAuth token");
    expect(html).toContain("You have not authorized the GitHub App yet");
    expect(html).toMatch(/id="app-token">none</);
    expect(html).toMatch(/id="legacy-token">present</);
    expect(html).toContain("Only a GitHub App user token can list them.");
  });

  it("explains to a migrated user outside the rollout why the legacy token is still the one in use", async () => {
    const seeded = await seedUser(world.app.services, world.simulator, { legacy: true });
    const browser = new Browser(world.app.url);
    await signIn(browser, { login: seeded.login });
    await world.app.services.flags.set({ name: "github_app_tokens_rollout_percent", value: 0, actor: "test" });
    try {
      const html = await (await browser.get("/me")).text();
      expect(html).toContain("The application still uses your legacy OAuth token");
      expect(html).toContain("rolled out in stages and has not reached your account yet");
    } finally {
      await world.app.services.flags.set({ name: "github_app_tokens_rollout_percent", value: 100, actor: "test" });
    }
  });
});

describe("POST /me/disconnect", () => {
  it("revokes the App token at GitHub, wipes it and records the user's disconnection", async () => {
    const { browser, csrfToken, accessToken, githubId, login } = await signedInUser();
    expect(world.simulator.isTokenValid(accessToken)).toBe(true);

    const response = await browser.post("/me/disconnect", { csrf_token: csrfToken });
    expect(response.status).toBe(303);
    expect(locationOf(response)).toBe("/me?done=disconnected");
    expect(world.simulator.isTokenValid(accessToken)).toBe(false);

    const user = await world.database.models.User.findOne({ where: { githubId } });
    expect(user?.githubAppUserToken).toBeNull();
    expect(user?.githubAppRefreshToken).toBeNull();
    expect(user?.tokenMigrationStatus).toBe("revoked");
    const events = await world.database.models.MigrationEvent.findAll({ where: { userId: user!.id }, order: [["id", "ASC"]] });
    expect(events.map((event) => [event.fromStatus, event.toStatus, event.actor, event.reason])).toEqual([
      ["pending", "migrated", login, "authorized the GitHub App"],
      ["migrated", "revoked", login, "disconnected by the user"],
    ]);
    const page = await (await browser.get("/me?done=disconnected")).text();
    expect(page).toContain("revoked at GitHub and deleted here");
    expect(page).toContain("has no usable token for you");
  });

  it("refuses a form without the session's CSRF token, and one from another origin, revoking nothing", async () => {
    const { browser, csrfToken, accessToken } = await signedInUser();
    world.simulator.counters.reset();

    const withoutToken = await browser.post("/me/disconnect", {});
    expect(withoutToken.status).toBe(403);
    expect(await withoutToken.text()).toContain("That form could not be accepted");
    const wrongToken = await browser.post("/me/disconnect", { csrf_token: `${csrfToken.slice(0, -1)}x` });
    expect(wrongToken.status).toBe(403);
    const crossOrigin = await browser.post("/me/disconnect", { csrf_token: csrfToken }, { origin: "https://evil.example" });
    expect(crossOrigin.status).toBe(403);
    const noOrigin = await browser.post("/me/disconnect", { csrf_token: csrfToken }, { origin: null });
    expect(noOrigin.status).toBe(403);

    expect(world.simulator.counters.calls("delete_token")).toBe(0);
    expect(world.simulator.isTokenValid(accessToken)).toBe(true);
  });

  it("wipes nothing when GitHub cannot be told, and says so", async () => {
    const { browser, csrfToken, accessToken, githubId } = await signedInUser();
    world.simulator.injectFault("delete_token", { status: 503 });

    const response = await browser.post("/me/disconnect", { csrf_token: csrfToken });
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("We could not reach GitHub just now");
    const user = await world.database.models.User.findOne({ where: { githubId } });
    expect(user?.tokenMigrationStatus).toBe("migrated");
    expect(world.app.services.tokenStore.readAppTokens(user!)?.accessToken).toBe(accessToken);
  });
});

describe("POST /auth/logout", () => {
  it("clears the session cookie", async () => {
    const { browser, csrfToken } = await signedInUser();
    const response = await browser.post("/auth/logout", { csrf_token: csrfToken });
    expect(response.status).toBe(303);
    expect(locationOf(response)).toBe("/");
    expect(response.headers.getSetCookie().join("\n")).toMatch(/^session=; Max-Age=0/);
    expect(browser.cookies.size).toBe(0);
    expect(locationOf(await browser.get("/me"))).toBe("/");
  });
});
