import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type ModelStatic,
  type Sequelize,
} from "sequelize";
import type { MigrationStatus } from "./user.js";

export interface MigrationEventRow extends Model<InferAttributes<MigrationEventRow>, InferCreationAttributes<MigrationEventRow>> {
  id: CreationOptional<number>;
  userId: number;
  fromStatus: MigrationStatus | null;
  toStatus: MigrationStatus;
  reason: string;
  /** `system`, `webhook`, or a maintainer's login. */
  actor: string;
  batchId: CreationOptional<number | null>;
  createdAt: CreationOptional<Date>;
}

/**
 * `finished_with_errors`: it ran to the end, but some users hit an unexpected error (named in userErrors).
 * `paused`: the rollout guard stopped it (migration/rollout-guard.ts); it resumes when the guard is cleared.
 */
export type BatchState = "running" | "paused" | "finished" | "finished_with_errors" | "failed";

/** One user a batch could not process because of an unexpected error. */
export interface BatchUserError {
  github_id: number;
  login: string;
  error: string;
}

export interface MigrationBatchRow extends Model<InferAttributes<MigrationBatchRow>, InferCreationAttributes<MigrationBatchRow>> {
  id: CreationOptional<number>;
  requestedBy: string;
  size: number;
  dryRun: CreationOptional<boolean>;
  state: CreationOptional<BatchState>;
  counts: CreationOptional<Record<string, number>>;
  error: CreationOptional<string | null>;
  userErrors: CreationOptional<BatchUserError[]>;
  startedAt: CreationOptional<Date>;
  heartbeatAt: CreationOptional<Date>;
  finishedAt: CreationOptional<Date | null>;
}

export function defineMigrationEvent(sequelize: Sequelize): ModelStatic<MigrationEventRow> {
  return sequelize.define<MigrationEventRow>(
    "MigrationEvent",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      userId: { type: DataTypes.BIGINT, allowNull: false },
      fromStatus: { type: DataTypes.TEXT },
      toStatus: { type: DataTypes.TEXT, allowNull: false },
      reason: { type: DataTypes.TEXT, allowNull: false },
      actor: { type: DataTypes.TEXT, allowNull: false },
      batchId: { type: DataTypes.BIGINT },
      createdAt: { type: DataTypes.DATE },
    },
    { tableName: "migration_events", underscored: true, updatedAt: false },
  );
}

export function defineMigrationBatch(sequelize: Sequelize): ModelStatic<MigrationBatchRow> {
  return sequelize.define<MigrationBatchRow>(
    "MigrationBatch",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      requestedBy: { type: DataTypes.TEXT, allowNull: false },
      size: { type: DataTypes.INTEGER, allowNull: false },
      dryRun: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      state: { type: DataTypes.TEXT, allowNull: false, defaultValue: "running" },
      counts: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      error: { type: DataTypes.TEXT },
      userErrors: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
      startedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      heartbeatAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      finishedAt: { type: DataTypes.DATE },
    },
    { tableName: "migration_batches", underscored: true, timestamps: false },
  );
}
