// The overview's figures at a size where a plan matters: among 20,000 users, the latest users
// needing attention are read from each status's index in key order and merged, never sorted from
// all who wait, and carry their latest event.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { DashboardFigures } from "../../../src/migration/dashboard-figures.js";
import { seedManyUsers } from "../../support/dashboard-fixture.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { planOfQuery } from "../../support/query-plan.js";

let database: TestDatabase;
let app: TestApp;
let figures: DashboardFigures;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp({ sequelize: database.sequelize });
  figures = app.services.dashboardFigures;
  await seedManyUsers(database.sequelize, { count: 20_000, prefix: "waiting", firstGithubId: 620_000_001 });
  await database.sequelize.query(`UPDATE users SET token_migration_status = 'consent_required' WHERE id % 4 = 0`);
  await database.sequelize.query(`UPDATE users SET token_migration_status = 'reauth_required', updated_at = now() + interval '1 minute' WHERE id % 97 = 0`);
  // An audit trail two events deep for everyone, the latest of those waiting a failed refresh.
  await database.sequelize.query(
    `INSERT INTO migration_events (user_id, from_status, to_status, reason, actor, created_at)
     SELECT id, NULL, 'pending', 'imported', 'cli', now() - interval '1 day' FROM users, generate_series(1, 2)`,
  );
  await database.sequelize.query(
    `INSERT INTO migration_events (user_id, from_status, to_status, reason, actor, created_at)
     SELECT id, 'migrated', 'reauth_required', 'refresh failed: bad_refresh_token', 'system', now() FROM users WHERE id % 97 = 0`,
  );
  await database.sequelize.query("ANALYZE");
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

describe("the overview's users needing attention, among 20,000 (5,000 of them waiting) and 40,000 events", () => {
  it("reads the latest few of each status from its index and merges them: no sort of everyone waiting, no sequential scan", async () => {
    const nodes = await planOfQuery(database.sequelize, () => figures.snapshot(), (sql) => sql.includes("LEFT JOIN LATERAL"));
    expect(nodes.filter((node) => node["Node Type"] === "Seq Scan")).toEqual([]);
    expect(nodes.filter((node) => node["Index Name"] === "users_status_changed_idx")).toHaveLength(4);
    // What is sorted is at most ten rows per status, never the 5,000 waiting.
    expect(nodes.map((node) => node["Node Type"])).toContain("Limit");
  });

  it("shows the latest ten to change, with their latest event", async () => {
    const { attention } = await figures.snapshot();
    expect(attention).toHaveLength(10);
    expect(new Set(attention.map((user) => user.status))).toEqual(new Set(["reauth_required"]));
    expect(attention[0]!.lastEvent).toMatchObject({ reason: "refresh failed: bad_refresh_token", actor: "system" });
  });
});
