import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { MIGRATION_STATUSES, type MigrationStatus } from "../../../src/db/models/index.js";
import {
  canTransition,
  ConcurrentTransitionError,
  IllegalTransitionError,
  transitionUser,
} from "../../../src/users/status-machine.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

describe("the migration status machine", () => {
  let database: TestDatabase;
  let nextGithubId = 1000;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  async function userIn(status: MigrationStatus) {
    return database.models.User.create({ githubId: nextGithubId++, login: `user${nextGithubId}`, tokenMigrationStatus: status });
  }

  it("follows the design's paths: pending → consent_required → migrated → reauth_required", async () => {
    const user = await userIn("pending");
    for (const to of ["consent_required", "migrated", "reauth_required"] as const) {
      await database.sequelize.transaction((transaction) =>
        transitionUser(database.models, { user, to, reason: `to ${to}`, actor: "system", transaction }),
      );
    }
    await user.reload();
    expect(user.tokenMigrationStatus).toBe("reauth_required");
    expect(user.migrationError).toBe("to reauth_required");
    expect(user.migratedAt).toBeInstanceOf(Date);
    const events = await database.models.MigrationEvent.findAll({ where: { userId: user.id }, order: [["id", "ASC"]] });
    expect(events.map((event) => [event.fromStatus, event.toStatus, event.actor])).toEqual([
      ["pending", "consent_required", "system"],
      ["consent_required", "migrated", "system"],
      ["migrated", "reauth_required", "system"],
    ]);
  });

  it("lets a successful authorization move any state to migrated", () => {
    for (const from of MIGRATION_STATUSES) expect(canTransition(from, "migrated")).toBe(true);
  });

  it("allows rolled_back from every other state and only pending after it", () => {
    for (const from of MIGRATION_STATUSES) expect(canTransition(from, "rolled_back")).toBe(from !== "rolled_back");
    const fromRolledBack = MIGRATION_STATUSES.filter((to) => canTransition("rolled_back", to));
    expect(fromRolledBack.sort()).toEqual(["migrated", "pending"]);
  });

  it("refuses an illegal transition with an error and writes nothing", async () => {
    const user = await userIn("pending");
    await expect(
      database.sequelize.transaction((transaction) =>
        transitionUser(database.models, { user, to: "reauth_required", reason: "x", actor: "system", transaction }),
      ),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
    await user.reload();
    expect(user.tokenMigrationStatus).toBe("pending");
    expect(await database.models.MigrationEvent.count({ where: { userId: user.id } })).toBe(0);
  });

  it("refuses to act on a stale read when another writer moved the user first", async () => {
    const user = await userIn("migrated");
    const stale = await database.models.User.findByPk(user.id);
    await database.sequelize.transaction((transaction) =>
      transitionUser(database.models, { user, to: "revoked", reason: "revoked", actor: "webhook", transaction }),
    );
    await expect(
      database.sequelize.transaction((transaction) =>
        transitionUser(database.models, { user: stale!, to: "reauth_required", reason: "x", actor: "system", transaction }),
      ),
    ).rejects.toBeInstanceOf(ConcurrentTransitionError);
    expect(await database.models.MigrationEvent.count({ where: { userId: user.id } })).toBe(1);
  });

  it("rolls the status back with the transaction when a later write in it fails", async () => {
    const user = await userIn("pending");
    await expect(
      database.sequelize.transaction(async (transaction) => {
        await transitionUser(database.models, { user, to: "consent_required", reason: "batch", actor: "system", transaction });
        throw new Error("later failure");
      }),
    ).rejects.toThrow("later failure");
    const fresh = await database.models.User.findByPk(user.id);
    expect(fresh?.tokenMigrationStatus).toBe("pending");
    expect(await database.models.MigrationEvent.count({ where: { userId: user.id } })).toBe(0);
  });

  describe("random walks", () => {
    beforeEach(() => {
      nextGithubId += 100;
    });

    it("never reaches a status outside the machine, whatever is attempted", async () => {
      const user = await userIn("pending");
      let seed = 42;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      let legal = 0;
      for (let step = 0; step < 60; step++) {
        const to = MIGRATION_STATUSES[Math.floor(random() * MIGRATION_STATUSES.length)]!;
        const from = user.tokenMigrationStatus;
        const attempt = database.sequelize.transaction((transaction) =>
          transitionUser(database.models, { user, to, reason: `step ${step}`, actor: "system", transaction }),
        );
        if (canTransition(from, to)) {
          await attempt;
          legal++;
        } else {
          await expect(attempt).rejects.toBeInstanceOf(IllegalTransitionError);
        }
      }
      const events = await database.models.MigrationEvent.findAll({ where: { userId: user.id }, order: [["id", "ASC"]] });
      expect(events).toHaveLength(legal);
      let status: MigrationStatus = "pending";
      for (const event of events) {
        expect(event.fromStatus).toBe(status);
        expect(canTransition(event.fromStatus!, event.toStatus)).toBe(true);
        status = event.toStatus;
      }
      await user.reload();
      expect(user.tokenMigrationStatus).toBe(status);
    });
  });
});
