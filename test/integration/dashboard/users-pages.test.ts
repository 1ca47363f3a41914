import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Browser, locationOf, snapshotTables, type SignInWorld } from "../../support/sign-in-fixture.js";
import { MAINTAINER, seedManyUsers, startSignedInConsole } from "../../support/dashboard-fixture.js";
import { seedUser } from "../../support/vault-fixture.js";

let world: SignInWorld;
let maintainer: Browser;
let csrfToken: string;

beforeAll(async () => {
  ({ world, maintainer, csrfToken } = await startSignedInConsole());
});
afterAll(() => world?.stop());

/** The logins of the Users page's rows, in order. */
function loginsOn(html: string): string[] {
  const table = /<table id="users-table"[\s\S]*?<\/table>/.exec(html)?.[0] ?? "";
  return [...table.matchAll(/<tr data-login="([^"]+)">/g)].map((match) => match[1]!);
}

function nextLinkOn(html: string): string | null {
  const href = /<a href="([^"]+)" rel="next" id="next-page">/.exec(html)?.[1];
  return href ? href.replaceAll("&amp;", "&") : null;
}

async function usersPage(query: string): Promise<string> {
  const response = await maintainer.get(`/admin/users?${query}`);
  expect({ query, status: response.status }).toEqual({ query, status: 200 });
  return response.text();
}

/** Every page of a search, following the Next links; the logins in the order shown. */
async function walk(query: string): Promise<{ logins: string[]; pages: number }> {
  const logins: string[] = [];
  let pages = 0;
  for (let path: string | null = `/admin/users?${query}`; path; pages++) {
    const html = await (await maintainer.get(path)).text();
    logins.push(...loginsOn(html));
    path = nextLinkOn(html);
  }
  return { logins, pages };
}

async function adminApi(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${world.app.url}/api/v1/admin${path}`, {
    headers: { authorization: `Bearer ${world.app.services.config.adminApiToken}` },
  });
  return { status: response.status, body: await response.json() };
}

const TOKEN_BYTES = [/ghu_/, /ghr_/, /gho_/, /ghs_/];

describe("the Users page", () => {
  it("finds users by the start of their login in any case, or by their GitHub id", async () => {
    const { services } = world.app;
    const alpha = await seedUser(services, world.simulator, { login: "Findme-Alpha", legacy: true });
    const beta = await seedUser(services, world.simulator, { login: "findme-beta", legacy: true });
    await seedUser(services, world.simulator, { login: "not-findme", legacy: true });

    expect(loginsOn(await usersPage("q=FINDME"))).toEqual([beta.login, alpha.login]);
    expect(loginsOn(await usersPage("q=findme-a"))).toEqual([alpha.login]);
    expect(loginsOn(await usersPage(`q=${beta.githubId}`))).toEqual([beta.login]);
    const none = await usersPage("q=nobody-by-this-name");
    expect(none).toContain('<p id="no-users">No user matches.</p>');
    // The form keeps what was asked, and each login leads to the user's page.
    const found = await usersPage("q=findme-b");
    expect(found).toContain('<input type="search" id="users-q" name="q" value="findme-b"');
    expect(found).toContain(`<a href="/admin/users/${beta.githubId}">${beta.login}</a>`);
  });

  it("filters by status and by refresh failure class, and sorts by last change either way", async () => {
    const { services } = world.app;
    const expired = await seedUser(services, world.simulator, { login: "filter-expired", legacy: true, walkTo: "reauth_required" });
    const interrupted = await seedUser(services, world.simulator, { login: "filter-interrupted", legacy: true, walkTo: "reauth_required" });
    const failed = await seedUser(services, world.simulator, { login: "filter-failed", legacy: true, walkTo: "failed" });
    await expired.user.update({ refreshFailureClass: "refresh_token_expired", refreshFailedAt: new Date() });
    await interrupted.user.update({ refreshFailureClass: "interrupted", refreshFailedAt: new Date() });

    expect(loginsOn(await usersPage("q=filter&status=reauth_required"))).toEqual([interrupted.login, expired.login]);
    expect(loginsOn(await usersPage("q=filter&status=reauth_required&sort=oldest"))).toEqual([expired.login, interrupted.login]);
    expect(loginsOn(await usersPage("q=filter&failure=interrupted"))).toEqual([interrupted.login]);
    expect(loginsOn(await usersPage("q=filter&status=failed&failure="))).toEqual([failed.login]);
    const selected = await usersPage("status=failed&failure=interrupted&sort=oldest");
    expect(selected).toContain('<option value="failed" selected>failed</option>');
    expect(selected).toContain('<option value="interrupted" selected>interrupted</option>');
    expect(selected).toContain('<option value="oldest" selected>');
    expect(loginsOn(await usersPage("q=&status=&failure=&sort="))).toContain(failed.login); // an empty form lists everyone
  });

  it("pages through users whose last change is the same instant, neither skipping nor repeating anyone, in both orders", async () => {
    await seedManyUsers(world.app.services.models.sequelize, { count: 120, prefix: "tied", firstGithubId: 510_000_001, updatedAt: new Date("2026-03-01T12:00:00.123456Z") });
    const ascending = Array.from({ length: 120 }, (_, index) => `tied-${String(index + 1).padStart(5, "0")}`);

    const newest = await walk("q=tied");
    expect(newest.pages).toBe(3);
    expect(newest.logins).toEqual([...ascending].reverse()); // equal times: the later row (higher id) first
    const oldest = await walk("q=tied&sort=oldest&status=pending");
    expect(oldest.logins).toEqual(ascending);

    // A later page offers the way back to the first, keeping the filters.
    const second = await (await maintainer.get(nextLinkOn(await usersPage("q=tied"))!)).text();
    expect(second).toContain('<a href="/admin/users?q=tied&amp;sort=newest">First page</a>');
  });

  it.each([
    ["q=" + "a".repeat(40), "q: must be at most 39 characters"],
    ["q=%25", "q: may hold only letters, digits and hyphens"],
    ["q=a%27%20OR%201%3D1", "q: may hold only letters, digits and hyphens"],
    ["status=sleeping", "status: must be one of pending"],
    ["failure=bad_luck", "failure: must be one of lost_race"],
    ["sort=id", "sort: must be one of newest, oldest"],
    ["cursor=%21%21%21", "cursor: is not a cursor this list handed out"],
    ["cursor=" + Buffer.from("n:1:abc").toString("base64url"), "cursor: is not a cursor this list handed out"],
    ["cursor=" + "A".repeat(65), "cursor: is not a cursor this list handed out"],
    ["sort=oldest&cursor=" + Buffer.from("n:1764612345123456:7").toString("base64url"), "cursor: belongs to another sort"],
    ["page=2", "unknown query parameter: page"],
  ])("refuses %s with a 400 page naming the parameter", async (query, message) => {
    const before = await snapshotTables(world.app.services.models);
    const response = await maintainer.get(`/admin/users?${query}`);
    const html = await response.text();
    expect({ status: response.status, type: response.headers.get("content-type") }).toEqual({ status: 400, type: "text/html; charset=UTF-8" });
    expect(html).toContain("<h1>This address asks for something the page cannot show</h1>");
    expect(html).toContain('<a href="/admin/users">Start a new search</a>');
    expect(html).toContain(message);
    expect(await snapshotTables(world.app.services.models)).toEqual(before);
  });

  it("answers the same search on the admin API, with its own default order and the same refusals", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: any } = await adminApi(`/users?q=TIED&sort=oldest&limit=70${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.users.map((user: { login: string }) => user.login));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(120);
    expect(seen[0]).toBe("tied-00001");
    const [first] = (await adminApi("/users?q=tied-00007")).body.users;
    expect(first).toEqual({
      github_id: 510_000_007,
      login: "tied-00007",
      status: "pending",
      migration_error: null,
      migrated_at: null,
      last_validated_at: null,
      refresh_failure_class: null,
      updated_at: "2026-03-01T12:00:00.123Z",
    });
    const newestCursor = (await adminApi("/users?q=tied&sort=newest&limit=1")).body.next_cursor;
    const refused = await adminApi(`/users?q=tied&cursor=${newestCursor}`); // the default order is id
    expect(refused).toEqual({ status: 400, body: { error: "invalid_request", message: "cursor: belongs to another sort; start again from the first page" } });
    expect((await adminApi(`/users?q=${"b".repeat(40)}`)).body.message).toContain("q: must be at most 39 characters");
  });
});

describe("a user's page", () => {
  it("shows status, tokens held (never their bytes), refresh failure, last validation and the history newest first", async () => {
    const { services } = world.app;
    const user = await seedUser(services, world.simulator, { login: "story-user", legacy: true, app: true, status: "pending" });
    // What a batch does for one user: validate the App token at GitHub and record it with the batch.
    const batch = await services.models.MigrationBatch.create({ requestedBy: MAINTAINER, size: 1, state: "finished", counts: { claimed: 1, migrated: 1 }, finishedAt: new Date() });
    const batchId = batch.id;
    const result = await services.userValidator.check(user.user);
    await services.models.sequelize.transaction((transaction) => services.userValidator.record(user.user, result, { actor: MAINTAINER, batchId, transaction }));
    expect(user.user.tokenMigrationStatus).toBe("migrated");
    await services.migrationRollback.rollbackUser(user.githubId, { actor: "octo-lead", reason: "support ticket 7" });
    await user.user.update({ refreshFailureClass: "revoked", refreshFailedAt: new Date("2026-02-01T10:00:00Z"), lastRefreshError: "GitHub said bad_refresh_token" });

    const response = await maintainer.get(`/admin/users/${user.githubId}`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("<title>User story-user</title>");
    expect(html).toContain('<strong id="user-status" class="status-rolled_back">rolled_back</strong>');
    expect(html).toMatch(/<dd id="refresh-failure-class"><code>revoked<\/code>, 2026-02-01 10:00:00 UTC<\/dd>/);
    expect(html).toMatch(/<dl class="facts" id="app-token">[\s\S]*Refresh token expires<\/dt><dd>\d{4}-\d\d-\d\d /);
    expect(html).toMatch(/<dl class="facts" id="legacy-token">[\s\S]*<dt>Expires<\/dt><dd>no expiry<\/dd>/);
    expect(html).toContain('<dd id="validation-outcome">passed</dd>');

    const timeline = /<ol class="timeline" id="timeline"[^>]*>([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? "";
    const entries = [...timeline.matchAll(/<li data-to="([a-z_]+)">[\s\S]*?<strong>([^<]*)<\/strong>[\s\S]*?<p>([^<]*)<\/p>\s*<p class="muted">([\s\S]*?)<\/p>/g)].map(
      (match) => ({ to: match[1], change: match[2], reason: match[3], by: match[4]!.replace(/\s+/g, " ").trim() }),
    );
    expect(entries).toEqual([
      { to: "rolled_back", change: "migrated → rolled_back", reason: "support ticket 7", by: "by octo-lead" },
      { to: "migrated", change: "pending → migrated", reason: "App token validated", by: `by ${MAINTAINER}, in <a href="/admin/batches#batch-${batchId}">batch #${batchId}</a>` },
    ]);

    // The tokens are stored, and known here: none of their bytes, nor any token's prefix, is on the page.
    for (const token of [user.app!.accessToken, user.app!.refreshToken!, user.legacy!.accessToken]) expect(html).not.toContain(token);
    for (const bytes of TOKEN_BYTES) expect(html).not.toMatch(bytes);
  });

  it("answers 404 for an unknown GitHub id and 400 for one that is not a number", async () => {
    const unknown = await maintainer.get("/admin/users/987654321");
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("No user with the GitHub id 987654321 is known here.");
    for (const id of ["abc", "0", "-5", "1e3", "99999999999999999999"]) {
      const response = await maintainer.get(`/admin/users/${id}`);
      expect({ id, status: response.status }).toEqual({ id, status: 400 });
      expect(await response.text()).toContain("github_id");
    }
  });

  it("rolls a user back and re-enables them from their page, through the confirmation and back to their page", async () => {
    const { services } = world.app;
    const user = await seedUser(services, world.simulator, { login: "round-trip", legacy: true, walkTo: "migrated" });
    const path = `/admin/users/${user.githubId}`;
    const page = await (await maintainer.get(path)).text();
    expect(page).toContain('<button type="submit" name="action" value="rollback" class="secondary" aria-label="Roll back round-trip">Roll back…</button>');
    expect(page).not.toContain('value="reenable"'); // not from migrated

    const confirm = await maintainer.post("/admin/users", { csrf_token: csrfToken, login: user.login, reason: "ticket 9", action: "rollback" });
    const confirmHtml = await confirm.text();
    expect(confirmHtml).toContain("<h1>Confirm: Roll back round-trip</h1>");
    expect(confirmHtml).toContain(`<a href="${path}">Cancel</a>`);
    expect(confirmHtml).toContain('<input type="hidden" name="reason" value="ticket 9">');

    const done = await maintainer.post("/admin/users", { csrf_token: csrfToken, login: user.login, reason: "ticket 9", action: "rollback", confirm: "yes" });
    expect(done.status).toBe(303);
    expect(locationOf(done)).toBe(`${path}?done=rolled_back&login=round-trip`);
    const after = await (await maintainer.get(locationOf(done))).text();
    expect(after).toContain('<p role="status" id="notice">round-trip was rolled back: the application serves their legacy OAuth token again.</p>');
    expect(after).toContain('<strong id="user-status" class="status-rolled_back">rolled_back</strong>');
    expect(after).toMatch(/<ol class="timeline" id="timeline"[^>]*><li data-to="rolled_back">[\s\S]*?ticket 9[\s\S]*?by mona-maintainer/);
    expect(after).toContain('value="reenable"');

    const reenabled = await maintainer.post("/admin/users", { csrf_token: csrfToken, login: user.login, action: "reenable", confirm: "yes" });
    expect(locationOf(reenabled)).toBe(`${path}?done=reenabled&login=round-trip`);
    expect(await (await maintainer.get(path)).text()).toContain('<strong id="user-status" class="status-pending">pending</strong>');
  });

  it("refuses its actions cross-site, without the CSRF token or with another's, writing nothing", async () => {
    const user = await seedUser(world.app.services, world.simulator, { login: "attacked-user", legacy: true, walkTo: "migrated" });
    const before = await snapshotTables(world.app.services.models);
    const form = { login: user.login, action: "rollback", confirm: "yes" };
    for (const attempt of [
      maintainer.post("/admin/users", { ...form, csrf_token: csrfToken }, { origin: "https://evil.example" }),
      maintainer.post("/admin/users", form),
      maintainer.post("/admin/users", form, { origin: null }),
      maintainer.post("/admin/users", { ...form, csrf_token: "A".repeat(43) }),
      new Browser(world.app.url).post("/admin/users", { ...form, csrf_token: csrfToken }),
    ]) {
      const response = await attempt;
      expect([403, 303]).toContain(response.status);
      if (response.status === 303) expect(locationOf(response)).toBe("/auth/login?purpose=admin"); // no session at all
    }
    expect(await snapshotTables(world.app.services.models)).toEqual(before);
    await user.user.reload();
    expect(user.user.tokenMigrationStatus).toBe("migrated");
  });
});
