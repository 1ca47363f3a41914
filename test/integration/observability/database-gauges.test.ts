// The alerts' database figures, sampled from real rows: stalled batches, refresh tokens close to
// their end, users sent to reauth_required in the last hour, and whether the database answers.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { QueryTypes } from "sequelize";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { connectDatabase } from "../../../src/db/connection.js";
import { DatabaseGauges } from "../../../src/observability/database-gauges.js";
import { metricsRegistry } from "../../../src/observability/metrics.js";
import type { Services } from "../../../src/services.js";
import { startTestSimulator } from "../../support/simulator-fixture.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { seedUser, vaultServices } from "../../support/vault-fixture.js";

let database: TestDatabase;
let simulator: GitHubSimulator;
let services: Services;
const log = pino({ level: "silent" });

beforeAll(async () => {
  database = await createTestDatabase();
  simulator = await startTestSimulator();
  services = await vaultServices(database.sequelize, simulator);
});
afterAll(async () => {
  await simulator.stop();
  await database.drop();
});

async function gauge(name: string): Promise<number | undefined> {
  const metric = metricsRegistry.getSingleMetric(name);
  return (await metric?.get())?.values[0]?.value;
}

/** A user holding an App refresh token that ends `days` from now (negative: already ended). */
async function userWithRefreshTokenEnding(days: number): Promise<number> {
  const { user } = await seedUser(services, simulator, { app: true });
  await database.sequelize.query(
    `UPDATE users SET github_app_refresh_token_expires_at = now() + make_interval(days => :days) WHERE id = :id`,
    { replacements: { days, id: user.id } },
  );
  return user.id;
}

async function reauthEvent(userId: number, hoursAgo: number): Promise<void> {
  await database.sequelize.query(
    `INSERT INTO migration_events (user_id, from_status, to_status, reason, actor, created_at)
     VALUES (:userId, 'migrated', 'reauth_required', 'refresh failed: bad_refresh_token', 'system', now() - make_interval(mins => :minutes))`,
    { replacements: { userId, minutes: hoursAgo * 60 } },
  );
}

describe("the database gauges", () => {
  it("count stalled batches, refresh tokens near their end and the last hour's reauth_required from the rows", async () => {
    const stalled = await services.models.MigrationBatch.create({ requestedBy: "octo-maintainer", size: 10 });
    await services.models.MigrationBatch.create({ requestedBy: "octo-maintainer", size: 10 });
    await database.sequelize.query(`UPDATE migration_batches SET heartbeat_at = now() - interval '3 minutes' WHERE id = :id`, {
      replacements: { id: stalled.id },
    });
    const finished = await services.models.MigrationBatch.create({ requestedBy: "octo-maintainer", size: 10, state: "finished" });
    await database.sequelize.query(`UPDATE migration_batches SET heartbeat_at = now() - interval '1 day' WHERE id = :id`, {
      replacements: { id: finished.id },
    });

    const endingSoon = await userWithRefreshTokenEnding(3);
    await userWithRefreshTokenEnding(-1);
    await userWithRefreshTokenEnding(30);
    await seedUser(services, simulator, { app: false, legacy: true });

    await reauthEvent(endingSoon, 0.5);
    await reauthEvent(endingSoon, 0.9);
    await reauthEvent(endingSoon, 2);

    await new DatabaseGauges({ sequelize: database.sequelize, batchStaleAfterSeconds: 120, log }).sample();

    expect({
      reachable: await gauge("database_reachable"),
      stalled: await gauge("migration_batches_stalled"),
      nearEnd: await gauge("token_refresh_tokens_near_end"),
      reauth: await gauge("migration_reauth_required_last_hour"),
    }).toEqual({ reachable: 1, stalled: 1, nearEnd: 2, reauth: 2 });
  });

  it("report the database unreachable (0) when it refuses connections, and reachable again once it answers", async () => {
    const unreachable = connectDatabase({ url: "postgres://postgres@127.0.0.1:1/postgres", maxConnections: 1 });
    try {
      await new DatabaseGauges({ sequelize: unreachable, batchStaleAfterSeconds: 120, log }).sample();
      expect(await gauge("database_reachable")).toBe(0);
    } finally {
      await unreachable.close();
    }
    await new DatabaseGauges({ sequelize: database.sequelize, batchStaleAfterSeconds: 120, log }).sample();
    expect(await gauge("database_reachable")).toBe(1);
  });

  it("can answer from indexes rather than reading every row (planned with sequential scans off, as a table of 100,000 users would be)", async () => {
    const plans = await database.sequelize.transaction(async (transaction) => {
      await database.sequelize.query("SET LOCAL enable_seqscan = off", { transaction });
      const explain = async (query: string) =>
        (await database.sequelize.query<{ "QUERY PLAN": string }>(`EXPLAIN ${query}`, { type: QueryTypes.SELECT, transaction }))
          .map((line) => line["QUERY PLAN"])
          .join("\n");
      return {
        nearEnd: await explain(
          `SELECT count(*) FROM users WHERE github_app_refresh_token IS NOT NULL AND github_app_refresh_token_expires_at < now() + interval '7 days'`,
        ),
        stalled: await explain(`SELECT count(*) FROM migration_batches WHERE state = 'running' AND heartbeat_at < now() - interval '2 minutes'`),
      };
    });
    expect(plans.nearEnd).toContain("users_refresh_token_end_idx");
    expect(plans.stalled).toContain("migration_batches_running_heartbeat_idx");
  });
});
