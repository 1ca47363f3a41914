import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { transitionUser } from "../../../src/users/status-machine.js";
import { seedUser } from "../../support/vault-fixture.js";
import { Browser, chooseAtGitHub, locationOf, signIn, snapshotTables, startSignInWorld, type SignInWorld } from "../../support/sign-in-fixture.js";

let world: SignInWorld;

beforeAll(async () => {
  world = await startSignInWorld();
});
afterAll(() => world?.stop());

let sequence = 0;
function newLogin(prefix: string) {
  return `${prefix}-${++sequence}`;
}

describe("signing in with the GitHub App (against the simulator)", () => {
  it("goes GET /auth/login → GitHub → callback → session cookie → /me showing the App token in use", async () => {
    const { app, simulator, database } = world;
    const login = newLogin("octo");
    const githubUser = simulator.addUser({ login });
    const org = simulator.addInstallation({ account: { login: newLogin("org") }, userLogins: [login] });
    const browser = new Browser(app.url);

    const start = await browser.get("/auth/login");
    expect(start.status).toBe(302);
    expect(start.headers.get("cache-control")).toBe("no-store");
    expect(start.headers.get("referrer-policy")).toBe("no-referrer");
    const authorize = new URL(locationOf(start));
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${simulator.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get("client_id")).toBe(app.services.config.appClientId);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${app.url}/auth/callback`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = authorize.searchParams.get("state") ?? "";
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The sign-in is bound to this browser until the callback.
    expect(start.headers.getSetCookie()).toEqual([expect.stringMatching(/^sign_in_state=.*; Max-Age=600; Path=\/auth\/callback; HttpOnly; SameSite=Lax$/)]);

    // Only the state's hash is stored, with a sealed verifier.
    const [stateRows] = await database.sequelize.query(`SELECT * FROM oauth_states`);
    expect(JSON.stringify(stateRows)).not.toContain(state);
    expect((stateRows as Array<{ code_verifier: string }>)[0]?.code_verifier).toMatch(/^v1\./);

    const callback = await browser.get(await chooseAtGitHub(authorize.toString(), { login }));
    expect(callback.status).toBe(302);
    expect(locationOf(callback)).toBe("/me");
    expect(browser.cookies.has("sign_in_state")).toBe(false);
    expect(callback.headers.get("cache-control")).toBe("no-store");
    const cookie = callback.headers.getSetCookie().find((line) => line.startsWith("session=")) ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=28800/);
    expect(cookie).not.toMatch(/Secure/); // BASE_URL is http here

    const me = await browser.get("/me");
    const html = await me.text();
    expect(me.status).toBe(200);
    expect(me.headers.get("cache-control")).toBe("no-store");
    expect(html).toContain(`Signed in as ${login}`);
    expect(html).toContain("The application uses your GitHub App user token, which expires at");
    expect(html).toContain(org.account.login);

    const user = await database.models.User.findOne({ where: { githubId: githubUser.id } });
    expect(user?.tokenMigrationStatus).toBe("migrated");
    expect(user?.githubAppUserToken).toMatch(/^v1\./);
    const stored = app.services.tokenStore.readAppTokens(user!);
    expect(stored?.accessToken).toMatch(/^ghu_/);
    expect(simulator.isTokenValid(stored!.accessToken)).toBe(true);
    const events = await database.models.MigrationEvent.findAll({ where: { userId: user!.id } });
    expect(events.map((event) => [event.fromStatus, event.toStatus, event.actor, event.reason])).toEqual([
      ["pending", "migrated", login, "authorized the GitHub App"],
    ]);
    const links = await database.models.UserInstallation.findAll({ where: { userId: user!.id } });
    expect(links.map((link) => [link.installationId, link.source])).toEqual([[org.id, "authorization"]]);
    const notifications = await database.models.Notification.findAll({ where: { eventType: "user.migrated" } });
    const notice = notifications.find((row) => row.payload.login === login);
    expect(notice?.payload).toEqual({ github_id: githubUser.id, login });
    expect(JSON.stringify(notice?.payload)).not.toContain("ghu_");
  });

  it("migrates a legacy user in place: same row, OAuth token kept in provider_info, App token added", async () => {
    const { app, simulator, database } = world;
    const seeded = await seedUser(app.services, simulator, { app: false, legacy: true });
    const sealedLegacy = seeded.user.providerInfo.access_token;
    const browser = new Browser(app.url);

    const callback = await signIn(browser, { login: seeded.login });
    expect(callback.status).toBe(302);

    const user = await database.models.User.findOne({ where: { githubId: seeded.githubId } });
    expect(user?.id).toBe(seeded.user.id);
    expect(user?.tokenMigrationStatus).toBe("migrated");
    expect(user?.providerInfo.access_token).toBe(sealedLegacy);
    expect(app.services.tokenStore.readLegacyToken(user!)?.accessToken).toBe(seeded.legacy!.accessToken);
    expect(app.services.tokenStore.readAppTokens(user!)?.accessToken).toMatch(/^ghu_/);
    const events = await database.models.MigrationEvent.findAll({ where: { userId: user!.id } });
    expect(events.map((event) => [event.fromStatus, event.toStatus])).toEqual([["pending", "migrated"]]);
  });

  it("tells the application token.recovered when a user whose refresh token died authorizes again", async () => {
    const { app, simulator, database } = world;
    const seeded = await seedUser(app.services, simulator, { app: true, legacy: false });
    await database.sequelize.transaction((transaction) =>
      transitionUser(database.models, { user: seeded.user, to: "reauth_required", reason: "bad_refresh_token", actor: "system", transaction }),
    );

    const callback = await signIn(new Browser(app.url), { login: seeded.login });
    expect(callback.status).toBe(302);

    const user = await database.models.User.findOne({ where: { githubId: seeded.githubId } });
    expect(user?.tokenMigrationStatus).toBe("migrated");
    const notices = await database.models.Notification.findAll({ where: { eventType: ["token.recovered", "user.migrated"] } });
    const mine = notices.filter((notice) => notice.payload.github_id === seeded.githubId);
    expect(mine.map((notice) => [notice.eventType, notice.payload.previous_status])).toEqual([["token.recovered", "reauth_required"]]);
  });

  it("returns to a return_to path of ours after signing in", async () => {
    const login = newLogin("returning");
    world.simulator.addUser({ login });
    const callback = await signIn(new Browser(world.app.url), { login }, "/auth/login?return_to=%2Fme%3Ftab%3Dinstallations");
    expect(locationOf(callback)).toBe("/me?tab=installations");
  });

  it.each([
    ["https://evil.example", "it must be a path on this site"],
    ["//evil.example/me", "it names another host"],
    ["/\\evil.example", "it contains a backslash"],
    ["javascript:alert(1)", "it must be a path on this site"],
    ["/me\r\nSet-Cookie: x=1", "it contains control characters"],
  ])("refuses return_to=%j with a page saying why, storing no state", async (returnTo, reason) => {
    const before = await snapshotTables(world.database.models);
    const response = await new Browser(world.app.url).get(`/auth/login?return_to=${encodeURIComponent(returnTo)}`);
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(html).toContain("That return address is not allowed");
    expect(html).toContain(reason);
    expect(await snapshotTables(world.database.models)).toEqual(before);
  });

  it("links an installation from install-and-authorize only once the new token is shown to reach it", async () => {
    const { app, simulator, database } = world;
    const login = newLogin("installer");
    const githubUser = simulator.addUser({ login });
    const own = simulator.addInstallation({ account: { login }, userLogins: [login] });
    const foreign = simulator.addInstallation({ account: { login: newLogin("foreign-org") }, userLogins: [] });
    const browser = new Browser(app.url);

    const authorize = new URL(locationOf(await browser.get("/auth/login")));
    const callbackUrl = simulator.authorize({
      login,
      clientId: authorize.searchParams.get("client_id") ?? "",
      redirectUri: authorize.searchParams.get("redirect_uri") ?? "",
      state: authorize.searchParams.get("state") ?? "",
      codeChallenge: authorize.searchParams.get("code_challenge") ?? "",
      codeChallengeMethod: "S256",
      installationId: foreign.id,
      setupAction: "install",
    });
    expect(new URL(callbackUrl).searchParams.get("installation_id")).toBe(String(foreign.id));
    const callback = await browser.get(callbackUrl);
    expect(callback.status).toBe(302);

    const user = await database.models.User.findOne({ where: { githubId: githubUser.id } });
    const links = await database.models.UserInstallation.findAll({ where: { userId: user!.id } });
    expect(links.map((link) => link.installationId)).toEqual([own.id]);
    expect(app.logLines().some((line) => line.event === "auth.installation_hint_unconfirmed" && line.installation_id === String(foreign.id))).toBe(true);
  });

  it("never redeems a code that returns without our state (install from GitHub's UI): it restarts our own flow", async () => {
    const { app, simulator, database } = world;
    const login = newLogin("stateless");
    simulator.addUser({ login });
    const installation = simulator.addInstallation({ account: { login }, userLogins: [login] });
    const code = new URL(
      simulator.authorize({ login, clientId: app.services.config.appClientId!, redirectUri: `${app.url}/auth/callback`, state: "" }),
    ).searchParams.get("code");
    simulator.counters.reset();
    const before = await snapshotTables(database.models);

    const response = await new Browser(app.url).get(`/auth/callback?code=${code}&installation_id=${installation.id}&setup_action=install`);
    expect(response.status).toBe(302);
    expect(locationOf(response)).toBe("/auth/login?return_to=%2Fme");
    expect(simulator.counters.calls("exchange")).toBe(0);
    expect(await snapshotTables(database.models)).toEqual(before);
  });
});
