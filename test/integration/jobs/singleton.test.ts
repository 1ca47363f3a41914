import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { scheduleJob } from "../../../src/jobs/interval-job.js";
import { runAsSingleton } from "../../../src/jobs/singleton.js";
import { captureLog } from "../../support/app.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

describe("singleton jobs", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it("runs the work on exactly one of several concurrent callers", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    const first = runAsSingleton(database.sequelize, "reconcile", async () => {
      runs++;
      await held;
      return "first";
    });
    // Give the first caller time to take the lock.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const others = await Promise.all(
      [1, 2, 3].map(() => runAsSingleton(database.sequelize, "reconcile", async () => ++runs)),
    );
    release();
    expect(await first).toEqual({ ran: true, result: "first" });
    expect(others).toEqual([{ ran: false }, { ran: false }, { ran: false }]);
    expect(runs).toBe(1);
  });

  it("releases the lock when the work fails, so the next run goes ahead", async () => {
    await expect(
      runAsSingleton(database.sequelize, "flaky", async () => {
        throw new Error("GitHub was down");
      }),
    ).rejects.toThrow("GitHub was down");
    expect(await runAsSingleton(database.sequelize, "flaky", async () => "recovered")).toEqual({
      ran: true,
      result: "recovered",
    });
  });

  it("keeps different jobs independent", async () => {
    const results = await Promise.all([
      runAsSingleton(database.sequelize, "job-a", async () => "a"),
      runAsSingleton(database.sequelize, "job-b", async () => "b"),
    ]);
    expect(results).toEqual([
      { ran: true, result: "a" },
      { ran: true, result: "b" },
    ]);
  });
});

describe("interval jobs", () => {
  it("never overlaps itself, keeps running after a failure, and stop() waits for the run in progress", async () => {
    const { log, lines } = await captureLog("error");
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const job = scheduleJob({
      name: "probe",
      intervalMs: 5,
      log,
      run: async () => {
        calls++;
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        active--;
        if (calls === 2) throw new Error("one bad run");
      },
    });
    job.start();
    await Promise.all([job.runOnce(), job.runOnce()]);
    await new Promise((resolve) => setTimeout(resolve, 120));
    await job.stop();
    const callsAtStop = calls;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(maxActive).toBe(1);
    expect(active).toBe(0);
    expect(callsAtStop).toBeGreaterThanOrEqual(3);
    expect(calls).toBe(callsAtStop);
    expect(lines().some((line) => String(line.msg).includes("job probe failed"))).toBe(true);
  });
});
