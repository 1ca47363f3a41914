import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Sequelize } from "sequelize";
import { ConnectionBudget } from "../../../src/db/connection-budget.js";
import { connectDatabase } from "../../../src/db/connection.js";
import { defineModels } from "../../../src/db/models/index.js";
import { TerminalTokenError } from "../../../src/github/errors.js";
import { TokenRefresher } from "../../../src/tokens/refresh.js";
import { TokenStore } from "../../../src/tokens/token-store.js";
import { captureLog } from "../../support/app.js";
import { fetchToken, seedUser, startVaultWorld, type VaultWorld } from "../../support/vault-fixture.js";

let world: VaultWorld;

beforeAll(async () => {
  world = await startVaultWorld();
});
afterAll(() => world?.stop());
beforeEach(() => {
  world.simulator.clearFaults();
  world.simulator.counters.reset();
});

/** Makes every UPDATE of users matching `when` fail, as a broken database would, until undone. */
async function failUserUpdates(when: string): Promise<() => Promise<void>> {
  const sql = (statement: string) => world.database.sequelize.query(statement);
  await sql(`CREATE OR REPLACE FUNCTION refuse_user_update() RETURNS trigger AS $$
             BEGIN RAISE EXCEPTION 'simulated database failure'; END $$ LANGUAGE plpgsql`);
  await sql(`CREATE TRIGGER refuse_user_update BEFORE UPDATE ON users FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION refuse_user_update()`);
  return async () => {
    await sql(`DROP TRIGGER refuse_user_update ON users`);
  };
}

/** Lets the backoff run out, as time passing would. */
async function endBackoff(githubId: number) {
  await world.app.services.models.User.update({ nextRefreshAttemptAt: new Date(Date.now() - 1000) }, { where: { githubId } });
}

describe("refreshes that fail half-way", () => {
  it("ends reauth_required with a reason when GitHub rotates and then storing the new pair fails", async () => {
    const seeded = await seedUser(world.app.services, world.simulator, { expired: true });
    const restore = await failUserUpdates("NEW.github_app_refresh_token IS DISTINCT FROM OLD.github_app_refresh_token");
    try {
      const answer = await fetchToken(world.app, seeded.githubId);
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ error: "reauth_required" });
    } finally {
      await restore();
    }
    expect(world.simulator.counters.refreshes(seeded.login)).toBe(1);
    const row = await seeded.user.reload();
    expect(row.tokenMigrationStatus).toBe("reauth_required");
    expect(row.migrationError).toMatch(/storing it failed.*simulated database failure.*refresh token is spent/);
    expect(row.refreshFailureClass).toBe("interrupted");
    const events = await world.app.services.models.MigrationEvent.findAll({ where: { userId: row.id } });
    expect(events.map((event) => [event.fromStatus, event.toStatus, event.actor])).toEqual([["migrated", "reauth_required", "system"]]);
    // No loop: later calls do not go back to GitHub.
    for (let i = 0; i < 3; i++) expect((await fetchToken(world.app, seeded.githubId)).status).toBe(409);
    expect(world.simulator.counters.calls("refresh")).toBe(1);
  });

  it("never calls GitHub when the refresh intent cannot be written, and keeps the pair", async () => {
    const seeded = await seedUser(world.app.services, world.simulator, { expired: true });
    const restore = await failUserUpdates("NEW.refresh_intent_id IS NOT NULL");
    try {
      expect((await fetchToken(world.app, seeded.githubId)).status).toBe(500);
    } finally {
      await restore();
    }
    expect(world.simulator.counters.calls("refresh")).toBe(0);
    const answer = await fetchToken(world.app, seeded.githubId);
    expect(answer.status).toBe(200);
    expect(world.simulator.isTokenValid(answer.body.token as string)).toBe(true);
  });

  it("settles on the next attempt when neither the new pair nor the loss can be recorded", async () => {
    const seeded = await seedUser(world.app.services, world.simulator, { expired: true });
    // Every write that would end the intent fails, as if the database went away right after GitHub answered.
    const restore = await failUserUpdates("OLD.refresh_intent_id IS NOT NULL");
    try {
      expect((await fetchToken(world.app, seeded.githubId)).status).toBe(503);
    } finally {
      await restore();
    }
    let row = await seeded.user.reload();
    expect(row.tokenMigrationStatus).toBe("migrated");
    expect(row.refreshIntentId).not.toBeNull();
    // The lease runs out (moved into the past rather than waited for): the row is in doubt.
    await row.update({ refreshLeaseUntil: new Date(Date.now() - 1_000) });
    expect((await fetchToken(world.app, seeded.githubId)).status).toBe(409);
    row = await seeded.user.reload();
    expect(row.tokenMigrationStatus).toBe("reauth_required");
    expect(row.refreshFailureClass).toBe("interrupted");
    expect(row.migrationError).toMatch(/interrupted.*bad_refresh_token/);
    expect(row.refreshIntentId).toBeNull();
    expect((await fetchToken(world.app, seeded.githubId)).status).toBe(409);
    expect(world.simulator.counters.calls("refresh")).toBe(2);
    expect(world.simulator.counters.refreshes(seeded.login)).toBe(1);
  });

  it("backs off when the answer to a rotation is lost, then ends reauth_required instead of looping", async () => {
    const seeded = await seedUser(world.app.services, world.simulator, { expired: true });
    world.simulator.injectFault("refresh", { rotateThenDrop: true });
    const first = await fetchToken(world.app, seeded.githubId);
    expect(first.status).toBe(503);
    expect((await seeded.user.reload()).refreshFailureCount).toBe(1);
    await endBackoff(seeded.githubId);
    expect((await fetchToken(world.app, seeded.githubId)).status).toBe(409);
    const settled = await seeded.user.reload();
    expect(settled.tokenMigrationStatus).toBe("reauth_required");
    expect(settled.refreshFailureClass).toBe("interrupted");
    await endBackoff(seeded.githubId);
    expect((await fetchToken(world.app, seeded.githubId)).status).toBe(409);
    expect(world.simulator.counters.calls("refresh")).toBe(2);
  });

  it("serves the winner's pair when GitHub answers bad_refresh_token after the lease ran out and another instance settled", async () => {
    const seeded = await seedUser(world.app.services, world.simulator, { expired: true });
    // Instance B, with its own pool. GitHub is so slow for B that its lease runs out (moved into the
    // past here); instance A then settles the row in doubt with the stored refresh token, and only
    // afterwards does B hear that its refresh token is spent.
    const pool: Sequelize = connectDatabase({ url: world.database.url, maxConnections: 2 });
    const models = defineModels(pool);
    const { log } = await captureLog("silent" as "error");
    let winnerToken: string | undefined;
    const instanceB = new TokenRefresher({
      models,
      store: new TokenStore({ models, sealer: world.app.services.sealer }),
      marginSeconds: 300,
      connectionBudget: new ConnectionBudget(1),
      log,
      refreshAtGitHub: async () => {
        await world.app.services.models.User.update({ refreshLeaseUntil: new Date(Date.now() - 1_000) }, { where: { githubId: seeded.githubId } });
        const won = await fetchToken(world.app, seeded.githubId);
        winnerToken = won.body.token as string | undefined;
        throw new TerminalTokenError("refresh user token: bad_refresh_token", 200, "bad_refresh_token");
      },
    });
    try {
      const userForB = await models.User.findOne({ where: { githubId: seeded.githubId } });
      const result = await instanceB.ensureFresh(userForB!);
      expect(winnerToken).toMatch(/^ghu_/);
      expect(result).toEqual({ ok: true, tokens: expect.objectContaining({ accessToken: winnerToken }) });
      const row = await seeded.user.reload();
      expect(row.tokenMigrationStatus).toBe("migrated");
      expect(row.refreshFailureClass).toBe("lost_race");
      expect(row.refreshIntentId).toBeNull();
      expect(row.refreshInDoubtSince).toBeNull();
      expect(world.simulator.counters.refreshes(seeded.login)).toBe(1);
      const notifications = await world.app.services.models.Notification.findAll({ where: { eventType: "token.reauth_required" } });
      expect(notifications.filter((notification) => notification.payload.github_id === seeded.githubId)).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
