// Migration readiness against the GitHub simulator: one organization where the App is installed on
// all repositories, one without the App, and one `selected` installation that misses a repository
// the user reads. Every count, sample and install link below is worked out by hand from that world.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { SimulatorOrganization } from "../../../simulator/index.js";
import { TEST_APP } from "../../support/simulator-fixture.js";
import { seedUser, startVaultWorld, vaultServices, type SeededUser, type VaultWorld } from "../../support/vault-fixture.js";

let world: VaultWorld;
let mona: SeededUser;
let hubot: SeededUser;
let octocat: SeededUser;
let lisa: SeededUser;
let stranger: SeededUser;
let bareOrg: SimulatorOrganization;
let pickyOrg: SimulatorOrganization;

async function admin(path: string, init: RequestInit = {}) {
  const response = await fetch(`${world.app.url}/api/v1/admin${path}`, {
    ...init,
    headers: { authorization: `Bearer ${world.app.services.config.adminApiToken}`, "content-type": "application/json", ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const installUrl = (accountId: number) => `${world.simulator.url}/apps/${TEST_APP.slug}/installations/new/permissions?suggested_target_id=${accountId}`;

beforeAll(async () => {
  world = await startVaultWorld();
  const { services } = world.app;
  // Legacy OAuth tokens only, except lisa, who already holds an App token as well.
  mona = await seedUser(services, world.simulator, { app: false, legacy: true });
  hubot = await seedUser(services, world.simulator, { app: false, legacy: true });
  octocat = await seedUser(services, world.simulator, { app: false, legacy: true });
  lisa = await seedUser(services, world.simulator, { app: true, legacy: true });
  stranger = await seedUser(services, world.simulator, { app: false, legacy: false });
  const { simulator } = world;

  simulator.addOrganization({ login: "covered-org", members: [mona.login, octocat.login] });
  bareOrg = simulator.addOrganization({ login: "bare-org", members: [mona.login, hubot.login] });
  pickyOrg = simulator.addOrganization({ login: "picky-org", members: [mona.login, lisa.login] });
  for (const name of ["api", "web"]) simulator.addRepository({ owner: "covered-org", name });
  for (const name of ["one", "two", "three"]) simulator.addRepository({ owner: "bare-org", name });
  for (const name of ["chosen", "forgotten"]) simulator.addRepository({ owner: "picky-org", name });
  simulator.addRepository({ owner: hubot.login, name: "scripts" });
  simulator.addInstallation({ account: { login: "covered-org" }, repositorySelection: "all" });
  simulator.addInstallation({ account: { login: "picky-org" }, repositorySelection: "selected", repositories: [{ name: "chosen" }] });
  simulator.addInstallation({ account: { login: hubot.login }, repositorySelection: "all" });
  // lisa's organization approved the legacy OAuth App under Enterprise Cloud; the GitHub App is not owned by one.
  simulator.setRateLimit("legacy", 15_000, { login: lisa.login });

  // What webhooks and reconciliation keep current: our installations table.
  const reconciled = await services.installationReconciliation.runPass();
  expect(reconciled.ran).toBe(true);
});
afterAll(() => world.stop());

describe("before any check", () => {
  it("answers an idle scan and 404 not_checked for a user", async () => {
    const summary = await admin("/migration/readiness");
    expect(summary.body).toEqual({
      users_checked: 0,
      users_fully_covered: 0,
      users_losing_access: 0,
      scan: { state: "idle", done: 0, total: 0 },
      accounts_missing_installation: [],
    });
    const access = await admin(`/users/${mona.githubId}/access`);
    expect(access.status).toBe(404);
    expect(access.body.error).toBe("not_checked");
  });
});

describe("a readiness scan", () => {
  it("refuses bad input by name and writes nothing", async () => {
    for (const body of ['{"github_ids": []}', '{"github_ids": ["12"]}', '{"users": [1]}', "[1]", "{"]) {
      const response = await admin("/migration/readiness", { method: "POST", body });
      expect(response.status).toBe(400);
    }
    const unknown = await admin("/migration/readiness", { method: "POST", body: JSON.stringify({ github_ids: [mona.githubId, 987_654_321] }) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.unknown_github_ids).toEqual([987_654_321]);
    expect((await admin("/migration/readiness")).body.scan).toEqual({ state: "idle", done: 0, total: 0 });
  });

  it("checks every user holding a legacy token, and reports who would lose what", async () => {
    const started = await admin("/migration/readiness", { method: "POST", body: "{}" });
    expect(started.status).toBe(202);
    expect(started.body.scan).toMatchObject({ total: 4 });
    await world.app.services.readinessScan.runPass();

    const summary = await admin("/migration/readiness");
    expect(summary.body).toEqual({
      users_checked: 4,
      // octocat reads only covered-org, where the App is installed on all repositories.
      users_fully_covered: 1,
      // mona (bare-org ×3, picky-org/forgotten), hubot (bare-org ×3), lisa (picky-org/forgotten).
      users_losing_access: 3,
      scan: { state: "finished", done: 4, total: 4 },
      accounts_missing_installation: [
        { account: "bare-org", users: 2, repositories: 3, install_url: installUrl(bareOrg.id) },
        // Two users miss the same one repository: counted once.
        { account: "picky-org", users: 2, repositories: 1, install_url: installUrl(pickyOrg.id) },
      ],
    });
  });

  it("answers each user's last check, with samples and install links", async () => {
    const monaAccess = await admin(`/users/${mona.githubId}/access`);
    expect(monaAccess.status).toBe(200);
    expect(monaAccess.body).toMatchObject({
      legacy_repositories: 7,
      covered_repositories: 3,
      coverage_source: "installations",
      missing: [
        { account: "bare-org", repositories: 3, install_url: installUrl(bareOrg.id), samples: ["bare-org/one", "bare-org/three", "bare-org/two"] },
        { account: "picky-org", repositories: 1, install_url: installUrl(pickyOrg.id), samples: ["picky-org/forgotten"] },
      ],
      rate_limits: { legacy: 5000, app: null },
    });
    expect(Date.parse(monaAccess.body.checked_at as string)).not.toBeNaN();

    // hubot's own account has the App on all repositories: only bare-org is missing.
    expect((await admin(`/users/${hubot.githubId}/access`)).body).toMatchObject({ legacy_repositories: 4, covered_repositories: 1 });
    expect((await admin(`/users/${octocat.githubId}/access`)).body).toMatchObject({ legacy_repositories: 2, covered_repositories: 2, missing: [] });
    // lisa's App token was asked what it reaches for real.
    expect((await admin(`/users/${lisa.githubId}/access`)).body).toMatchObject({
      legacy_repositories: 2,
      covered_repositories: 1,
      coverage_source: "app_token",
      missing: [{ account: "picky-org", repositories: 1 }],
      rate_limits: { legacy: 15_000, app: 5000 },
    });
  });

  it("counts and lists the users whose rate limit would drop", async () => {
    const drops = await admin("/migration/readiness/rate-limit-drops");
    expect(drops.body).toEqual({
      users: 1,
      drops: [{ github_id: lisa.githubId, login: lisa.login, legacy_rate_limit: 15_000, app_rate_limit: 5000, checked_at: expect.any(String) }],
    });
  });

  it("stores no token bytes", async () => {
    const [rows] = await world.app.services.models.sequelize.query("SELECT * FROM user_access_checks");
    expect(JSON.stringify(rows)).not.toMatch(/gh[uroas]_/);
  });

  it("re-checks only the users named, and refuses a second scan while one runs", async () => {
    world.simulator.addInstallation({ account: { login: "bare-org" }, repositorySelection: "all" });
    await world.app.services.installationReconciliation.runPass();
    // Another instance of the deployment starts the scan; this one's API sees it running.
    const otherInstance = await vaultServices(world.database.sequelize, world.simulator, {
      TOKEN_ENCRYPTION_KEYS: world.app.services.config.encryptionKeys.map((key) => `${key.id}:${key.key.toString("base64")}`).join(","),
    });
    await otherInstance.readinessScan.start({ githubIds: [hubot.githubId, stranger.githubId], actor: "other-instance" });
    const second = await admin("/migration/readiness", { method: "POST", body: "{}" });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: "scan_running", scan: { state: "running", done: 0, total: 2 } });
    // Both instances work on it; SKIP LOCKED keeps them from checking one user twice.
    const [checkedHere, checkedThere] = await Promise.all([world.app.services.readinessScan.runPass(), otherInstance.readinessScan.runPass()]);
    expect(checkedHere + checkedThere).toBe(2);

    expect((await admin(`/users/${hubot.githubId}/access`)).body).toMatchObject({ legacy_repositories: 4, covered_repositories: 4, missing: [] });
    expect((await admin(`/users/${stranger.githubId}/access`)).body).toMatchObject({ outcome: "no_legacy_token", legacy_repositories: 0 });
    const summary = await admin("/migration/readiness");
    expect(summary.body).toMatchObject({ users_checked: 5, users_fully_covered: 3, users_losing_access: 2 });
    // mona was not re-checked: her last check still says bare-org is missing.
    expect((summary.body.accounts_missing_installation as Array<{ account: string }>).map((entry) => entry.account)).toEqual(["picky-org", "bare-org"]);
  });
});
