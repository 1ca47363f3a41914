// Model check of the migration status machine: random sequences of requested transitions, applied
// through transitionUser on real rows. Whatever the sequence, every accepted step is legal and
// audited as a chain, every refused one throws and writes nothing, and no illegal state is reached.
// "Legal" is the design's table, written out below pair by pair, not the implementation's own.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { MIGRATION_STATUSES, type MigrationStatus } from "../../src/db/models/index.js";
import { canTransition, IllegalTransitionError, transitionUser } from "../../src/users/status-machine.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { ReliabilityTally } from "./reliability-tally.js";

const RUNS = process.env.RELIABILITY_HEAVY === "1" ? 300 : 40;
let database: TestDatabase;
let nextGithubId = 70_000;
const tally = new ReliabilityTally();

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
  tally.print();
});

const status = fc.constantFrom(...MIGRATION_STATUSES);

const Y = true;
const n = false;
/**
 * DESIGN.md "Migration status machine", every one of the 7 × 7 pairs: the row is where a user is,
 * the column where a transition would take them. An authorization moves anyone to migrated; a
 * maintainer rolls back from anywhere (but rolled_back itself) and re-enables to pending only.
 */
const LEGAL: Record<MigrationStatus, Record<MigrationStatus, boolean>> = {
  //                   pending consent_required migrated reauth_required revoked failed rolled_back
  pending:          { pending: n, consent_required: Y, migrated: Y, reauth_required: n, revoked: n, failed: Y, rolled_back: Y },
  consent_required: { pending: n, consent_required: n, migrated: Y, reauth_required: n, revoked: n, failed: n, rolled_back: Y },
  migrated:         { pending: n, consent_required: n, migrated: Y, reauth_required: Y, revoked: Y, failed: Y, rolled_back: Y },
  reauth_required:  { pending: n, consent_required: n, migrated: Y, reauth_required: n, revoked: Y, failed: n, rolled_back: Y },
  revoked:          { pending: n, consent_required: n, migrated: Y, reauth_required: n, revoked: n, failed: n, rolled_back: Y },
  failed:           { pending: n, consent_required: Y, migrated: Y, reauth_required: n, revoked: Y, failed: n, rolled_back: Y },
  rolled_back:      { pending: Y, consent_required: n, migrated: Y, reauth_required: n, revoked: n, failed: n, rolled_back: n },
};

describe("the status machine's table", () => {
  it("allows exactly the design's transitions, pair by pair", () => {
    const pairs = MIGRATION_STATUSES.flatMap((from) => MIGRATION_STATUSES.map((to) => ({ from, to })));
    expect(pairs).toHaveLength(49);
    for (const { from, to } of pairs) expect({ from, to, legal: canTransition(from, to) }).toEqual({ from, to, legal: LEGAL[from][to] });
  });
});

describe("the status machine under random event sequences", () => {
  it("never reaches an illegal state, and audits exactly what it accepted", async () => {
    await fc.assert(
      fc.asyncProperty(status, fc.array(status, { maxLength: 10 }), async (initial, requests) => {
        const models = database.models;
        const user = await models.User.create({ githubId: nextGithubId++, login: `model-${nextGithubId}`, tokenMigrationStatus: initial });
        let modelled: MigrationStatus = initial;
        let accepted = 0;
        // A user seeded in reauth_required or revoked has been migrated before, by those states' meaning.
        let everMigrated = ["migrated", "reauth_required", "revoked"].includes(initial);
        for (const to of requests) {
          const legal = LEGAL[modelled][to];
          let outcome: "done" | "refused";
          try {
            await database.sequelize.transaction((transaction) => transitionUser(models, { user, to, reason: `to ${to}`, actor: "model", transaction }));
            outcome = "done";
          } catch (error) {
            if (!(error instanceof IllegalTransitionError)) throw error;
            outcome = "refused";
          }
          tally.record("status machine: transitions", "illegal accepted", { bad: outcome === "done" && !legal ? 1 : 0 });
          expect({ from: modelled, to, outcome }).toEqual({ from: modelled, to, outcome: legal ? "done" : "refused" });
          if (legal) {
            // The design's rules, independent of the table: reauth only from migrated, out of a
            // rollback only back to pending or to migrated by an authorization.
            if (to === "reauth_required") expect(modelled).toBe("migrated");
            if (modelled === "rolled_back") expect(["pending", "migrated"]).toContain(to);
            if (to === "revoked") expect(everMigrated || modelled === "failed").toBe(true);
            modelled = to;
            accepted += 1;
            everMigrated ||= to === "migrated";
          }
          await user.reload();
          expect(user.tokenMigrationStatus).toBe(modelled);
          expect(MIGRATION_STATUSES).toContain(user.tokenMigrationStatus);
          // The reason is kept exactly while the user is failed or reauth_required.
          if (accepted > 0) expect(user.migrationError !== null).toBe(modelled === "failed" || modelled === "reauth_required");
        }
        const events = await models.MigrationEvent.findAll({ where: { userId: user.id }, order: [["id", "ASC"]] });
        expect(events).toHaveLength(accepted);
        let chain: MigrationStatus = initial;
        for (const event of events) {
          expect(event.fromStatus).toBe(chain);
          expect(LEGAL[event.fromStatus as MigrationStatus][event.toStatus as MigrationStatus]).toBe(true);
          chain = event.toStatus as MigrationStatus;
        }
        expect(chain).toBe(modelled);
      }),
      { numRuns: RUNS },
    );
  });
});
