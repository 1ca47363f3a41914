// The directory's search at a size where a plan matters: 20,000 users (after ANALYZE), each way of
// finding users EXPLAINed as the directory sends it. A page must come from an index in key order
// (no Sort of the table, no sequential scan), so the console's hundredth page costs what its first does.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { UserDirectory, decodeUserCursor, type UserSearch } from "../../../src/migration/user-directory.js";
import { seedManyUsers } from "../../support/dashboard-fixture.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { planOfQuery } from "../../support/query-plan.js";

let database: TestDatabase;
let directory: UserDirectory;

beforeAll(async () => {
  database = await createTestDatabase();
  directory = new UserDirectory({ models: database.models });
  await seedManyUsers(database.sequelize, { count: 20_000, prefix: "scale", firstGithubId: 600_000_001 });
  await database.sequelize.query(
    `UPDATE users SET token_migration_status = 'reauth_required', refresh_failure_class = 'refresh_token_expired' WHERE id % 50 = 0`,
  );
  await database.sequelize.query("ANALYZE users");
}, 60_000);
afterAll(() => database?.drop());

/** The plan of the one query `search` sends, with the same replacements. */
const planOf = (search: UserSearch) => planOfQuery(database.sequelize, () => directory.search(search));

const cursorAfter = async (search: UserSearch) => decodeUserCursor((await directory.search({ ...search, limit: 50 })).next_cursor!)!;

describe("finding users among 20,000", () => {
  it.each<[string, () => Promise<UserSearch>, string]>([
    ["everyone, latest change first", async () => ({ sort: "newest" }), "users_changed_idx"],
    ["everyone, oldest change first, a later page", async () => ({ sort: "oldest", cursor: await cursorAfter({ sort: "oldest" }) }), "users_changed_idx"],
    ["by status, latest change first, a later page", async () => ({ sort: "newest", status: "reauth_required", cursor: await cursorAfter({ sort: "newest", status: "reauth_required" }) }), "users_status_changed_idx"],
    ["by refresh failure class", async () => ({ sort: "newest", failure: "refresh_token_expired" }), "users_failure_changed_idx"],
    ["in registration order by status", async () => ({ sort: "id", status: "reauth_required" }), "users_status_idx"],
  ])("%s: read in key order from an index, never sorted", async (_name, search, index) => {
    const nodes = await planOf({ ...(await search()), limit: 50 });
    expect(nodes.map((node) => node["Node Type"])).not.toContain("Sort");
    expect(nodes.filter((node) => node["Node Type"] === "Seq Scan")).toEqual([]);
    expect(nodes.map((node) => node["Index Name"])).toContain(index);
  });

  it.each<[string, UserSearch]>([
    ["a login prefix", { q: "scale-012", sort: "newest" }],
    ["a GitHub id (or a login starting with its digits)", { q: "600000777", sort: "newest" }],
  ])("by %s: found through the login prefix index, never a sequential scan", async (_name, search) => {
    const nodes = await planOf({ ...search, limit: 50 });
    expect(nodes.filter((node) => node["Node Type"] === "Seq Scan")).toEqual([]);
    expect(nodes.map((node) => node["Index Name"])).toContain("users_login_prefix_idx");
  });

  it("finds them: a prefix in any case, an id, and pages that add up to everyone", async () => {
    expect((await directory.search({ q: "SCALE-0123", limit: 100 })).users.map((user) => user.login)).toEqual(
      Array.from({ length: 10 }, (_, digit) => `scale-0123${digit}`),
    );
    expect((await directory.search({ q: "600000777" })).users.map((user) => user.login)).toEqual(["scale-00777"]);
    let pages = 0;
    let seen = 0;
    let cursor: UserSearch["cursor"];
    do {
      const page = await directory.search({ status: "reauth_required", sort: "oldest", cursor, limit: 150 });
      seen += page.users.length;
      cursor = page.next_cursor ? decodeUserCursor(page.next_cursor)! : undefined;
      pages += 1;
    } while (cursor);
    expect({ seen, pages }).toEqual({ seen: 400, pages: 3 });
  });
});
