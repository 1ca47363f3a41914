import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { QueryTypes } from "sequelize";
import { SealedValueError } from "../../../src/tokens/sealing.js";
import { encryptionKey, seedUser, startVaultWorld, vaultServices, type VaultWorld } from "../../support/vault-fixture.js";

let world: VaultWorld;

beforeAll(async () => {
  world = await startVaultWorld({ app: false });
});
afterAll(() => world?.stop());

const servicesWithKey = () => vaultServices(world.database.sequelize, world.simulator, { TOKEN_ENCRYPTION_KEYS: encryptionKey("k1") });

describe("tokens at rest", () => {
  it("are sealed: the raw rows contain no token bytes", async () => {
    const services = await servicesWithKey();
    const seeded = await seedUser(services, world.simulator, { legacy: true });
    const [raw] = await world.database.sequelize.query<Record<string, unknown>>(`SELECT * FROM users WHERE github_id = :id`, {
      replacements: { id: seeded.githubId },
      type: QueryTypes.SELECT,
    });
    const dump = JSON.stringify(raw);
    for (const secret of [seeded.app!.accessToken, seeded.app!.refreshToken!, seeded.legacy!.accessToken]) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice(4, 20));
    }
    expect(dump).not.toMatch(/gh[uor]_/);
    expect(raw!.github_app_user_token).toMatch(/^v1\.k1\./);
    expect((raw!.provider_info as { access_token: string }).access_token).toMatch(/^v1\.k1\./);
  });

  it("refuse plaintext in token columns (the schema's CHECK constraints)", async () => {
    await expect(
      world.database.sequelize.query(`INSERT INTO users (github_id, login, github_app_user_token) VALUES (999001, 'x', 'ghu_plaintext')`),
    ).rejects.toThrow(/check constraint/);
  });

  it("do not open when moved to another user's row", async () => {
    const services = await servicesWithKey();
    const victim = await seedUser(services, world.simulator);
    const thief = await seedUser(services, world.simulator);
    await world.database.sequelize.query(
      `UPDATE users SET github_app_user_token = (SELECT github_app_user_token FROM users WHERE github_id = :from) WHERE github_id = :to`,
      { replacements: { from: victim.githubId, to: thief.githubId } },
    );
    await thief.user.reload();
    expect(() => services.tokenStore.readAppTokens(thief.user)).toThrow(SealedValueError);
  });
});
