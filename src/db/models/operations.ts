// Rows that record how the service itself is operated: webhook deliveries, flags, OAuth states
// and the notification outbox.
import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type ModelStatic,
  type Sequelize,
} from "sequelize";

export type DeliveryOutcome = "processed" | "ignored" | "failed";

interface WebhookDeliveryRow extends Model<InferAttributes<WebhookDeliveryRow>, InferCreationAttributes<WebhookDeliveryRow>> {
  deliveryId: string;
  event: string;
  action: CreationOptional<string | null>;
  installationId: CreationOptional<number | null>;
  outcome: DeliveryOutcome;
  error: CreationOptional<string | null>;
  attempts: CreationOptional<number>;
  receivedAt: CreationOptional<Date>;
  processedAt: CreationOptional<Date | null>;
}

interface FeatureFlagRow extends Model<InferAttributes<FeatureFlagRow>, InferCreationAttributes<FeatureFlagRow>> {
  name: string;
  value: unknown;
  updatedBy: string;
  updatedAt: CreationOptional<Date>;
}

export interface FeatureFlagChangeRow
  extends Model<InferAttributes<FeatureFlagChangeRow>, InferCreationAttributes<FeatureFlagChangeRow>> {
  id: CreationOptional<number>;
  name: string;
  oldValue: unknown;
  newValue: unknown;
  changedBy: string;
  changedAt: CreationOptional<Date>;
}

export type OAuthStatePurpose = "sign_in" | "consent" | "reauthorize" | "admin";

interface OAuthStateRow extends Model<InferAttributes<OAuthStateRow>, InferCreationAttributes<OAuthStateRow>> {
  id: CreationOptional<number>;
  stateHash: string;
  /** Sealed PKCE verifier. */
  codeVerifier: string;
  returnTo: CreationOptional<string>;
  purpose: OAuthStatePurpose;
  boundGithubId: CreationOptional<number | null>;
  expiresAt: Date;
  consumedAt: CreationOptional<Date | null>;
  createdAt: CreationOptional<Date>;
}

export interface NotificationRow extends Model<InferAttributes<NotificationRow>, InferCreationAttributes<NotificationRow>> {
  id: CreationOptional<number>;
  eventType: string;
  payload: Record<string, unknown>;
  attempts: CreationOptional<number>;
  nextAttemptAt: CreationOptional<Date>;
  deliveredAt: CreationOptional<Date | null>;
  lastError: CreationOptional<string | null>;
  createdAt: CreationOptional<Date>;
}

export function defineWebhookDelivery(sequelize: Sequelize): ModelStatic<WebhookDeliveryRow> {
  return sequelize.define<WebhookDeliveryRow>(
    "WebhookDelivery",
    {
      deliveryId: { type: DataTypes.TEXT, primaryKey: true },
      event: { type: DataTypes.TEXT, allowNull: false },
      action: { type: DataTypes.TEXT },
      installationId: { type: DataTypes.BIGINT },
      outcome: { type: DataTypes.TEXT, allowNull: false },
      error: { type: DataTypes.TEXT },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      receivedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      processedAt: { type: DataTypes.DATE },
    },
    { tableName: "webhook_deliveries", underscored: true, timestamps: false },
  );
}

export function defineFeatureFlag(sequelize: Sequelize): ModelStatic<FeatureFlagRow> {
  return sequelize.define<FeatureFlagRow>(
    "FeatureFlag",
    {
      name: { type: DataTypes.TEXT, primaryKey: true },
      value: { type: DataTypes.JSONB, allowNull: false },
      updatedBy: { type: DataTypes.TEXT, allowNull: false },
      updatedAt: { type: DataTypes.DATE },
    },
    { tableName: "feature_flags", underscored: true, createdAt: false },
  );
}

export function defineFeatureFlagChange(sequelize: Sequelize): ModelStatic<FeatureFlagChangeRow> {
  return sequelize.define<FeatureFlagChangeRow>(
    "FeatureFlagChange",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      name: { type: DataTypes.TEXT, allowNull: false },
      oldValue: { type: DataTypes.JSONB },
      newValue: { type: DataTypes.JSONB, allowNull: false },
      changedBy: { type: DataTypes.TEXT, allowNull: false },
      changedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
    },
    { tableName: "feature_flag_changes", underscored: true, timestamps: false },
  );
}

export function defineOAuthState(sequelize: Sequelize): ModelStatic<OAuthStateRow> {
  return sequelize.define<OAuthStateRow>(
    "OAuthState",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      stateHash: { type: DataTypes.TEXT, allowNull: false, unique: true },
      codeVerifier: { type: DataTypes.TEXT, allowNull: false },
      returnTo: { type: DataTypes.TEXT, allowNull: false, defaultValue: "/me" },
      purpose: { type: DataTypes.TEXT, allowNull: false },
      boundGithubId: { type: DataTypes.BIGINT },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      consumedAt: { type: DataTypes.DATE },
      createdAt: { type: DataTypes.DATE },
    },
    { tableName: "oauth_states", underscored: true, updatedAt: false },
  );
}

export function defineNotification(sequelize: Sequelize): ModelStatic<NotificationRow> {
  return sequelize.define<NotificationRow>(
    "Notification",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      eventType: { type: DataTypes.TEXT, allowNull: false },
      payload: { type: DataTypes.JSONB, allowNull: false },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      nextAttemptAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      deliveredAt: { type: DataTypes.DATE },
      lastError: { type: DataTypes.TEXT },
      createdAt: { type: DataTypes.DATE },
    },
    { tableName: "notifications", underscored: true, updatedAt: false },
  );
}
