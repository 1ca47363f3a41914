import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type ModelStatic,
  type Sequelize,
} from "sequelize";

export const MIGRATION_STATUSES = [
  "pending",
  "consent_required",
  "migrated",
  "reauth_required",
  "revoked",
  "failed",
  "rolled_back",
] as const;
export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];

/** Why a refresh failed for good (issue 14's forensics), stored on the user and counted by class. */
export const REFRESH_FAILURE_CLASSES = [
  /** Another caller's pair was already stored. */
  "lost_race",
  /** A refresh may have rotated the pair without the answer being stored (crash, lost answer), and the pair was dead. */
  "interrupted",
  /** A revocation webhook was seen or the user disconnected. */
  "revoked",
  /** The refresh token was past the lifetime GitHub gave it. */
  "refresh_token_expired",
  /** GitHub no longer knows the App's grant for this account (installation, App or account gone). */
  "installation_or_account_gone",
  "unknown",
] as const;
export type RefreshFailureClass = (typeof REFRESH_FAILURE_CLASSES)[number];

/**
 * The legacy OAuth App's shape, kept as the seed had it. `access_token` and `refresh_token` hold
 * sealed envelopes; only the token store opens them.
 */
export interface ProviderInfo {
  access_token?: string;
  refresh_token?: string;
  expires_at?: string;
  scope?: string;
  [key: string]: unknown;
}

export interface UserRow extends Model<InferAttributes<UserRow>, InferCreationAttributes<UserRow>> {
  id: CreationOptional<number>;
  githubId: number;
  login: string;
  providerInfo: CreationOptional<ProviderInfo>;
  githubAppUserToken: CreationOptional<string | null>;
  githubAppTokenExpiresAt: CreationOptional<Date | null>;
  githubAppRefreshToken: CreationOptional<string | null>;
  githubAppRefreshTokenExpiresAt: CreationOptional<Date | null>;
  githubAppTokenRefreshedAt: CreationOptional<Date | null>;
  tokenMigrationStatus: CreationOptional<MigrationStatus>;
  migrationError: CreationOptional<string | null>;
  migratedAt: CreationOptional<Date | null>;
  lastValidatedAt: CreationOptional<Date | null>;
  lastValidationResult: CreationOptional<Record<string, unknown> | null>;
  refreshFailureCount: CreationOptional<number>;
  nextRefreshAttemptAt: CreationOptional<Date | null>;
  lastRefreshError: CreationOptional<string | null>;
  appTokenGeneration: CreationOptional<number>;
  refreshIntentId: CreationOptional<string | null>;
  refreshIntentInstance: CreationOptional<string | null>;
  refreshIntentStartedAt: CreationOptional<Date | null>;
  refreshIntentGeneration: CreationOptional<number | null>;
  refreshLeaseUntil: CreationOptional<Date | null>;
  refreshInDoubtSince: CreationOptional<Date | null>;
  refreshFailureClass: CreationOptional<RefreshFailureClass | null>;
  refreshFailedAt: CreationOptional<Date | null>;
  legacyTokenCheckedAt: CreationOptional<Date | null>;
  legacyTokenValid: CreationOptional<boolean | null>;
  batchClaimId: CreationOptional<number | null>;
  batchClaimExpiresAt: CreationOptional<Date | null>;
  createdAt: CreationOptional<Date>;
  updatedAt: CreationOptional<Date>;
}

export function defineUser(sequelize: Sequelize): ModelStatic<UserRow> {
  return sequelize.define<UserRow>(
    "User",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      githubId: { type: DataTypes.BIGINT, allowNull: false, unique: true },
      login: { type: DataTypes.TEXT, allowNull: false },
      providerInfo: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      githubAppUserToken: { type: DataTypes.TEXT },
      githubAppTokenExpiresAt: { type: DataTypes.DATE },
      githubAppRefreshToken: { type: DataTypes.TEXT },
      githubAppRefreshTokenExpiresAt: { type: DataTypes.DATE },
      githubAppTokenRefreshedAt: { type: DataTypes.DATE },
      tokenMigrationStatus: { type: DataTypes.TEXT, allowNull: false, defaultValue: "pending" },
      migrationError: { type: DataTypes.TEXT },
      migratedAt: { type: DataTypes.DATE },
      lastValidatedAt: { type: DataTypes.DATE },
      lastValidationResult: { type: DataTypes.JSONB },
      refreshFailureCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      nextRefreshAttemptAt: { type: DataTypes.DATE },
      lastRefreshError: { type: DataTypes.TEXT },
      appTokenGeneration: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      refreshIntentId: { type: DataTypes.UUID },
      refreshIntentInstance: { type: DataTypes.TEXT },
      refreshIntentStartedAt: { type: DataTypes.DATE },
      refreshIntentGeneration: { type: DataTypes.BIGINT },
      refreshLeaseUntil: { type: DataTypes.DATE },
      refreshInDoubtSince: { type: DataTypes.DATE },
      refreshFailureClass: { type: DataTypes.TEXT },
      refreshFailedAt: { type: DataTypes.DATE },
      legacyTokenCheckedAt: { type: DataTypes.DATE },
      legacyTokenValid: { type: DataTypes.BOOLEAN },
      batchClaimId: { type: DataTypes.BIGINT },
      batchClaimExpiresAt: { type: DataTypes.DATE },
      createdAt: { type: DataTypes.DATE },
      updatedAt: { type: DataTypes.DATE },
    },
    { tableName: "users", underscored: true },
  );
}
