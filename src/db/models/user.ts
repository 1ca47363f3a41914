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
