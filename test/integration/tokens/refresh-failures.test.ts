import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Sequelize } from "sequelize";
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
    const events = await world.app.services.models.MigrationEvent.findAll({ where: { userId: row.id } });
    expect(events.map((event) => [event.fromStatus, event.toStatus, event.actor])).toEqual([["migrated", "reauth_required", "system"]]);
    // No loop: later calls do not go back to GitHub.
    for (let i = 0; i < 3; i++) expect((await fetchToken(world.app, seeded.githubId)).status).toBe(409);
    expect(world.simulator.counters.calls("refresh")).toBe(1);
  });

  it("ends reauth_required on the next attempt when even recording the loss fails", async () => {
    const seeded = await seedUser(world.app.services, world.simulator, { expired: true });
    const restore = await failUserUpdates("true");
    try {
      expect((await fetchToken(world.app, seeded.githubId)).status).toBe(409);
    } finally {
      await restore();
    }
    expect((await seeded.user.reload()).tokenMigrationStatus).toBe("migrated");
    // The stored refresh token is spent at GitHub: the next attempt meets bad_refresh_token.
    expect((await fetchToken(world.app, seeded.githubId)).status).toBe(409);
    const row = await seeded.user.reload();
    expect(row.tokenMigrationStatus).toBe("reauth_required");
    expect(row.migrationError).toMatch(/bad_refresh_token/);
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
    expect((await seeded.user.reload()).tokenMigrationStatus).toBe("reauth_required");
    await endBackoff(seeded.githubId);
    expect((await fetchToken(world.app, seeded.githubId)).status).toBe(409);
    expect(world.simulator.counters.calls("refresh")).toBe(2);
  });

  it("serves the winner's token when bad_refresh_token comes after another instance refreshed", async () => {
    const seeded = await seedUser(world.app.services, world.simulator, { expired: true });
    // Instance B: its own pool. While B waits for GitHub its connection dies (and with it the row
    // lock), instance A refreshes, and GitHub then tells B its refresh token is spent.
    const pool: Sequelize = connectDatabase({ url: world.database.url, maxConnections: 2 });
    const models = defineModels(pool);
    const { log } = await captureLog("silent" as "error");
    let winnerToken: string | undefined;
    const instanceB = new TokenRefresher({
      models,
      store: new TokenStore({ models, sealer: world.app.services.sealer }),
      marginSeconds: 300,
      log,
      refreshAtGitHub: async () => {
        await world.database.sequelize.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()`,
        );
        const userForA = await world.app.services.models.User.findOne({ where: { githubId: seeded.githubId } });
        const won = await world.app.services.tokenRefresher.ensureFresh(userForA!);
        winnerToken = won.ok ? won.tokens.accessToken : undefined;
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
      expect(world.simulator.counters.refreshes(seeded.login)).toBe(1);
      const notifications = await world.app.services.models.Notification.findAll({ where: { eventType: "token.reauth_required" } });
      expect(notifications.filter((notification) => notification.payload.github_id === seeded.githubId)).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
