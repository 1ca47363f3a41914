// Shared by the token vault's integration tests: a simulator the app talks to as its GitHub, users
// seeded with tokens the simulator issued, and calls to the token API.
import { randomBytes } from "node:crypto";
import type { Sequelize } from "sequelize";
import type { GitHubSimulator, IssuedTokens, StartSimulatorOptions } from "../../../simulator/index.js";
import { defineModels, type MigrationStatus, type UserRow } from "../../../src/db/models/index.js";
import { composeApp, type Services } from "../../../src/services.js";
import { startTestSimulator } from "../../simulator/simulator-fixture.js";
import { captureLog, startTestApp, type TestApp } from "../../support/app.js";
import { testConfig } from "../../support/config.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

export interface VaultWorld {
  database: TestDatabase;
  simulator: GitHubSimulator;
  /** An app instance talking to the simulator, unless started with `app: false`. */
  app: TestApp;
  stop(): Promise<void>;
}

/** A test file's database, simulator and (by default) one app instance using both. */
export async function startVaultWorld({
  simulator: simulatorOptions = {},
  app: withApp = true,
  maxConnections = 20,
}: { simulator?: Partial<StartSimulatorOptions>; app?: boolean; maxConnections?: number } = {}): Promise<VaultWorld> {
  const database = await createTestDatabase({ maxConnections });
  const simulator = await startTestSimulator(simulatorOptions);
  const app = withApp ? await startTestApp({ sequelize: database.sequelize, env: simulatorEnv(simulator), logLevel: "error" }) : undefined;
  return {
    database,
    simulator,
    get app(): TestApp {
      if (!app) throw new Error("this vault world was started without an app");
      return app;
    },
    async stop() {
      await app?.stop();
      await simulator.stop();
      await database.drop();
    },
  };
}

/** Services as an instance configured for the simulator builds them, over the given pool. */
export async function vaultServices(
  sequelize: Sequelize,
  simulator: GitHubSimulator,
  env: Record<string, string> = {},
): Promise<Services> {
  const config = testConfig({ ...simulatorEnv(simulator), ...env });
  return composeApp({ config, models: defineModels(sequelize), log: (await captureLog()).log }).services;
}

/** A TOKEN_ENCRYPTION_KEYS entry with a fresh random key. */
export function encryptionKey(id: string): string {
  return `${id}:${randomBytes(32).toString("base64")}`;
}

/** Environment that points an app instance at the simulator. */
export function simulatorEnv(simulator: GitHubSimulator, extra: Record<string, string> = {}): Record<string, string> {
  return { GHE_HOST: simulator.host, GHE_PROTOCOL: "http", GITHUB_REQUEST_TIMEOUT_MS: "1000", ...extra };
}

export interface SeededUser {
  user: UserRow;
  login: string;
  githubId: number;
  app: IssuedTokens | null;
  legacy: IssuedTokens | null;
}

let sequence = 0;

/**
 * A user known to the simulator and stored through the token store. `expired: true` makes the App
 * access token dead at the simulator and in the row, with its refresh token still good.
 */
export async function seedUser(
  services: Pick<Services, "models" | "tokenStore">,
  simulator: GitHubSimulator,
  options: { app?: boolean; legacy?: boolean; expired?: boolean; expiresInSeconds?: number; status?: MigrationStatus } = {},
): Promise<SeededUser> {
  const { app = true, legacy = false, expired = false, status = app ? "migrated" : "pending" } = options;
  const login = `vault-user-${process.pid}-${++sequence}`;
  const simulated = simulator.addUser({ login });
  const appTokens = app ? simulator.issueTokens(login, "app", { accessTokenLifetimeSeconds: options.expiresInSeconds }) : null;
  const legacyTokens = legacy ? simulator.issueTokens(login, "legacy") : null;
  if (appTokens && expired) {
    simulator.expireAccessToken(appTokens.accessToken);
    appTokens.expiresAt = new Date(Date.now() - 60_000);
  }
  const { models, tokenStore } = services;
  const user = await models.sequelize.transaction(async (transaction) => {
    const row = await models.User.create({ githubId: simulated.id, login, tokenMigrationStatus: status }, { transaction });
    if (appTokens) {
      await tokenStore.saveAppTokens(
        row,
        {
          accessToken: appTokens.accessToken,
          accessTokenExpiresAt: appTokens.expiresAt,
          refreshToken: appTokens.refreshToken,
          refreshTokenExpiresAt: appTokens.refreshTokenExpiresAt,
        },
        transaction,
      );
    }
    if (legacyTokens) {
      await tokenStore.saveLegacyToken(row, { accessToken: legacyTokens.accessToken, refreshToken: null, expiresAt: null }, transaction);
    }
    return row;
  });
  return { user, login, githubId: simulated.id, app: appTokens, legacy: legacyTokens };
}

/** GET /api/v1/users/{id}/token with the service key. */
export async function fetchToken(
  app: Pick<TestApp, "url" | "services">,
  githubId: number | string,
  { query = "", key = app.services.config.serviceApiToken }: { query?: string; key?: string | null } = {},
) {
  const response = await fetch(`${app.url}/api/v1/users/${githubId}/token${query}`, {
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}
