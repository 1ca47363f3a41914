// Shared by the migration engine's integration tests: a simulator that knows the legacy OAuth App
// too, and services configured for it.
import type { Sequelize } from "sequelize";
import type { GitHubSimulator } from "../../simulator/index.js";
import type { Services } from "../../src/services.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { LEGACY_APP, startTestSimulator } from "./simulator-fixture.js";
import { simulatorEnv, vaultServices } from "./vault-fixture.js";

/** Environment for an instance whose GitHub, App and legacy OAuth App are the simulator's. */
export function migrationEnv(simulator: GitHubSimulator, extra: Record<string, string> = {}): Record<string, string> {
  return simulatorEnv(simulator, {
    LEGACY_OAUTH_CLIENT_ID: LEGACY_APP.clientId,
    LEGACY_OAUTH_CLIENT_SECRET: LEGACY_APP.clientSecret,
    ...extra,
  });
}

export async function migrationServices(sequelize: Sequelize, simulator: GitHubSimulator, extra: Record<string, string> = {}): Promise<Services> {
  return vaultServices(sequelize, simulator, migrationEnv(simulator, extra));
}

/** A database of its own, a simulator, and migration services over both: what most engine tests start from. */
export interface MigrationWorld {
  database: TestDatabase;
  simulator: GitHubSimulator;
  services: Services;
  stop(): Promise<void>;
}

export async function startMigrationWorld(extra: Record<string, string> = {}): Promise<MigrationWorld> {
  const database = await createTestDatabase();
  const simulator = await startTestSimulator();
  const services = await migrationServices(database.sequelize, simulator, extra);
  return {
    database,
    simulator,
    services,
    stop: async () => {
      await simulator.stop();
      await database.drop();
    },
  };
}

/** New simulator users holding legacy OAuth tokens, imported as the application hands them over; their GitHub ids. */
export async function importLegacyUsers(services: Services, simulator: GitHubSimulator, logins: string[]): Promise<number[]> {
  const users = logins.map((login) => simulator.addUser({ login }));
  await services.legacyImporter.importJsonLines(
    users.map((user) => JSON.stringify({ github_id: user.id, login: user.login, access_token: simulator.issueTokens(user.login, "legacy").accessToken })),
  );
  return users.map((user) => user.id);
}
