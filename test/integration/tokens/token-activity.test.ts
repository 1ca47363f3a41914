// Token activity counted in memory and added to the database by each instance: the rollout guard's
// per-minute outcomes and the trends' per-hour buckets are written together or not at all, and a
// flush the database refuses loses nothing.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { QueryTypes } from "sequelize";
import { TokenActivityLog } from "../../../src/tokens/token-activity.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

async function hourly() {
  return database.sequelize.query<{ hour: Date; instance_id: string; measure: string; label: string; count: number }>(
    "SELECT hour, instance_id, measure, label, count FROM token_activity_hours ORDER BY hour, instance_id, measure, label",
    { type: QueryTypes.SELECT },
  );
}

async function perMinute() {
  return database.sequelize.query<{ minute: Date; instance_id: string; outcome: string; count: number }>(
    "SELECT minute, instance_id, outcome, count FROM token_resolution_outcomes ORDER BY minute, instance_id, outcome",
    { type: QueryTypes.SELECT },
  );
}

describe("the token activity log", () => {
  it("writes each instance's counts per hour and per minute, and keeps them through a refused flush", async () => {
    let now = new Date("2026-12-01T10:59:30Z");
    const first = new TokenActivityLog({ models: database.models, instanceId: "first", now: () => now });
    const second = new TokenActivityLog({ models: database.models, instanceId: "second", now: () => now });

    first.resolved({ type: "github_app_user" });
    first.resolved({ type: "oauth", fallbackReason: "app_token_unavailable" });
    second.resolved({ type: "oauth", fallbackReason: "not_in_rollout" });
    second.refreshed("terminal");
    second.reauthRequired("refresh_token_expired");
    await first.flush();

    // The database refuses the second instance's flush; it keeps counting meanwhile.
    await database.sequelize.query("ALTER TABLE token_activity_hours RENAME TO token_activity_hours_away");
    await expect(second.flush()).rejects.toThrow(/token_activity_hours/);
    await database.sequelize.query("ALTER TABLE token_activity_hours_away RENAME TO token_activity_hours");
    now = new Date("2026-12-01T11:00:10Z");
    second.resolved({ type: "reauth_required" });
    // Nothing of the refused flush was written, not even the guard's per-minute half.
    expect((await perMinute()).filter((row) => row.instance_id === "second")).toEqual([]);
    await second.flush();
    await second.flush();

    const ten = new Date("2026-12-01T10:00:00Z");
    const eleven = new Date("2026-12-01T11:00:00Z");
    expect(await hourly()).toEqual([
      { hour: ten, instance_id: "first", measure: "fallback", label: "app_token_unavailable", count: 1 },
      { hour: ten, instance_id: "first", measure: "resolution", label: "github_app_user", count: 1 },
      { hour: ten, instance_id: "first", measure: "resolution", label: "oauth", count: 1 },
      { hour: ten, instance_id: "second", measure: "fallback", label: "not_in_rollout", count: 1 },
      { hour: ten, instance_id: "second", measure: "reauth_required", label: "refresh_token_expired", count: 1 },
      { hour: ten, instance_id: "second", measure: "refresh", label: "terminal", count: 1 },
      { hour: ten, instance_id: "second", measure: "resolution", label: "oauth", count: 1 },
      { hour: eleven, instance_id: "second", measure: "resolution", label: "reauth_required", count: 1 },
    ]);
    // The guard counts a fallback after a failed refresh as a failure.
    expect(await perMinute()).toEqual([
      { minute: new Date("2026-12-01T10:59:00Z"), instance_id: "first", outcome: "refresh_failed", count: 1 },
      { minute: new Date("2026-12-01T10:59:00Z"), instance_id: "first", outcome: "served", count: 1 },
      { minute: new Date("2026-12-01T10:59:00Z"), instance_id: "second", outcome: "served", count: 1 },
      { minute: new Date("2026-12-01T11:00:00Z"), instance_id: "second", outcome: "reauth_required", count: 1 },
    ]);

    // Later counts in a bucket already written add to it.
    first.resolved({ type: "github_app_user" });
    now = new Date("2026-12-01T10:30:00Z");
    first.resolved({ type: "github_app_user" });
    await first.flush();
    expect((await hourly()).find((row) => row.instance_id === "first" && row.label === "github_app_user")?.count).toBe(2);
  });
});
