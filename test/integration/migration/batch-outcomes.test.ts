// How a batch ends for its users: each user is claimed at most once per batch, and a user that hits an
// unexpected error is named in the batch's outcome, which never reads a plain "finished" then.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { QueryTypes } from "sequelize";
import type { GitHubSimulator } from "../../../simulator/index.js";
import type { Services } from "../../../src/services.js";
import type { TestDatabase } from "../../support/database.js";
import { importLegacyUsers, startMigrationWorld, type MigrationWorld } from "../../support/migration-fixture.js";

describe("a migration batch's outcome", () => {
  let world: MigrationWorld;
  let database: TestDatabase;
  let simulator: GitHubSimulator;
  let services: Services;

  beforeAll(async () => {
    world = await startMigrationWorld();
    ({ database, simulator, services } = world);
  });
  afterAll(() => world.stop());

  const importUsers = (logins: string[]) => importLegacyUsers(services, simulator, logins);

  /** The sealed legacy token of `from` copied onto `to`'s row: sealing binds a value to its row, so it cannot be opened there. */
  async function breakLegacyToken(to: number, from: number): Promise<void> {
    await database.sequelize.query(
      `UPDATE users SET provider_info = (SELECT provider_info FROM users WHERE github_id = :from) WHERE github_id = :to`,
      { replacements: { from, to } },
    );
  }

  async function claimsPerUser(batchId: number): Promise<number> {
    const [row] = await database.sequelize.query<{ count: string }>(
      `SELECT count(*) FROM migration_events WHERE batch_id = :batchId`,
      { replacements: { batchId }, type: QueryTypes.SELECT },
    );
    return Number(row!.count);
  }

  it("claims a user whose processing errors once, and says the batch failed when every user errored", async () => {
    const [broken, donor] = await importUsers(["errs-alone", "donor-of-a-token"]);
    await breakLegacyToken(broken!, donor!);
    // Only the broken user is claimable: the donor is already asked for consent.
    await database.models.User.update({ tokenMigrationStatus: "consent_required" }, { where: { githubId: donor! } });

    const batch = await services.migrationBatches.run({ size: 5, actor: "octo-maintainer" });

    expect(batch.counts).toEqual({ claimed: 1, errors: 1 });
    expect(batch.state).toBe("failed");
    expect(batch.error).toContain("every user it claimed (1) hit an error");
    expect(batch.userErrors).toEqual([{ github_id: broken, login: "errs-alone", error: expect.any(String) }]);
    expect(JSON.stringify(batch.userErrors)).not.toMatch(/gh[ou]_/);
    // Left pending for a later batch, which may claim it again (once).
    const user = await database.models.User.findOne({ where: { githubId: broken! } });
    expect(user!.tokenMigrationStatus).toBe("pending");
    const later = await services.migrationBatches.run({ size: 5, actor: "octo-maintainer" });
    expect(later.counts).toEqual({ claimed: 1, errors: 1 });
    await database.models.User.update({ tokenMigrationStatus: "rolled_back" }, { where: { githubId: broken! } });
  });

  it("finishes with errors when some users errored and the others were processed", async () => {
    const [broken, ...fine] = await importUsers(["errs-among-others", "fine-1", "fine-2"]);
    await breakLegacyToken(broken!, fine[0]!);

    const batch = await services.migrationBatches.run({ size: 10, actor: "octo-maintainer" });

    expect(batch.counts).toMatchObject({ claimed: 3, errors: 1, consent_required: 2 });
    expect(batch.state).toBe("finished_with_errors");
    expect(batch.userErrors.map((error) => error.login)).toEqual(["errs-among-others"]);
    expect(await claimsPerUser(batch.id)).toBe(2);
    const view = await services.migrationBatches.get(batch.id);
    expect(view).toMatchObject({ state: "finished_with_errors", userErrors: [{ login: "errs-among-others" }] });
    await database.models.User.update({ tokenMigrationStatus: "rolled_back" }, { where: { githubId: broken! } });
  });

  it("runs to completion without taking an errored user again, so it ends", async () => {
    const [broken, ...fine] = await importUsers(["errs-in-a-run", "fine-3", "fine-4", "fine-5"]);
    await breakLegacyToken(broken!, fine[0]!);

    const batches = await services.migrationBatches.runToCompletion({ size: 2, actor: "octo-maintainer" });

    const claimed = batches.reduce((sum, batch) => sum + (batch.counts.claimed ?? 0), 0);
    expect(claimed).toBe(4);
    expect(batches.flatMap((batch) => batch.userErrors.map((error) => error.login))).toEqual(["errs-in-a-run"]);
    expect(batches.at(-1)!.counts.claimed ?? 0).toBe(0);
  });
});
