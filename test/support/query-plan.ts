// The plan Postgres chooses for the one query a piece of code sends: the query is caught on its
// way out (with its replacements) and EXPLAINed as it was sent, so a test checks the real SQL.
import { jest } from "@jest/globals";
import type { Sequelize } from "sequelize";

export interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  /** The condition a scan checks on every row it reads (absent when it keeps every row). */
  Filter?: string;
  Plans?: PlanNode[];
}

type SentQuery = [string, { replacements?: Record<string, unknown> } | undefined];

/** Every node of the plan of the first query `run` sends through `sequelize.query` whose SQL `pick` accepts. */
export async function planOfQuery(sequelize: Sequelize, run: () => Promise<unknown>, pick: (sql: string) => boolean = () => true): Promise<PlanNode[]> {
  const query = jest.spyOn(sequelize, "query");
  let sent: SentQuery | undefined;
  try {
    await run();
    sent = (query.mock.calls as unknown as SentQuery[]).find(([sql]) => pick(sql));
  } finally {
    query.mockRestore();
  }
  if (!sent) throw new Error("no query sent matched");
  const [sql, options] = sent;
  return nodesOf(await explainPlan(sequelize, sql, options?.replacements));
}

/** The root of the plan Postgres chooses for `sql` (with its replacements, if any). */
export async function explainPlan(sequelize: Sequelize, sql: string, replacements?: Record<string, unknown>): Promise<PlanNode> {
  const [[row]] = (await sequelize.query(`EXPLAIN (FORMAT JSON) ${sql}`, { replacements })) as [Array<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>, unknown];
  return row!["QUERY PLAN"][0]!.Plan;
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}
