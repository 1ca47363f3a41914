// The readiness report keeps its aggregate of accounts missing the App between calls: every change
// to a check listing missing accounts (even one that keeps the count and the time) shows at once.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ReadinessReport } from "../../../src/migration/readiness-report.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

let database: TestDatabase;
let report: ReadinessReport;

beforeAll(async () => {
  database = await createTestDatabase();
  report = new ReadinessReport({ models: database.models, scan: { progress: async () => ({ state: "idle", done: 0, total: 0 }) }, installUrl: async () => null });
  await database.sequelize.query(`INSERT INTO users (id, github_id, login) VALUES (1, 101, 'ana'), (2, 102, 'ben')`);
});
afterAll(() => database?.drop());

const missing = (accountId: number, account: string, repositoryIds: number[]) =>
  JSON.stringify([{ account_id: accountId, account, account_type: "Organization", repositories: repositoryIds.length, samples: [], repository_ids: repositoryIds }]);

async function check(userId: number, missingJson: string): Promise<void> {
  await database.sequelize.query(
    `INSERT INTO user_access_checks (user_id, checked_at, outcome, legacy_repositories, covered_repositories, coverage_source, missing)
     VALUES (:userId, '2026-12-01T12:00:00Z', 'checked', 5, 5 - jsonb_array_length(CAST(:missing AS jsonb)), 'installations', CAST(:missing AS jsonb))
     ON CONFLICT (user_id) DO UPDATE SET missing = EXCLUDED.missing, covered_repositories = EXCLUDED.covered_repositories`,
    { replacements: { userId, missing: missingJson } },
  );
}

const accounts = async () => (await report.summary()).accounts_missing_installation.map(({ account, users, repositories }) => ({ account, users, repositories }));

describe("accounts missing the App, kept between calls", () => {
  it("shows every change to the checks: added, changed in place at the same time, emptied, removed", async () => {
    expect(await accounts()).toEqual([]);
    await check(1, missing(7, "acme", [1, 2]));
    await check(2, missing(7, "acme", [2, 3]));
    expect(await accounts()).toEqual([{ account: "acme", users: 2, repositories: 3 }]);
    expect(await accounts()).toEqual([{ account: "acme", users: 2, repositories: 3 }]);
    await check(2, missing(8, "globex", [9]));
    expect(await accounts()).toEqual([
      { account: "acme", users: 1, repositories: 2 },
      { account: "globex", users: 1, repositories: 1 },
    ]);
    await check(1, "[]");
    expect(await accounts()).toEqual([{ account: "globex", users: 1, repositories: 1 }]);
    await database.sequelize.query("DELETE FROM user_access_checks WHERE user_id = 2");
    expect(await accounts()).toEqual([]);
  });
});
