// Batches whose owner died: the instance running a batch stops heartbeating (killed, partitioned);
// whoever sweeps first marks the batch failed with the reason and frees its users at once, exactly
// once however many instances sweep together, and a batch that is still alive is never touched.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { QueryTypes, type Sequelize } from "sequelize";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { connectDatabase } from "../../../src/db/connection.js";
import { defineModels } from "../../../src/db/models/index.js";
import { StalledBatchSweep } from "../../../src/migration/stalled-batches.js";
import type { Services } from "../../../src/services.js";
import type { TestDatabase } from "../../support/database.js";
import { testEnv } from "../../support/config.js";
import { encryptionKey } from "../../support/vault-fixture.js";
import { importLegacyUsers, migrationEnv, startMigrationWorld, type MigrationWorld } from "../../support/migration-fixture.js";

let world: MigrationWorld;
let database: TestDatabase;
let simulator: GitHubSimulator;
let services: Services;
let otherInstances: Sequelize[] = [];
/** Shared with the CLI process of the SIGKILL test, which must open the tokens this process sealed. */
const TOKEN_ENCRYPTION_KEYS = encryptionKey("stalled");

beforeAll(async () => {
  world = await startMigrationWorld({ TOKEN_ENCRYPTION_KEYS });
  ({ database, simulator, services } = world);
  otherInstances = [1, 2].map(() => connectDatabase({ url: database.url, maxConnections: 2 }));
});
afterAll(async () => {
  await Promise.all(otherInstances.map((sequelize) => sequelize.close()));
  await world.stop();
});

const importUsers = (prefix: string, count: number) =>
  importLegacyUsers(services, simulator, Array.from({ length: count }, (_, index) => `${prefix}-${index}`));

/**
 * What an instance leaves behind when it dies mid-batch: a running batch row whose last heartbeat
 * was `heartbeatAgeSeconds` ago, holding its users' claims under a lease that has minutes to run.
 */
async function batchOfAnInstance(githubIds: number[], heartbeatAgeSeconds: number): Promise<number> {
  const batch = await services.models.MigrationBatch.create({ requestedBy: "octo-maintainer", size: githubIds.length });
  await database.sequelize.query(
    `UPDATE migration_batches SET heartbeat_at = now() - make_interval(secs => :age), counts = '{"claimed": ${githubIds.length}}' WHERE id = :id`,
    { replacements: { age: heartbeatAgeSeconds, id: batch.id } },
  );
  await database.sequelize.query(
    `UPDATE users SET batch_claim_id = :id, batch_claim_expires_at = now() + interval '5 minutes' WHERE github_id IN (:githubIds)`,
    { replacements: { id: batch.id, githubIds } },
  );
  return batch.id;
}

async function claimsOf(githubIds: number[]): Promise<Array<number | null>> {
  const rows = await database.sequelize.query<{ batch_claim_id: string | null }>(
    `SELECT batch_claim_id FROM users WHERE github_id IN (:githubIds) ORDER BY github_id`,
    { replacements: { githubIds }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => (row.batch_claim_id === null ? null : Number(row.batch_claim_id)));
}

describe("a batch whose instance stopped heartbeating", () => {
  it("is marked failed with the reason by exactly one of the instances sweeping together, and its users are claimable at once", async () => {
    const orphans = await importUsers("orphan", 4);
    const living = await importUsers("living", 3);
    const deadBatch = await batchOfAnInstance(orphans, 3 * 60);
    const liveBatch = await batchOfAnInstance(living, 2);

    // While the lease runs, no batch may take the orphans: without the sweep they would wait for it.
    const before = await services.migrationBatches.run({ size: 20, dryRun: true, actor: "octo-maintainer" });
    expect(before.counts.candidates ?? 0).toBe(0);

    const sweeps = [database.sequelize, ...otherInstances].map(
      (sequelize) => new StalledBatchSweep({ models: defineModels(sequelize), log: services.log }),
    );
    const found = (await Promise.all(sweeps.map((sweep) => sweep.runPass()))).flat();

    expect(found).toEqual([{ batchId: deadBatch, heartbeatAt: expect.any(Date), releasedUsers: 4 }]);
    const failed = await services.migrationBatches.get(deadBatch);
    expect({ state: failed.state, stale: failed.stale, finished: failed.finishedAt !== null }).toEqual({ state: "failed", stale: false, finished: true });
    expect(failed.error).toBe(
      `owner instance stopped heartbeating at ${found[0]!.heartbeatAt.toISOString().replace(/\.\d{3}Z$/, "Z")}; marked failed and its unfinished users released`,
    );
    expect(failed.counts).toEqual({ claimed: 4 });
    expect(await claimsOf(orphans)).toEqual([null, null, null, null]);

    // The living batch and its users are untouched.
    const alive = await services.migrationBatches.get(liveBatch);
    expect({ state: alive.state, error: alive.error, finishedAt: alive.finishedAt }).toEqual({ state: "running", error: null, finishedAt: null });
    expect(await claimsOf(living)).toEqual(living.map(() => liveBatch));

    // The next batch takes the orphans at once, and none of the living batch's users.
    const next = await services.migrationBatches.run({ size: 20, actor: "octo-maintainer" });
    expect(next.counts).toMatchObject({ claimed: 4, consent_required: 4 });
    expect(await claimsOf(living)).toEqual(living.map(() => liveBatch));

    // Nothing is done twice: a later sweep finds nothing, and the failed batch keeps its reason.
    expect(await sweeps[1]!.runPass()).toEqual([]);
    expect((await services.migrationBatches.get(deadBatch)).error).toBe(failed.error);
  });

  it("stops a batch marked failed while its instance was cut off: it claims nobody more and stays failed", async () => {
    const users = await importUsers("cut-off", 3);
    // GitHub makes the batch wait 3 s on one of its users, so the sweep comes while it runs.
    simulator.injectFault("check_token", { status: 429, retryAfterSeconds: 3 });
    const { batchId, finished } = await services.migrationBatches.start({ size: 3, actor: "octo-maintainer" });
    // The sweep of another instance, as if this one had not heartbeated for minutes.
    await database.sequelize.query(`UPDATE migration_batches SET heartbeat_at = now() - interval '10 minutes' WHERE id = :batchId`, {
      replacements: { batchId },
    });
    await new StalledBatchSweep({ models: defineModels(otherInstances[0]!), log: services.log }).runPass();

    const view = await finished;
    expect(view.state).toBe("failed");
    expect(view.error).toMatch(/^owner instance stopped heartbeating at /);
    // What it did before the sweep is kept in its counts; the users it had not settled are free for the next batch.
    const settled = await services.models.User.count({ where: { githubId: users, tokenMigrationStatus: "consent_required" } });
    expect(view.counts.consent_required ?? 0).toBe(settled);
    expect(await claimsOf(users)).toEqual([null, null, null]);
    const next = await services.migrationBatches.run({ size: 10, actor: "octo-maintainer" });
    expect(next.counts.claimed ?? 0).toBe(3 - settled);
    expect(await services.models.User.count({ where: { githubId: users, tokenMigrationStatus: "consent_required" } })).toBe(3);
    simulator.clearFaults();
  });

  it("frees the users of a batch whose CLI process was SIGKILLed mid-batch", async () => {
    const users = await importUsers("killed", 4);
    // GitHub holds the batch for a minute on its first legacy-token check: the process is killed mid-batch.
    simulator.injectFault("check_token", { status: 429, retryAfterSeconds: 60 });
    const child = spawn(process.execPath, ["bin/github-app-user-tokens.js", "migration", "batch", "--size", "4", "--json"], {
      env: { ...process.env, ...testEnv({ DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEYS, ...migrationEnv(simulator) }), NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // What the CLI said, for the failure message when it never gets as far as claiming.
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    let exitCode: number | null = null;
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (code, signal) => {
        exitCode = code;
        resolve(signal);
      }),
    );
    try {
      // The 429 is spent on one user's check; the others' checks answer at once and their claims
      // are released as each settles, so the moment all four are claimed may pass between two polls.
      // Killed while it holds at least the one waiting out the Retry-After, the batch is mid-run.
      for (const deadline = Date.now() + 60_000; (await claimsOf(users)).every((claim) => claim === null); ) {
        if (exitCode !== null || Date.now() > deadline) {
          const claims = JSON.stringify(await claimsOf(users));
          throw new Error(`the CLI's batch never claimed a user (claims ${claims}, exit code ${exitCode}); it said: ${output.slice(-2000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      child.kill("SIGKILL");
    }
    expect(await exited).toBe("SIGKILL");
    const claimed = (await claimsOf(users)).filter((claim) => claim !== null);
    const batchId = claimed[0];
    expect(claimed.every((claim) => claim === batchId)).toBe(true);
    expect(await services.migrationBatches.get(batchId!)).toMatchObject({ state: "running", error: null, userErrors: [] });

    // Another instance's sweep, with a threshold of 2 s so the test need not wait 2 minutes.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const found = await new StalledBatchSweep({ models: defineModels(otherInstances[1]!), log: services.log, staleAfterSeconds: 2 }).runPass();

    // (The first test's hand-made "living" batch, never heartbeating since, is past 2 s too.)
    expect(found.filter((batch) => batch.batchId === batchId)).toEqual([{ batchId, heartbeatAt: expect.any(Date), releasedUsers: claimed.length }]);
    const failed = await services.migrationBatches.get(batchId!);
    expect({ state: failed.state, error: failed.error }).toEqual({ state: "failed", error: expect.stringMatching(/^owner instance stopped heartbeating at /) });
    expect(await claimsOf(users)).toEqual([null, null, null, null]);
    simulator.clearFaults();
    await services.migrationBatches.run({ size: 10, actor: "octo-maintainer" });
    expect(await services.models.User.count({ where: { githubId: users, tokenMigrationStatus: "consent_required" } })).toBe(4);
  }, 120_000);
});
