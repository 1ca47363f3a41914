// A 404 from GitHub's Basic-auth endpoints means "dead token" only under client credentials GitHub
// just confirmed: with a wrong secret, every path that reads such a 404 (batch, validation, cleanup,
// start-up) refuses, names the variable, and marks nothing dead and wipes nothing.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { warnAboutClientCredentials } from "../../../src/doctor/doctor.js";
import { ClientCredentialsError } from "../../../src/github/errors.js";
import { OAuthAppCredentials } from "../../../src/github/oauth-app-credentials.js";
import { CLEANUP_CONFIRMATION } from "../../../src/migration/cleanup.js";
import type { Services } from "../../../src/services.js";
import { LEGACY_APP, startTestSimulator, TEST_APP } from "../../support/simulator-fixture.js";
import { captureLog, startTestApp, type TestApp } from "../../support/app.js";
import { testAppKeyPair } from "../../support/config.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { seedUser, type SeededUser } from "../../support/vault-fixture.js";
import { migrationEnv, migrationServices } from "../../support/migration-fixture.js";

const WRONG_LEGACY = { LEGACY_OAUTH_CLIENT_SECRET: "not-the-legacy-secret" };
const WRONG_APP = { GITHUB_CLIENT_SECRET: "not-the-app-secret" };

describe("client credentials known good before a 404 is believed", () => {
  let simulator: GitHubSimulator;
  let database: TestDatabase;
  let good: Services;
  let legacyUser: SeededUser;
  let deadLegacyUser: SeededUser;
  let migratedUser: SeededUser;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    database = await createTestDatabase();
    good = await migrationServices(database.sequelize, simulator);
    legacyUser = await seedUser(good, simulator, { app: false, legacy: true });
    deadLegacyUser = await seedUser(good, simulator, { app: false, legacy: true });
    await revokeLegacyGrantAtGitHub(simulator, deadLegacyUser);
    migratedUser = await seedUser(good, simulator, { app: true, legacy: true, expired: true });
    await good.flags.set({ name: "oauth_token_deprecation_date", value: new Date(Date.now() - 60_000).toISOString(), actor: "test" });
  });
  afterAll(async () => {
    await simulator.stop();
    await database.drop();
  });

  const row = (user: SeededUser) => database.models.User.findOne({ where: { githubId: user.githubId } });

  it("checkToken with a wrong legacy secret throws naming LEGACY_OAUTH_CLIENT_SECRET instead of answering 'invalid'", async () => {
    const wrong = await migrationServices(database.sequelize, simulator, WRONG_LEGACY);
    const api = new OAuthAppCredentials({ github: wrong.config.github, credentials: wrong.oauthClients.legacy!, timeoutMs: 5_000 });
    const rejected = api.checkToken(deadLegacyUser.legacy!.accessToken);
    await expect(rejected).rejects.toBeInstanceOf(ClientCredentialsError);
    await expect(rejected).rejects.toMatchObject({ variable: "LEGACY_OAUTH_CLIENT_SECRET", message: expect.stringContaining("LEGACY_OAUTH_CLIENT_SECRET") });
  });

  it("refuses a migration batch before claiming anyone, and marks no legacy token dead", async () => {
    const wrong = await migrationServices(database.sequelize, simulator, WRONG_LEGACY);
    const batches = await database.models.MigrationBatch.count();
    await expect(wrong.migrationBatches.start({ actor: "test" })).rejects.toMatchObject({ variable: "LEGACY_OAUTH_CLIENT_SECRET" });
    await expect(wrong.migrationBatches.runToCompletion({ actor: "test" })).rejects.toBeInstanceOf(ClientCredentialsError);
    expect(await database.models.MigrationBatch.count()).toBe(batches);
    for (const user of [legacyUser, deadLegacyUser]) {
      expect(await row(user)).toMatchObject({ tokenMigrationStatus: "pending", legacyTokenValid: null, batchClaimId: null });
    }
  });

  it("answers the admin API's batch request with a 409 naming the variable", async () => {
    let app: TestApp | undefined;
    try {
      app = await startTestApp({ sequelize: database.sequelize, env: migrationEnv(simulator, WRONG_LEGACY) });
      const response = await fetch(`${app.url}/api/v1/admin/migration/batches`, {
        method: "POST",
        headers: { authorization: `Bearer ${app.services.config.adminApiToken}`, "content-type": "application/json" },
        body: "{}",
      });
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({
        error: "client_credentials_rejected",
        variable: "LEGACY_OAUTH_CLIENT_SECRET",
        message: expect.stringContaining("LEGACY_OAUTH_CLIENT_SECRET"),
      });
    } finally {
      await app?.stop();
    }
  });

  it("refuses a validation with a wrong App secret, leaving the user migrated", async () => {
    const wrong = await migrationServices(database.sequelize, simulator, WRONG_APP);
    await expect(wrong.userValidator.validate(migratedUser.githubId, "test")).rejects.toMatchObject({ variable: "GITHUB_CLIENT_SECRET" });
    expect(await row(migratedUser)).toMatchObject({ tokenMigrationStatus: "migrated", migrationError: null });
    expect(simulator.counters.refreshes(migratedUser.login)).toBe(0);
  });

  it("refuses cleanup with a wrong legacy secret: nothing revoked, nothing wiped", async () => {
    await database.models.User.update(
      { lastValidatedAt: new Date(), lastValidationResult: { ok: true } },
      { where: { githubId: migratedUser.githubId } },
    );
    const wrong = await migrationServices(database.sequelize, simulator, WRONG_LEGACY);
    await expect(wrong.legacyCleanup.run({ dryRun: false, confirm: CLEANUP_CONFIRMATION, actor: "test" })).rejects.toMatchObject({
      variable: "LEGACY_OAUTH_CLIENT_SECRET",
    });
    expect(good.tokenStore.readLegacyToken((await row(migratedUser))!)).not.toBeNull();
    expect(simulator.isTokenValid(migratedUser.legacy!.accessToken)).toBe(true);
  });

  it("warns at start-up, naming the variable, for each client GitHub rejects", async () => {
    const wrong = await migrationServices(database.sequelize, simulator, { ...WRONG_APP, ...WRONG_LEGACY });
    const { log, lines } = await captureLog("info");
    const checks = await warnAboutClientCredentials(wrong.oauthClients, log);
    expect(checks.map((check) => check.status)).toEqual(["fail", "fail"]);
    const warnings = lines().filter((line) => (line.level as number) === 40);
    expect(warnings.map((line) => line.msg)).toEqual([expect.stringContaining("GITHUB_CLIENT_SECRET"), expect.stringContaining("LEGACY_OAUTH_CLIENT_SECRET")]);

    const { log: quiet, lines: quietLines } = await captureLog("info");
    await warnAboutClientCredentials(good.oauthClients, quiet);
    expect(quietLines().filter((line) => (line.level as number) >= 40)).toEqual([]);
  });

  it("with good credentials, reads the 404 as dead, and cleanup reports each user's outcome", async () => {
    const batch = await good.migrationBatches.run({ actor: "test" });
    expect(batch.state).toBe("finished");
    expect(await row(deadLegacyUser)).toMatchObject({ tokenMigrationStatus: "consent_required", legacyTokenValid: false });
    expect(await row(legacyUser)).toMatchObject({ tokenMigrationStatus: "consent_required", legacyTokenValid: true });

    // A second migrated user whose legacy grant GitHub no longer has, and one whose revocation fails.
    const goneAlready = await seedUser(good, simulator, { app: true, legacy: true });
    await revokeLegacyGrantAtGitHub(simulator, goneAlready);
    const refreshed = await seedUser(good, simulator, { app: true, legacy: true });
    await database.models.User.update({ lastValidatedAt: new Date(), lastValidationResult: { ok: true } }, { where: { githubId: [goneAlready.githubId, refreshed.githubId, migratedUser.githubId] } });

    const preview = await good.legacyCleanup.run({ dryRun: true, actor: "test" });
    expect(preview.cleaned.map((entry) => [entry.github_id, entry.outcome]).sort()).toEqual(
      [migratedUser, goneAlready, refreshed].map((user) => [user.githubId, "would_revoke"]).sort(),
    );

    simulator.injectFault("delete_grant", { status: 502 }, 1);
    const first = await good.legacyCleanup.run({ dryRun: false, confirm: CLEANUP_CONFIRMATION, actor: "test" });
    // Users are taken in id order: the first (migratedUser) meets the 502.
    expect(first.failed).toEqual([{ github_id: migratedUser.githubId, login: migratedUser.login, reason: expect.stringContaining("502") }]);
    expect(good.tokenStore.readLegacyToken((await row(migratedUser))!)).not.toBeNull();
    expect(simulator.isTokenValid(migratedUser.legacy!.accessToken)).toBe(true);
    expect(first.cleaned).toEqual([
      { github_id: goneAlready.githubId, login: goneAlready.login, outcome: "already_dead" },
      { github_id: refreshed.githubId, login: refreshed.login, outcome: "revoked" },
    ]);
    expect(first).toMatchObject({ revoked_count: 1, already_dead_count: 1 });

    const second = await good.legacyCleanup.run({ dryRun: false, confirm: CLEANUP_CONFIRMATION, actor: "test" });
    expect(second).toMatchObject({ failed_count: 0, cleaned_count: 1, revoked_count: 1, stopped: null });
    expect(second.cleaned[0]!.github_id).toBe(migratedUser.githubId);
    for (const user of [migratedUser, refreshed]) expect(simulator.isTokenValid(user.legacy!.accessToken)).toBe(false);
  });
});

describe("client secret rotation", () => {
  let simulator: GitHubSimulator;
  let database: TestDatabase;

  beforeAll(async () => {
    simulator = await startTestSimulator({ app: { ...TEST_APP, oldClientSecret: "the-old-secret", publicKey: testAppKeyPair().publicKey } });
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await simulator.stop();
    await database.drop();
  });

  it("tries the next secret of the list when GitHub answers incorrect_client_credentials, and refreshes", async () => {
    const services = await migrationServices(database.sequelize, simulator, { GITHUB_CLIENT_SECRET: `a-deleted-secret, ${TEST_APP.clientSecret}` });
    const user = await seedUser(services, simulator, { app: true, expired: true });
    const freshness = await services.tokenRefresher.ensureFresh(user.user);
    expect(freshness.ok).toBe(true);
    expect(await services.oauthClients.app!.verifyEachSecret()).toEqual(["rejected", "accepted"]);
    expect(await services.oauthClients.legacy!.verifyEachSecret()).toEqual(["accepted"]);
  });
});

/** The user revokes the legacy OAuth App at GitHub: its token dies there, our row still holds it. */
async function revokeLegacyGrantAtGitHub(simulator: GitHubSimulator, user: SeededUser): Promise<void> {
  const response = await fetch(`${simulator.url}/api/v3/applications/${LEGACY_APP.clientId}/grant`, {
    method: "DELETE",
    headers: {
      authorization: `Basic ${Buffer.from(`${LEGACY_APP.clientId}:${LEGACY_APP.clientSecret}`).toString("base64")}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ access_token: user.legacy!.accessToken }),
  });
  expect(response.status).toBe(204);
}
