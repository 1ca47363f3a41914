// Binds every model to one Sequelize instance. Models are per instance (sequelize.define), so
// several app instances can share a process, as the scale-out tests do.
import type { Sequelize } from "sequelize";
import { defineInstallation, defineInstallationRepository, defineUserInstallation } from "./installation.js";
import { defineMigrationBatch, defineMigrationEvent } from "./migration.js";
import {
  defineFeatureFlag,
  defineFeatureFlagChange,
  defineNotification,
  defineOAuthState,
  defineWebhookDelivery,
} from "./operations.js";
import { defineUser } from "./user.js";

export function defineModels(sequelize: Sequelize) {
  return {
    sequelize,
    User: defineUser(sequelize),
    Installation: defineInstallation(sequelize),
    InstallationRepository: defineInstallationRepository(sequelize),
    UserInstallation: defineUserInstallation(sequelize),
    MigrationEvent: defineMigrationEvent(sequelize),
    MigrationBatch: defineMigrationBatch(sequelize),
    WebhookDelivery: defineWebhookDelivery(sequelize),
    FeatureFlag: defineFeatureFlag(sequelize),
    FeatureFlagChange: defineFeatureFlagChange(sequelize),
    OAuthState: defineOAuthState(sequelize),
    Notification: defineNotification(sequelize),
  };
}

export type Models = ReturnType<typeof defineModels>;

export type { UserRow, MigrationStatus, ProviderInfo, RefreshFailureClass } from "./user.js";
export { MIGRATION_STATUSES, REFRESH_FAILURE_CLASSES } from "./user.js";
export type { InstallationRow } from "./installation.js";
export type { MigrationEventRow, MigrationBatchRow, BatchState, BatchUserError } from "./migration.js";
export type { DeliveryOutcome, FeatureFlagChangeRow, OAuthStatePurpose, NotificationRow } from "./operations.js";
