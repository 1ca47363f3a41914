// Shared by the token vault's integration tests: a simulator the app talks to as its GitHub, users
// seeded with tokens the simulator issued, and calls to the token API.
import { randomBytes } from "node:crypto";
import type { Sequelize } from "sequelize";
import type { GitHubSimulator, IssuedTokens, StartSimulatorOptions } from "../../simulator/index.js";
import { defineModels, type MigrationStatus, type UserRow } from "../../src/db/models/index.js";
import { composeApp, type Services } from "../../src/services.js";
import { transitionUser } from "../../src/users/status-machine.js";
import { startTestSimulator } from "./simulator-fixture.js";
import { captureLog, startTestApp, type TestApp } from "./app.js";
import { testConfig } from "./config.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

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
  logLevel = "error",
}: { simulator?: Partial<StartSimulatorOptions>; app?: boolean; maxConnections?: number; logLevel?: "warn" | "error" } = {}): Promise<VaultWorld> {
  const database = await createTestDatabase({ maxConnections });
  const simulator = await startTestSimulator(simulatorOptions);
  const app = withApp ? await startTestApp({ sequelize: database.sequelize, env: simulatorEnv(simulator), logLevel }) : undefined;
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

export interface SeedUserOptions {
  /** An App token pair (default true). */
  app?: boolean;
  /** A legacy OAuth token (default false). */
  legacy?: boolean;
  /** The App access token already dead (at the simulator too), its refresh token still good. */
  expired?: boolean;
  expiresInSeconds?: number;
  /** The status written straight into the row (default migrated with an App token, else pending). */
  status?: MigrationStatus;
  /** Reached from pending through the status machine instead, so the user's events are real. */
  walkTo?: MigrationStatus;
  /** Without a simulator: the user's GitHub id and login (made up when absent). */
  githubId?: number;
  login?: string;
}

/** Each status reached from a fresh user by legal steps, with the reason each step records. */
const PATHS_FROM_PENDING: Record<MigrationStatus, Array<[MigrationStatus, string]>> = {
  pending: [],
  consent_required: [["consent_required", "no GitHub App token; consent link issued"]],
  migrated: [["migrated", "App token validated"]],
  reauth_required: [
    ["migrated", "App token validated"],
    ["reauth_required", "refresh failed: bad_refresh_token"],
  ],
  revoked: [
    ["migrated", "App token validated"],
    ["revoked", "github_app_authorization.revoked"],
  ],
  failed: [["failed", "validation failed: the token belongs to another user"]],
  rolled_back: [["rolled_back", "rolled back by a maintainer"]],
};

let sequence = 0;

/**
 * The one user seeder of the tests: a user stored through the token store, with tokens the
 * simulator issued (so they work against it) or, without a simulator, tokens made up in GitHub's
 * shapes. `expired: true` makes the App access token dead at the simulator and in the row.
 */
export async function seedUser(
  services: Pick<Services, "models" | "tokenStore">,
  simulator: GitHubSimulator | null,
  options: SeedUserOptions = {},
): Promise<SeededUser> {
  const { app = true, legacy = false, expired = false, walkTo } = options;
  const status = walkTo ? "pending" : (options.status ?? (app ? "migrated" : "pending"));
  const login = options.login ?? `vault-user-${process.pid}-${++sequence}`;
  const githubId = simulator ? simulator.addUser({ login }).id : (options.githubId ?? 800_000_000 + ++sequence);
  const issue = (kind: "app" | "legacy"): IssuedTokens =>
    simulator
      ? kind === "app"
        ? simulator.issueTokens(login, "app", { accessTokenLifetimeSeconds: options.expiresInSeconds })
        : simulator.issueTokens(login, "legacy")
      : madeUpTokens(githubId, kind);
  const appTokens = app ? issue("app") : null;
  const legacyTokens = legacy ? issue("legacy") : null;
  if (appTokens && expired) {
    simulator?.expireAccessToken(appTokens.accessToken);
    appTokens.expiresAt = new Date(Date.now() - 60_000);
  }
  const { models, tokenStore } = services;
  const user = await models.sequelize.transaction(async (transaction) => {
    const row = await models.User.create({ githubId, login, tokenMigrationStatus: status }, { transaction });
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
    for (const [to, reason] of walkTo ? PATHS_FROM_PENDING[walkTo] : []) {
      await transitionUser(models, { user: row, to, reason, actor: "system", transaction });
    }
    return row;
  });
  return { user, login, githubId, app: appTokens, legacy: legacyTokens };
}

/** Tokens in GitHub's shapes for a user no simulator knows: an 8-hour App pair, a legacy token without expiry. */
function madeUpTokens(githubId: number, kind: "app" | "legacy"): IssuedTokens {
  if (kind === "legacy") return { accessToken: `gho_${githubId}legacy`, expiresAt: null, refreshToken: null, refreshTokenExpiresAt: null };
  return {
    accessToken: `ghu_${githubId}access`,
    expiresAt: new Date(Date.now() + 8 * 3_600_000),
    refreshToken: `ghr_${githubId}refresh`,
    refreshTokenExpiresAt: new Date(Date.now() + 180 * 86_400_000),
  };
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
