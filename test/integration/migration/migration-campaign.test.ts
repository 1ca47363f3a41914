// The whole campaign against the GitHub simulator: import, concurrent batches, a staged rollout,
// rollbacks, cleanup, and the audit trail that tells each user's story.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Op, QueryTypes } from "sequelize";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { CleanupRefusedError } from "../../../src/migration/errors.js";
import type { Services } from "../../../src/services.js";
import { rolloutBucket } from "../../../src/users/rollout-policy.js";
import { startTestSimulator, TEST_APP } from "../../support/simulator-fixture.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { legacyAccessToken } from "../../support/legacy-tokens.js";
import { encryptionKey } from "../../support/vault-fixture.js";
import { migrationServices } from "../../support/migration-fixture.js";

const USERS = 1_000;
const WITH_APP_TOKEN = 100;
const DEAD_LEGACY = 10;

interface Seeded {
  githubId: number;
  login: string;
  legacyToken: string;
  appToken: string | null;
}

describe("a migration campaign against the GitHub simulator", () => {
  let database: TestDatabase;
  let simulator: GitHubSimulator;
  let instanceA: Services;
  let instanceB: Services;
  const seeded: Seeded[] = [];
  let migrated: Seeded[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ maxConnections: 30 });
    simulator = await startTestSimulator();
    // Two instances of one deployment: same keys, same database.
    const keys = { TOKEN_ENCRYPTION_KEYS: encryptionKey("campaign") };
    instanceA = await migrationServices(database.sequelize, simulator, keys);
    instanceB = await migrationServices(database.sequelize, simulator, keys);
  });
  afterAll(async () => {
    await simulator.stop();
    await database.drop();
  });

  const resolvedType = async (githubId: number) => (await instanceA.tokenResolver.resolveUserToken(githubId)).type;

  it("imports 1,000 legacy users from a JSON-lines file, reports bad lines, and re-imports without duplicates", async () => {
    const lines: string[] = [];
    for (let index = 0; index < USERS; index += 1) {
      const login = `legacy-user-${index}`;
      const { id } = simulator.addUser({ login });
      // A few legacy tokens GitHub no longer knows: the batch must find them dead.
      const legacyToken = index < DEAD_LEGACY ? `gho_${`dead${index}`.padEnd(36, "x")}` : simulator.issueTokens(login, "legacy").accessToken;
      const appToken = index >= USERS - WITH_APP_TOKEN ? simulator.issueTokens(login, "app").accessToken : null;
      seeded.push({ githubId: id, login, legacyToken, appToken });
      lines.push(JSON.stringify({ github_id: id, login, access_token: legacyToken, provider_info: { scope: "repo", token_type: "bearer" } }));
      if (index === 10) lines.push(`{"github_id": "seven", "login": "x", "access_token": "${legacyAccessToken("seven")}"}`);
      if (index === 20) lines.push(`{"github_id": 5, "login": "ok", "access_token": "${legacyAccessToken(5)}", "surprise": true}`);
    }
    const file = path.join(mkdtempSync(path.join(tmpdir(), "legacy-import-")), "users.jsonl");
    writeFileSync(file, `${lines.join("\n")}\nnot json\n`);

    const progress: number[] = [];
    const refused = await instanceA.legacyImporter.importJsonLinesFile(file);
    expect(refused).toMatchObject({ read: USERS + 3, created: 0, updated: 0, rejected: 3, written: false });
    expect(await database.models.User.count()).toBe(0);

    const first = await instanceA.legacyImporter.importJsonLinesFile(file, { onProgress: (p) => progress.push(p.read), skipInvalid: true });
    expect(first).toMatchObject({ read: USERS + 3, created: USERS, updated: 0, rejected: 3, written: true, skipped_invalid: true });
    expect(first.rejections).toEqual([
      { line: 12, field: "github_id", reason: expect.stringContaining("github_id") },
      { line: 23, field: "surprise", reason: 'unknown field "surprise"' },
      { line: USERS + 3, reason: "not valid JSON" },
    ]);
    expect(progress.length).toBeGreaterThan(1);

    const again = await instanceB.legacyImporter.importJsonLinesFile(file, { skipInvalid: true });
    expect(again).toMatchObject({ created: 0, updated: USERS, rejected: 3 });
    expect(await database.models.User.count()).toBe(USERS);

    const stored = await database.models.User.findOne({ where: { githubId: seeded[500]!.githubId } });
    expect(stored!.providerInfo.access_token).toMatch(/^v1\./);
    expect(stored!.providerInfo.scope).toBe("repo");
    expect(instanceA.tokenStore.readLegacyToken(stored!)!.accessToken).toBe(seeded[500]!.legacyToken);

    // Users who already authorized the App before the campaign: the batch only validates them.
    for (const user of seeded.filter((candidate) => candidate.appToken)) {
      const row = await database.models.User.findOne({ where: { githubId: user.githubId } });
      await database.sequelize.transaction((transaction) =>
        instanceA.tokenStore.saveAppTokens(
          row!,
          { accessToken: user.appToken!, accessTokenExpiresAt: new Date(Date.now() + 8 * 3600_000), refreshToken: null, refreshTokenExpiresAt: null },
          transaction,
        ),
      );
    }
  }, 120_000);

  it("reports a dry run without changing anyone", async () => {
    const batch = await instanceA.migrationBatches.run({ size: 300, dryRun: true, actor: "octo-maintainer" });
    expect(batch).toMatchObject({ state: "finished", dryRun: true });
    expect(batch.counts.candidates).toBe(300);
    expect(await database.models.User.count({ where: { tokenMigrationStatus: "pending" } })).toBe(USERS);
    expect(await database.models.MigrationEvent.count()).toBe(0);
    expect(await database.models.Notification.count()).toBe(0);
    expect(simulator.counters.calls("check_token")).toBe(0);
  });

  it("runs batches to completion from two concurrent runners, never processing a user twice", async () => {
    const [fromA, fromB] = await Promise.all([
      instanceA.migrationBatches.runToCompletion({ size: 120, actor: "runner-a" }),
      instanceB.migrationBatches.runToCompletion({ size: 120, actor: "runner-b" }),
    ]);
    const claimed = (batches: typeof fromA) => batches.reduce((sum, batch) => sum + (batch.counts.claimed ?? 0), 0);
    expect(claimed(fromA)).toBeGreaterThan(0);
    expect(claimed(fromB)).toBeGreaterThan(0);
    expect(claimed(fromA) + claimed(fromB)).toBe(USERS);
    expect([...fromA, ...fromB].every((batch) => batch.state === "finished" && (batch.counts.skipped ?? 0) === 0)).toBe(true);

    const twice = await database.sequelize.query(
      "SELECT user_id FROM migration_events WHERE batch_id IS NOT NULL GROUP BY user_id HAVING count(*) > 1",
      { type: QueryTypes.SELECT },
    );
    expect(twice).toEqual([]);
    expect(await database.models.MigrationEvent.count({ where: { actor: ["runner-a", "runner-b"] } })).toBe(USERS);
    expect(await database.models.User.count({ where: { tokenMigrationStatus: "migrated" } })).toBe(WITH_APP_TOKEN);
    expect(await database.models.User.count({ where: { tokenMigrationStatus: "consent_required" } })).toBe(USERS - WITH_APP_TOKEN);
    expect(await database.models.User.count({ where: { legacyTokenValid: false } })).toBe(DEAD_LEGACY);
    expect(await database.models.User.count({ where: { batchClaimId: { [Op.ne]: null } } })).toBe(0);
    expect(simulator.counters.calls("check_token")).toBe(USERS - WITH_APP_TOKEN);
    expect(simulator.counters.calls("user")).toBe(WITH_APP_TOKEN);

    const consent = await database.models.Notification.findAll({ where: { eventType: "user.consent_required" } });
    expect(consent).toHaveLength(USERS - WITH_APP_TOKEN);
    expect(consent[0]!.payload).toMatchObject({ consent_url: expect.stringContaining("/auth/login?consent=") });
    // None of these users has an installation yet, so each link also offers to install the App on their account.
    const { github_id: githubId, install_url: installUrl } = consent[0]!.payload as { github_id: number; install_url: string };
    expect(installUrl).toBe(`${simulator.url}/apps/${TEST_APP.slug}/installations/new/permissions?suggested_target_id=${githubId}`);
    // The slug is asked once per instance, however many links it goes into.
    expect(simulator.counters.calls("app")).toBe(2);
    expect(JSON.stringify(consent.map((row) => row.payload))).not.toMatch(/gh[ou]_/);
    expect(await database.models.Notification.count({ where: { eventType: "user.migrated" } })).toBe(WITH_APP_TOKEN);

    const again = await instanceA.migrationBatches.run({ size: 50, actor: "runner-a" });
    expect(again.counts.claimed ?? 0).toBe(0);
    migrated = seeded.filter((user) => user.appToken);
  }, 120_000);

  it("changes which token type resolution returns as the rollout widens: allow-list, then 10%, then 100%", async () => {
    const set = (name: string, value: unknown) => instanceA.flags.set({ name, value, actor: "octo-maintainer" });
    await set("github_app_tokens_rollout_percent", 0);
    expect(new Set(await Promise.all(migrated.map((user) => resolvedType(user.githubId))))).toEqual(new Set(["oauth"]));

    const [pilot] = migrated;
    await set("github_app_tokens_allow_list", [pilot!.login.toUpperCase()]);
    expect(await resolvedType(pilot!.githubId)).toBe("github_app_user");
    expect(await resolvedType(migrated[1]!.githubId)).toBe("oauth");

    await set("github_app_tokens_rollout_percent", 10);
    for (const user of migrated) {
      const expected = user === pilot || rolloutBucket(user.githubId) < 10 ? "github_app_user" : "oauth";
      expect(await resolvedType(user.githubId)).toBe(expected);
    }

    await set("github_app_tokens_rollout_percent", 100);
    expect(new Set(await Promise.all(migrated.map((user) => resolvedType(user.githubId))))).toEqual(new Set(["github_app_user"]));
    const history = await instanceA.flags.history({ name: "github_app_tokens_rollout_percent" });
    expect(history.map((change) => [change.oldValue, change.newValue, change.changedBy])).toEqual([
      [10, 100, "octo-maintainer"],
      [0, 10, "octo-maintainer"],
      [100, 0, "octo-maintainer"],
    ]);
  });

  it("serves OAuth tokens at once after a per-user rollback and after a global rollback, deleting nothing", async () => {
    const [user, other] = migrated;
    await instanceA.migrationRollback.rollbackUser(user!.githubId, { actor: "octo-maintainer", reason: "app token broke their CI" });
    expect(await instanceA.tokenResolver.resolveUserToken(user!.githubId)).toMatchObject({ type: "oauth", token: user!.legacyToken });
    expect(await resolvedType(other!.githubId)).toBe("github_app_user");

    await instanceB.migrationRollback.rollbackAll({ actor: "octo-maintainer" });
    expect(new Set(await Promise.all(migrated.map((candidate) => resolvedType(candidate.githubId))))).toEqual(new Set(["oauth"]));
    const row = await database.models.User.findOne({ where: { githubId: other!.githubId } });
    expect(instanceA.tokenStore.readAppTokens(row!)!.accessToken).toBe(other!.appToken);

    await instanceA.migrationRollback.reenableAll({ actor: "octo-maintainer" });
    expect(await resolvedType(other!.githubId)).toBe("github_app_user");
    expect(await resolvedType(user!.githubId)).toBe("oauth");

    await instanceA.migrationRollback.reenableUser(user!.githubId, { actor: "octo-maintainer" });
    const batch = await instanceA.migrationBatches.run({ size: 10, actor: "runner-a" });
    expect(batch.counts).toMatchObject({ claimed: 1, migrated: 1 });
    expect(await resolvedType(user!.githubId)).toBe("github_app_user");
  });

  it("refuses cleanup before the deprecation date, dry-runs, then revokes and drops exactly what it reported", async () => {
    const cleanup = (dryRun: boolean) =>
      instanceA.legacyCleanup.run({ dryRun, confirm: dryRun ? undefined : "revoke-legacy-grants", actor: "octo-maintainer" });
    await instanceA.flags.set({ name: "oauth_token_deprecation_date", value: new Date(Date.now() + 86_400_000).toISOString(), actor: "octo-maintainer" });
    await expect(cleanup(true)).rejects.toBeInstanceOf(CleanupRefusedError);

    await instanceA.flags.set({ name: "oauth_token_deprecation_date", value: new Date(Date.now() - 1000).toISOString(), actor: "octo-maintainer" });
    await expect(instanceA.legacyCleanup.run({ dryRun: false, actor: "octo-maintainer" })).rejects.toBeInstanceOf(CleanupRefusedError);
    const stale = migrated[2]!;
    await database.models.User.update({ lastValidatedAt: new Date(Date.now() - 30 * 86_400_000) }, { where: { githubId: stale.githubId } });

    const preview = await cleanup(true);
    expect(preview.cleaned_count).toBe(WITH_APP_TOKEN - 1);
    expect(preview.not_cleaned_count).toBe(USERS - WITH_APP_TOKEN + 1);
    expect(preview.not_cleaned).toContainEqual({ github_id: stale.githubId, login: stale.login, reason: expect.stringContaining("too long ago") });
    expect(migrated.every((user) => simulator.isTokenValid(user.legacyToken))).toBe(true);
    expect(simulator.counters.calls("delete_grant")).toBe(0);

    const done = await cleanup(false);
    expect(done.cleaned).toEqual(preview.cleaned.map((entry) => ({ ...entry, outcome: "revoked" })));
    expect(preview.cleaned.every((entry) => entry.outcome === "would_revoke")).toBe(true);
    expect(done).toMatchObject({ failed_count: 0, revoked_count: WITH_APP_TOKEN - 1, already_dead_count: 0, stopped: null });
    expect(simulator.counters.calls("delete_grant")).toBe(WITH_APP_TOKEN - 1);
    const cleanedIds = new Set(done.cleaned.map((entry) => entry.github_id));
    for (const user of seeded.filter((candidate) => candidate.legacyToken.startsWith("gho_") && !candidate.legacyToken.startsWith("gho_dead"))) {
      expect(simulator.isTokenValid(user.legacyToken)).toBe(!cleanedIds.has(user.githubId));
    }
    const rows = await database.models.User.findAll();
    for (const row of rows) expect(typeof row.providerInfo.access_token === "string").toBe(!cleanedIds.has(row.githubId));
  });

  it("tells each user's full story: every transition with its actor, batch and reason, and never a token", async () => {
    const user = migrated[0]!;
    const detail = await instanceA.userDirectory.detail(user.githubId);
    expect(detail.history.map((entry) => [entry.from, entry.to, entry.actor, entry.batch_id !== null])).toEqual([
      ["pending", "migrated", expect.stringMatching(/^runner-[ab]$/), true],
      ["migrated", "rolled_back", "octo-maintainer", false],
      ["rolled_back", "pending", "octo-maintainer", false],
      ["pending", "migrated", "runner-a", true],
    ]);
    expect(detail.history[1]!.reason).toBe("app token broke their CI");
    expect(detail).toMatchObject({ status: "migrated", legacy_token: { stored: false, valid: false }, app_token: { stored: true } });
    expect(detail.last_validation_result).toMatchObject({ ok: true, identity: { github_id: user.githubId } });
    expect(JSON.stringify(detail)).not.toMatch(/gh[our]_|v1\./);

    const waiting = await instanceA.userDirectory.detail(seeded[0]!.githubId);
    expect(waiting.history).toEqual([
      expect.objectContaining({ from: "pending", to: "consent_required", reason: expect.stringContaining("consent link") }),
    ]);
    expect(waiting.legacy_token).toMatchObject({ stored: true, valid: false });
  });
});
