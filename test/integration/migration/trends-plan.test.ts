// The trends' reads at the size of a long campaign: once closed hours are rolled up, the planner
// reads only the index ranges after the rollup's mark (the audit trail's newest events, the newest
// users) and the last 48 hours of token activity, never a whole table. (Speed itself: npm run bench.)
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { QueryTypes, type Sequelize } from "sequelize";
import { connectDatabase } from "../../../src/db/connection.js";
import { defineModels } from "../../../src/db/models/index.js";
import { CampaignTrends } from "../../../src/migration/trends.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

let database: TestDatabase;
let logged: Sequelize;
const statements: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const { sequelize } = database;
  // 20,000 users over 60 days and 200,000 events; 3 instances' activity every hour of those days.
  await sequelize.query(`
    INSERT INTO users (github_id, login, created_at, updated_at)
    SELECT i, 'user-' || i, now() - make_interval(secs => random() * 60 * 86400), now() FROM generate_series(1, 20000) AS i`);
  await sequelize.query(`
    INSERT INTO migration_events (user_id, from_status, to_status, reason, actor, created_at)
    SELECT u.id, 'pending', 'migrated', 'plan', 'system', now() - make_interval(secs => random() * 60 * 86400)
      FROM generate_series(1, 200000) AS i JOIN users u ON u.github_id = 1 + i % 20000`);
  await sequelize.query(`
    INSERT INTO token_activity_hours (hour, instance_id, measure, label, count)
    SELECT date_trunc('hour', now()) - make_interval(hours => h), 'instance-' || n, 'resolution', label, 10
      FROM generate_series(0, 60 * 24) AS h, generate_series(1, 3) AS n, unnest(ARRAY['github_app_user', 'oauth', 'reauth_required']) AS label`);
  await new CampaignTrends({ models: database.models }).rollUpClosedHours();
  await sequelize.query("ANALYZE");
  logged = connectDatabase({ url: database.url, maxConnections: 2, logQuery: (sql) => statements.push(sql.replace(/^Executing \([^)]*\): /, "")) });
}, 60_000);
afterAll(async () => {
  await logged?.close();
  await database?.drop();
});

/** Every table the statement's plan reads in full. */
async function tablesScannedWhole(statement: string): Promise<string[]> {
  const [row] = await database.sequelize.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${statement}`, { type: QueryTypes.SELECT });
  const scanned: string[] = [];
  const visit = (node: PlanNode) => {
    if (node["Node Type"] === "Seq Scan") scanned.push(node["Relation Name"]!);
    for (const child of node.Plans ?? []) visit(child);
  };
  visit(row!["QUERY PLAN"][0]!.Plan);
  return scanned;
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

describe("the trends' reads over a long campaign", () => {
  it("read the audit trail and the users only after the rollup's mark, and only 48 hours of activity", async () => {
    const trends = new CampaignTrends({ models: defineModels(logged) });
    const view = await trends.view();
    expect(view.status_days.length).toBeGreaterThanOrEqual(60);
    expect(view.status_days.at(-1)!.migrated + view.status_days.at(-2)!.migrated).toBeGreaterThan(0);

    const reads = statements.filter((statement) => /migration_events|token_activity_hours/.test(statement));
    expect(reads).toHaveLength(2);
    for (const statement of reads) {
      const whole = await tablesScannedWhole(statement);
      expect(whole.filter((table) => ["migration_events", "users", "token_activity_hours"].includes(table))).toEqual([]);
    }
  });
});
