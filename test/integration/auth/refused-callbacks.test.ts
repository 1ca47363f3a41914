import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { seedUser } from "../../support/vault-fixture.js";
import { Browser, chooseAtGitHub, locationOf, signIn, snapshotTables, startSignInWorld, type SignInWorld } from "../../support/sign-in-fixture.js";

let world: SignInWorld;

beforeAll(async () => {
  world = await startSignInWorld();
});
afterAll(() => world?.stop());

let sequence = 0;
function githubUser(prefix: string) {
  return world.simulator.addUser({ login: `${prefix}-${++sequence}` });
}

/** GET /auth/login and return GitHub's authorize URL (our state stored, nothing else). */
async function startLogin(browser: Browser, path = "/auth/login") {
  return locationOf(await browser.get(path));
}

describe("callbacks refused for their state write nothing", () => {
  it("refuses a forged state", async () => {
    const before = await snapshotTables(world.database.models);
    const response = await new Browser(world.app.url).get("/auth/callback?code=0123456789abcdef0123&state=forged-state-of-an-attacker");
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("We did not start this sign-in");
    expect(await snapshotTables(world.database.models)).toEqual(before);
  });

  it("refuses a callback without any state or code", async () => {
    const before = await snapshotTables(world.database.models);
    const response = await new Browser(world.app.url).get("/auth/callback");
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("carries no state");
    expect(await snapshotTables(world.database.models)).toEqual(before);
  });

  it("refuses an expired state without calling GitHub's token endpoint", async () => {
    const login = githubUser("slow").login;
    const browser = new Browser(world.app.url);
    const authorizeUrl = await startLogin(browser);
    await world.database.sequelize.query(`UPDATE oauth_states SET expires_at = now() - interval '1 second'`);
    const callbackUrl = await chooseAtGitHub(authorizeUrl, { login });
    world.simulator.counters.reset();
    const before = await snapshotTables(world.database.models);

    const response = await browser.get(callbackUrl);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("took longer than 10 minutes");
    expect(world.simulator.counters.calls("exchange")).toBe(0);
    expect(await snapshotTables(world.database.models)).toEqual(before);
  });

  it("refuses a callback opened in another browser than the one that started it (login CSRF), so it stays usable there", async () => {
    const attacker = githubUser("attacker").login;
    const attackerBrowser = new Browser(world.app.url);
    const callbackUrl = await chooseAtGitHub(await startLogin(attackerBrowser), { login: attacker });
    world.simulator.counters.reset();
    const before = await snapshotTables(world.database.models);

    const victim = await new Browser(world.app.url).get(callbackUrl);
    expect(victim.status).toBe(400);
    expect(await victim.text()).toContain("started in another browser");
    expect(victim.headers.getSetCookie()).toEqual([]);
    expect(world.simulator.counters.calls("exchange")).toBe(0);
    expect(await snapshotTables(world.database.models)).toEqual(before);
    expect((await attackerBrowser.get(callbackUrl)).status).toBe(302);
  });

  it("refuses a state used a second time, even with the callback replayed whole", async () => {
    const login = githubUser("replayed").login;
    const browser = new Browser(world.app.url);
    const callbackUrl = await chooseAtGitHub(await startLogin(browser), { login });
    expect((await browser.get(callbackUrl)).status).toBe(302);
    const before = await snapshotTables(world.database.models);

    const replay = await new Browser(world.app.url).get(callbackUrl);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("has already been used");
    expect(replay.headers.getSetCookie()).toEqual([]);
    expect(await snapshotTables(world.database.models)).toEqual(before);
  });
});

describe("GitHub's answers become clear pages", () => {
  it("shows a friendly page with Try again when the user cancels at GitHub (access_denied)", async () => {
    const login = githubUser("hesitant").login;
    const browser = new Browser(world.app.url);
    const callback = await browser.get(await chooseAtGitHub(await startLogin(browser, "/auth/login?return_to=%2Fme"), { login, decision: "cancel" }));
    const html = await callback.text();
    expect(callback.status).toBe(403);
    expect(html).toContain("You did not authorize the app");
    expect(html).toContain('href="/auth/login?return_to=%2Fme">Try again</a>');
    expect(await world.database.models.User.count({ where: { login } })).toBe(0);
  });

  it.each([
    ["redirect_uri_mismatch", 400, "callback URL is not registered"],
    ["application_suspended", 503, "GitHub has suspended this application"],
  ])("explains ?error=%s", async (error, status, text) => {
    const browser = new Browser(world.app.url);
    const state = new URL(await startLogin(browser)).searchParams.get("state") ?? "";
    const response = await browser.get(`/auth/callback?error=${error}&error_description=x&state=${state}`);
    expect(response.status).toBe(status);
    expect(await response.text()).toContain(text);
  });

  it("reports a PKCE verifier that does not match the challenge GitHub saw: GitHub refuses the code", async () => {
    const login = githubUser("pkce").login;
    const browser = new Browser(world.app.url);
    const authorizeUrl = await startLogin(browser);
    // GitHub is handed another challenge than ours, so our verifier cannot match it.
    const callbackUrl = await chooseAtGitHub(authorizeUrl, { login, override: { code_challenge: "A".repeat(43) } });
    world.simulator.counters.reset();

    const response = await browser.get(callbackUrl);
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(html).toContain("That sign-in code did not work");
    expect(html).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(world.simulator.counters.calls("exchange")).toBe(1);
    expect(await world.database.models.User.count({ where: { login } })).toBe(0);
    const logged = world.app.logLines().find((line) => line.event === "page.error" && line.error_code === "bad_verification_code");
    expect(logged).toMatchObject({ status: 400, path: "/auth/callback" });
    expect(JSON.stringify(logged)).not.toMatch(/gh[ours]_/);
  });
});

describe("consent links bound to one GitHub account", () => {
  it("refuses another account than the link's, stores nothing and revokes the token GitHub just issued", async () => {
    const { app, simulator, database } = world;
    const bob = await seedUser(app.services, simulator, { app: false, legacy: true, status: "pending" });
    const mallory = githubUser("mallory");
    const link = new URL(app.services.consentLinks.createConsentLink(bob.githubId, bob.login));
    expect(link.origin).toBe(app.url);
    expect(link.pathname).toBe("/auth/login");

    const browser = new Browser(app.url);
    const authorizeUrl = locationOf(await browser.get(`${link.pathname}${link.search}`));
    expect(new URL(authorizeUrl).searchParams.get("login")).toBe(bob.login);
    const callbackUrl = await chooseAtGitHub(authorizeUrl, { login: mallory.login });
    simulator.counters.reset();
    const before = await snapshotTables(database.models);

    const refused = await browser.get(callbackUrl);
    const html = await refused.text();
    expect(refused.status).toBe(403);
    expect(html).toContain(`signed in to GitHub as ${mallory.login}, but this link is for ${bob.login}`);
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect(simulator.counters.calls("delete_token")).toBe(1);
    const after = await snapshotTables(database.models);
    // Only the state's consumed_at moved; no user, token, event, link or notification was written.
    expect({ ...after, oauth_states: undefined }).toEqual({ ...before, oauth_states: undefined });

    const accepted = await signIn(new Browser(app.url), { login: bob.login }, `${link.pathname}${link.search}`);
    expect(accepted.status).toBe(302);
    const user = await database.models.User.findOne({ where: { githubId: bob.githubId } });
    expect(user?.tokenMigrationStatus).toBe("migrated");
    const events = await database.models.MigrationEvent.findAll({ where: { userId: user!.id } });
    expect(events.map((event) => event.reason)).toEqual(["authorized the GitHub App through a consent link"]);
  });

  it("refuses a consent link whose signature was altered", async () => {
    const link = new URL(world.app.services.consentLinks.createConsentLink(424242, "someone"));
    const reference = link.searchParams.get("consent") ?? "";
    link.searchParams.set("consent", `${reference.slice(0, -2)}xx`);
    const response = await new Browser(world.app.url).get(`${link.pathname}${link.search}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("This link is not valid");
  });
});
