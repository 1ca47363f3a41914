// Issue 20, "fast at scale": every statement a console page sends is planned by Postgres, on a
// seeded campaign (20,000 users, 100,000 audit events, VACUUM ANALYZE as autovacuum would), without
// a sequential scan of users or migration_events: those grow with the campaign, and a scan of them
// per page view is what makes a console slow at 100,000 users (docs/benchmarks.md, row 7). The
// statements are the ones the app really sends while it answers each page (recorded on its
// connection), so a page's new query is checked the day it is written. No planner setting is
// changed: the plans are the ones production would get from the same statistics.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Sequelize } from "sequelize";
import { QueryTypes } from "sequelize";
import { connectDatabase } from "../../../src/db/connection.js";
import { seedConsoleWorld, type ConsoleWorld } from "../../support/console-world.js";
import { MAINTAINER, signedInBrowser, startDashboardWorld } from "../../support/dashboard-fixture.js";
import { explainPlan, type PlanNode } from "../../support/query-plan.js";
import type { Browser, SignInWorld } from "../../support/sign-in-fixture.js";

/** Tables that grow with the campaign: never read whole for a page. */
const GROWING_TABLES = new Set(["users", "migration_events"]);

let world: SignInWorld;
let appConnection: Sequelize;
let maintainer: Browser;
let seeded: ConsoleWorld;
let recording: string[] | null = null;

beforeAll(async () => {
  world = await startDashboardWorld({
    connect: async (database) => {
      appConnection = connectDatabase({
        url: database.url,
        logQuery: (line) => recording?.push(line.replace(/^Executing \([^)]*\): /, "")),
      });
      return appConnection;
    },
  });
  maintainer = await signedInBrowser(world, MAINTAINER);
  seeded = await seedConsoleWorld({ databaseUrl: world.database.url, users: 20_000, events: 100_000 });
  // What every instance's trends job does within a minute (the test app runs no jobs).
  await world.app.services.campaignTrends.rollUpClosedHours();
}, 120_000);

afterAll(async () => {
  await world?.stop();
  await appConnection?.close();
});

/** The statements the app sent while answering `path` (a 200). */
async function statementsOf(path: string): Promise<string[]> {
  recording = [];
  try {
    const response = await maintainer.get(path);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    await response.text();
    return recording;
  } finally {
    recording = null;
  }
}

/** The page reached by following the list's "next" link `pages` times from `path`. */
async function pageAfter(path: string, pages: number): Promise<string> {
  let current = path;
  for (let page = 0; page < pages; page += 1) {
    const next = /<a href="([^"]+)" rel="next"/.exec(await (await maintainer.get(current)).text())?.[1];
    if (!next) throw new Error(`${current} has no next page`);
    current = next.replaceAll("&amp;", "&");
  }
  return current;
}

/** Each node with the node types above it, root first. */
function* nodesOf(node: PlanNode, above: string[] = []): Generator<{ node: PlanNode; above: string[] }> {
  yield { node, above };
  for (const child of node.Plans ?? []) yield* nodesOf(child, [...above, node["Node Type"]]);
}

/** Nodes that pass every row up to a single aggregate answer. */
const AGGREGATING = new Set(["Aggregate", "Gather", "Gather Merge", "Sort", "Result"]);

interface Plan {
  statement: string;
  /** The nodes reading a table, as `Seq Scan on users` / `Index Scan using users_pkey on users`. */
  reads: string[];
  /** Sequential scans of a growing table that an index could have spared. */
  avoidableScans: string[];
}

/**
 * A sequential scan of users or migration_events is avoidable unless the statement needs every row
 * of it for an aggregate (a count by status over all users): no filter on the scan, and only
 * aggregation above it, no join and no limit. Such a count reads every row whatever the plan; at
 * 20,000 users Postgres rightly prefers the table to an index-only scan, at 100,000 it takes the
 * index (docs/benchmarks.md, row 7).
 */
async function planOf(statement: string): Promise<Plan> {
  const tableReads = [...nodesOf(await explainPlan(world.database.sequelize, statement))].filter(({ node }) => node["Relation Name"] !== undefined);
  const describe = (node: PlanNode) => `${node["Node Type"]}${node["Index Name"] ? ` using ${node["Index Name"]}` : ""} on ${node["Relation Name"]}`;
  return {
    statement,
    reads: tableReads.map(({ node }) => describe(node)),
    avoidableScans: tableReads
      .filter(({ node }) => node["Node Type"] === "Seq Scan" && GROWING_TABLES.has(node["Relation Name"]!))
      .filter(({ node, above }) => node.Filter !== undefined || !above.every((type) => AGGREGATING.has(type)))
      .map(({ node }) => describe(node)),
  };
}

const isRead = (statement: string) => /^\s*(SELECT|WITH)\b/i.test(statement);

describe("the console at campaign scale", () => {
  it("seeded a campaign: every status, six weeks of events, a user with a long timeline", async () => {
    expect(seeded.users).toBe(20_000);
    expect(seeded.events).toBe(100_000);
    const statuses = await world.database.sequelize.query<{ status: string }>("SELECT DISTINCT token_migration_status AS status FROM users", {
      type: QueryTypes.SELECT,
    });
    expect(statuses.map((row) => row.status).sort()).toEqual(["consent_required", "failed", "migrated", "pending", "reauth_required", "revoked", "rolled_back"]);
    expect(seeded.busiestUser.events).toBeGreaterThan(50);
  });

  it("tells a scan an index could spare from a count that needs every row", async () => {
    expect((await planOf("SELECT login FROM users WHERE provider_info->>'scope' = 'gist'")).avoidableScans).toEqual(["Seq Scan on users"]);
    expect((await planOf("SELECT login FROM users ORDER BY last_validated_at DESC LIMIT 5")).avoidableScans).toEqual(["Seq Scan on users"]);
    expect((await planOf("SELECT count(*) FROM migration_events")).avoidableScans).toEqual([]);
  });

  // Each console page, with the parameters that reach its deepest queries (the seeded world's, known
  // once it is seeded).
  const pages: Array<[name: string, path: () => string | Promise<string>]> = [
    ["the overview", () => "/admin"],
    ["the users list by login prefix", () => `/admin/users?q=${seeded.loginWords[0]}-1`],
    ["the users list by GitHub id", () => `/admin/users?q=${seeded.firstGithubId + 4_321}`],
    ["the users list by status", () => "/admin/users?status=reauth_required"],
    ["the users list by refresh-failure class", () => "/admin/users?failure=revoked"],
    ["the users list, five pages deep", () => pageAfter("/admin/users?status=migrated", 5)],
    ["the user with the longest timeline", () => `/admin/users/${seeded.busiestUser.githubId}`],
    ["the batches", () => "/admin/batches"],
    ["the flags", () => "/admin/flags"],
    ["the installations", () => "/admin/installations"],
    ["the readiness", () => "/admin/readiness"],
  ];
  it.each(pages)("answers %s without a sequential scan of users or migration_events an index could spare", async (_name, path) => {
    const statements = (await statementsOf(await path())).filter(isRead);
    const plans = await Promise.all(statements.map(planOf));
    // The recording saw the page's reads, so the check below checked something.
    expect(plans.length).toBeGreaterThan(0);
    expect(plans.filter(({ avoidableScans }) => avoidableScans.length > 0)).toEqual([]);
  });

  it("saw the overview read both growing tables, so the checks above checked them", async () => {
    const plans = await Promise.all((await statementsOf("/admin")).filter(isRead).map(planOf));
    const readTables = new Set(plans.flatMap(({ reads }) => reads.map((read) => read.split(" on ").at(-1))));
    expect([...GROWING_TABLES].filter((table) => readTables.has(table))).toEqual([...GROWING_TABLES]);
  });
});
