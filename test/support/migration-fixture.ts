// Shared by the migration engine's integration tests: a simulator that knows the legacy OAuth App
// too, and services configured for it.
import type { Sequelize } from "sequelize";
import type { GitHubSimulator } from "../../simulator/index.js";
import type { Services } from "../../src/services.js";
import { LEGACY_APP } from "./simulator-fixture.js";
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
