// When a user authorizes again, the pair the new one replaces is revoked at GitHub after the new
// pair is stored; a failure is recorded and retried, and never holds up the sign-in.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { QueryTypes } from "sequelize";
import type { GitHubSimulator } from "../../../simulator/index.js";
import type { Services } from "../../../src/services.js";
import { startTestSimulator } from "../../support/simulator-fixture.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { seedUser, vaultServices } from "../../support/vault-fixture.js";

describe("revoking a replaced App token", () => {
  let simulator: GitHubSimulator;
  let database: TestDatabase;
  let services: Services;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    database = await createTestDatabase();
    services = await vaultServices(database.sequelize, simulator);
  });
  afterAll(async () => {
    await simulator.stop();
    await database.drop();
  });

  const pending = () =>
    database.sequelize.query<{ attempts: number; last_error: string | null; access_token: string }>(
      "SELECT attempts, last_error, access_token FROM replaced_token_revocations",
      { type: QueryTypes.SELECT },
    );
  const makeDue = () => database.sequelize.query("UPDATE replaced_token_revocations SET next_attempt_at = now()");

  /** What a second authorization does in its transaction: record the old pair, store the new one. */
  async function authorizeAgain(user: Awaited<ReturnType<typeof seedUser>>) {
    const fresh = simulator.issueTokens(user.login, "app");
    const id = await database.sequelize.transaction(async (transaction) => {
      const row = (await database.models.User.findByPk(user.user.id, { transaction, lock: transaction.LOCK.UPDATE }))!;
      const recorded = await services.replacedTokenRevocations.record(user.githubId, services.tokenStore.readAppTokens(row)!, transaction);
      await services.tokenStore.saveAppTokens(
        row,
        { accessToken: fresh.accessToken, accessTokenExpiresAt: fresh.expiresAt, refreshToken: fresh.refreshToken, refreshTokenExpiresAt: fresh.refreshTokenExpiresAt },
        transaction,
      );
      return recorded;
    });
    return { fresh, id };
  }

  it("stores the replaced pair sealed, then revokes it at GitHub and forgets it", async () => {
    const user = await seedUser(services, simulator);
    const { fresh, id } = await authorizeAgain(user);
    const [row] = await pending();
    expect(row!.access_token).toMatch(/^v1\./);
    services.replacedTokenRevocations.revokeSoon(id);
    await services.replacedTokenRevocations.whenIdle();
    expect(simulator.isTokenValid(user.app!.accessToken)).toBe(false);
    expect(simulator.isTokenValid(fresh.accessToken)).toBe(true);
    expect(await pending()).toEqual([]);
  });

  it("refreshes an expired replaced pair first, so its refresh token dies too", async () => {
    const user = await seedUser(services, simulator, { expired: true });
    await authorizeAgain(user);
    const report = await services.replacedTokenRevocations.runPass();
    expect(report).toMatchObject({ revoked: 1, failed: 0 });
    expect(simulator.counters.refreshes(user.login)).toBe(1);
    expect(await pending()).toEqual([]);
  });

  it("records a failure and retries it on a later pass until GitHub confirms", async () => {
    const user = await seedUser(services, simulator);
    const { id } = await authorizeAgain(user);
    simulator.injectFault("delete_token", { status: 502 }, 1);
    services.replacedTokenRevocations.revokeSoon(id);
    await services.replacedTokenRevocations.whenIdle();
    expect(await pending()).toEqual([expect.objectContaining({ attempts: 1, last_error: expect.stringContaining("502") })]);
    expect(simulator.isTokenValid(user.app!.accessToken)).toBe(true);

    expect(await services.replacedTokenRevocations.runPass()).toMatchObject({ revoked: 0, failed: 0 });
    await makeDue();
    expect(await services.replacedTokenRevocations.runPass()).toMatchObject({ revoked: 1 });
    expect(simulator.isTokenValid(user.app!.accessToken)).toBe(false);
    expect(await pending()).toEqual([]);
  });

  it("keeps the row when the App's client secret is wrong: a 404 there proves nothing", async () => {
    const sameKeys = services.config.encryptionKeys.map(({ id, key }) => `${id}:${key.toString("base64")}`).join(",");
    const wrong = await vaultServices(database.sequelize, simulator, { GITHUB_CLIENT_SECRET: "not-the-app-secret", TOKEN_ENCRYPTION_KEYS: sameKeys });
    const user = await seedUser(services, simulator);
    await authorizeAgain(user);
    expect(await wrong.replacedTokenRevocations.runPass()).toMatchObject({ failed: 1, already_dead: 0 });
    expect(await pending()).toEqual([expect.objectContaining({ last_error: expect.stringContaining("GITHUB_CLIENT_SECRET") })]);
    expect(simulator.isTokenValid(user.app!.accessToken)).toBe(true);
  });
});
