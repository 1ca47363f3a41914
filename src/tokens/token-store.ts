// The only code that reads or writes the users table's token columns. Values are sealed on the way
// in and opened on the way out; nothing else in the app ever handles a plaintext token, except the
// answer of token resolution.
import { Op, type Transaction } from "sequelize";
import type { MigrationStatus, Models, ProviderInfo, UserRow } from "../db/models/index.js";
import type { SealBinding, TokenSealer } from "./sealing.js";

export interface IssuedUserTokens {
  accessToken: string;
  accessTokenExpiresAt: Date | null;
  refreshToken: string | null;
  refreshTokenExpiresAt: Date | null;
}

/** The part of a pair that is served: opening it leaves the refresh token sealed. */
export type ServableAccessToken = Pick<IssuedUserTokens, "accessToken" | "accessTokenExpiresAt">;

export interface LegacyOAuthToken {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

const USERS = "users";

/** A new or wiped pair ends whatever refresh was in flight for the old one, and any doubt about it. */
export const NO_REFRESH_IN_FLIGHT = {
  refreshIntentId: null,
  refreshIntentInstance: null,
  refreshIntentStartedAt: null,
  refreshIntentGeneration: null,
  refreshLeaseUntil: null,
  refreshInDoubtSince: null,
} as const;
type AppTokenColumn = "github_app_user_token" | "github_app_refresh_token";
type LegacyTokenColumn = "provider_info.access_token" | "provider_info.refresh_token";

export class TokenStore {
  readonly #models: Models;
  readonly #sealer: TokenSealer;

  constructor({ models, sealer }: { models: Models; sealer: TokenSealer }) {
    this.#models = models;
    this.#sealer = sealer;
  }

  /**
   * Seals and writes a freshly issued App token pair on the user's locked row (in the caller's
   * transaction), resets refresh-failure bookkeeping and starts a new generation, so a refresh still
   * in flight for the old pair can no longer store its answer.
   */
  async saveAppTokens(user: UserRow, tokens: IssuedUserTokens, transaction: Transaction): Promise<void> {
    await user.update(this.#appTokenChanges(user, tokens), { transaction });
  }

  /**
   * Writes a refreshed pair only while the row still holds the generation the refresh spent and the
   * user's App tokens are still in use (compare-and-swap), so a pair written by someone else, or a
   * wipe, is never overwritten. Clears the refresh intent. False when the row had changed.
   */
  async saveRefreshedAppTokens(
    user: UserRow,
    tokens: IssuedUserTokens,
    { spentGeneration, retiredStatuses }: { spentGeneration: number; retiredStatuses: readonly MigrationStatus[] },
    transaction: Transaction,
  ): Promise<boolean> {
    const changes = this.#appTokenChanges(user, tokens, spentGeneration);
    const [updated] = await this.#models.User.update(changes, {
      where: { id: user.id, appTokenGeneration: spentGeneration, tokenMigrationStatus: { [Op.notIn]: [...retiredStatuses] } },
      transaction,
    });
    if (updated === 1) user.set(changes);
    return updated === 1;
  }

  /** Removes the App token pair (revocation, disconnect; rollback never calls this). */
  async wipeAppTokens(user: UserRow, transaction: Transaction): Promise<void> {
    await user.update(
      {
        githubAppUserToken: null,
        githubAppTokenExpiresAt: null,
        githubAppRefreshToken: null,
        githubAppRefreshTokenExpiresAt: null,
        refreshFailureCount: 0,
        nextRefreshAttemptAt: null,
        appTokenGeneration: user.appTokenGeneration + 1,
        ...NO_REFRESH_IN_FLIGHT,
      },
      { transaction },
    );
  }

  /**
   * The access token alone, for serving it: the hot path of resolution opens one envelope, not two
   * (the refresh token is opened only by a refresh, from the row it locked).
   */
  readAccessToken(user: Pick<UserRow, "githubId" | "githubAppUserToken" | "githubAppTokenExpiresAt">): ServableAccessToken | null {
    if (!user.githubAppUserToken) return null;
    return {
      accessToken: this.#open(user.githubAppUserToken, user, "github_app_user_token"),
      accessTokenExpiresAt: user.githubAppTokenExpiresAt ?? null,
    };
  }

  readAppTokens(user: UserRow): IssuedUserTokens | null {
    if (!user.githubAppUserToken) return null;
    return {
      accessToken: this.#open(user.githubAppUserToken, user, "github_app_user_token"),
      accessTokenExpiresAt: user.githubAppTokenExpiresAt ?? null,
      refreshToken: user.githubAppRefreshToken ? this.#open(user.githubAppRefreshToken, user, "github_app_refresh_token") : null,
      refreshTokenExpiresAt: user.githubAppRefreshTokenExpiresAt ?? null,
    };
  }

  async saveLegacyToken(user: UserRow, token: LegacyOAuthToken, transaction: Transaction): Promise<void> {
    await user.update({ providerInfo: this.withLegacyToken(user.githubId, user.providerInfo, token) }, { transaction });
  }

  /**
   * `providerInfo` with the legacy token sealed in, as saveLegacyToken stores it: for rows written
   * many at a time (the legacy import), since a sealed value is bound to the GitHub id alone.
   */
  withLegacyToken(githubId: number, providerInfo: ProviderInfo | null, token: LegacyOAuthToken): ProviderInfo {
    const row = { githubId };
    const info: ProviderInfo = { ...providerInfo };
    info.access_token = this.#seal(token.accessToken, row, "provider_info.access_token");
    if (token.refreshToken) info.refresh_token = this.#seal(token.refreshToken, row, "provider_info.refresh_token");
    else delete info.refresh_token;
    if (token.expiresAt) info.expires_at = token.expiresAt.toISOString();
    else delete info.expires_at;
    return info;
  }

  readLegacyToken(user: Pick<UserRow, "githubId" | "providerInfo">): LegacyOAuthToken | null {
    const info = user.providerInfo ?? {};
    if (typeof info.access_token !== "string" || info.access_token === "") return null;
    return {
      accessToken: this.#open(info.access_token, user, "provider_info.access_token"),
      refreshToken:
        typeof info.refresh_token === "string" && info.refresh_token !== ""
          ? this.#open(info.refresh_token, user, "provider_info.refresh_token")
          : null,
      expiresAt: typeof info.expires_at === "string" ? new Date(info.expires_at) : null,
    };
  }

  async wipeLegacyToken(user: UserRow, transaction: Transaction): Promise<void> {
    const { access_token: _access, refresh_token: _refresh, expires_at: _expires, ...rest } = user.providerInfo ?? {};
    await user.update({ providerInfo: rest }, { transaction });
  }

  /**
   * Re-seals every token value of the row that is under an old key with the primary key (in the
   * caller's transaction, on a locked row). Returns how many values changed.
   */
  async resealUnderPrimaryKey(user: UserRow, transaction: Transaction): Promise<number> {
    const changes: Partial<Pick<UserRow, "githubAppUserToken" | "githubAppRefreshToken" | "providerInfo">> = {};
    let resealed = 0;
    const reseal = (envelope: string, column: AppTokenColumn | LegacyTokenColumn) => {
      resealed += 1;
      return this.#seal(this.#open(envelope, user, column), user, column);
    };
    if (user.githubAppUserToken && this.#sealer.isSealedWithOldKey(user.githubAppUserToken)) {
      changes.githubAppUserToken = reseal(user.githubAppUserToken, "github_app_user_token");
    }
    if (user.githubAppRefreshToken && this.#sealer.isSealedWithOldKey(user.githubAppRefreshToken)) {
      changes.githubAppRefreshToken = reseal(user.githubAppRefreshToken, "github_app_refresh_token");
    }
    const info: ProviderInfo = { ...user.providerInfo };
    let infoChanged = false;
    if (typeof info.access_token === "string" && this.#sealer.isSealedWithOldKey(info.access_token)) {
      info.access_token = reseal(info.access_token, "provider_info.access_token");
      infoChanged = true;
    }
    if (typeof info.refresh_token === "string" && this.#sealer.isSealedWithOldKey(info.refresh_token)) {
      info.refresh_token = reseal(info.refresh_token, "provider_info.refresh_token");
      infoChanged = true;
    }
    if (infoChanged) changes.providerInfo = info;
    if (resealed > 0) await user.update(changes, { transaction });
    return resealed;
  }

  #appTokenChanges(user: UserRow, tokens: IssuedUserTokens, replacedGeneration = user.appTokenGeneration) {
    return {
      githubAppUserToken: this.#seal(tokens.accessToken, user, "github_app_user_token"),
      githubAppTokenExpiresAt: tokens.accessTokenExpiresAt,
      githubAppRefreshToken: tokens.refreshToken ? this.#seal(tokens.refreshToken, user, "github_app_refresh_token") : null,
      githubAppRefreshTokenExpiresAt: tokens.refreshToken ? tokens.refreshTokenExpiresAt : null,
      githubAppTokenRefreshedAt: new Date(),
      refreshFailureCount: 0,
      nextRefreshAttemptAt: null,
      lastRefreshError: null,
      appTokenGeneration: replacedGeneration + 1,
      ...NO_REFRESH_IN_FLIGHT,
    };
  }

  #seal(plaintext: string, user: Pick<UserRow, "githubId">, column: AppTokenColumn | LegacyTokenColumn): string {
    return this.#sealer.seal(plaintext, binding(user, column));
  }

  #open(envelope: string, user: Pick<UserRow, "githubId">, column: AppTokenColumn | LegacyTokenColumn): string {
    return this.#sealer.open(envelope, binding(user, column));
  }
}

function binding(user: Pick<UserRow, "githubId">, column: AppTokenColumn | LegacyTokenColumn): SealBinding {
  return { table: USERS, column, rowId: user.githubId };
}
