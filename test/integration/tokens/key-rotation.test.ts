import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startTestApp, type TestApp } from "../../support/app.js";
import { encryptionKey, fetchToken, seedUser, simulatorEnv, startVaultWorld, vaultServices, type SeededUser, type VaultWorld } from "../../support/vault-fixture.js";

let world: VaultWorld;

beforeAll(async () => {
  world = await startVaultWorld({ app: false });
});
afterAll(() => world?.stop());

describe("key rotation", () => {
  it("re-seals every value under the new primary key, resumably, and the app still serves every user", async () => {
    const { database, simulator } = world;
    const oldKey = encryptionKey("old");
    const before = await vaultServices(database.sequelize, simulator, { TOKEN_ENCRYPTION_KEYS: oldKey });
    const users: SeededUser[] = [];
    for (let i = 0; i < 7; i++) users.push(await seedUser(before, simulator, { legacy: i % 2 === 0 }));
    const sealedVerifier = before.sealer.seal("verifier-123", { table: "oauth_states", column: "code_verifier", rowId: "hash-1" });
    await before.models.OAuthState.create({ stateHash: "hash-1", codeVerifier: sealedVerifier, purpose: "sign_in", expiresAt: new Date(Date.now() + 600_000) });

    const newKey = encryptionKey("new");
    const during = await vaultServices(database.sequelize, simulator, { TOKEN_ENCRYPTION_KEYS: `${newKey},${oldKey}` });
    const usage = await during.keyRotation.keyUsage();
    expect(usage["users.github_app_user_token"]!.old).toBeGreaterThanOrEqual(7);
    const progress: number[] = [];
    const counts = await during.keyRotation.rotate({ batchSize: 3, onProgress: (p) => progress.push(p.userRows) });
    expect(counts.userValues).toBeGreaterThanOrEqual(7 * 2 + 4);
    expect(counts.oauthStateRows).toBe(1);
    expect(progress.length).toBeGreaterThan(2);
    const after = await during.keyRotation.keyUsage();
    for (const perKey of Object.values(after)) expect(Object.keys(perKey).filter((kid) => kid !== "new")).toEqual([]);
    // A rerun has nothing left to do.
    expect(await during.keyRotation.rotate()).toEqual({ userRows: 0, userValues: 0, oauthStateRows: 0 });

    // The old key can go: an instance with only the new key serves every user.
    const app: TestApp = await startTestApp({ sequelize: database.sequelize, env: { ...simulatorEnv(simulator), TOKEN_ENCRYPTION_KEYS: newKey } });
    try {
      for (const seeded of users) {
        const answer = await fetchToken(app, seeded.githubId);
        expect(answer.status).toBe(200);
        expect(answer.body.token).toBe(seeded.app!.accessToken);
      }
      const state = await app.services.models.OAuthState.findOne({ where: { stateHash: "hash-1" } });
      expect(app.services.sealer.open(state!.codeVerifier, { table: "oauth_states", column: "code_verifier", rowId: "hash-1" })).toBe("verifier-123");
    } finally {
      await app.stop();
    }
  });
});
