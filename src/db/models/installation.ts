import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type ModelStatic,
  type Sequelize,
} from "sequelize";

export interface InstallationRow extends Model<InferAttributes<InstallationRow>, InferCreationAttributes<InstallationRow>> {
  /** GitHub's installation id. */
  id: number;
  accountId: number;
  accountLogin: string;
  accountType: string;
  targetType: string;
  repositorySelection: "all" | "selected";
  permissions: CreationOptional<Record<string, string>>;
  events: CreationOptional<string[]>;
  previousAccountLogins: CreationOptional<Array<{ login: string; changedAt: string }>>;
  installedByGithubId: CreationOptional<number | null>;
  suspendedAt: CreationOptional<Date | null>;
  suspendedBy: CreationOptional<string | null>;
  deletedAt: CreationOptional<Date | null>;
  githubCreatedAt: CreationOptional<Date | null>;
  githubUpdatedAt: CreationOptional<Date | null>;
  createdAt: CreationOptional<Date>;
  updatedAt: CreationOptional<Date>;
}

interface InstallationRepositoryRow
  extends Model<InferAttributes<InstallationRepositoryRow>, InferCreationAttributes<InstallationRepositoryRow>> {
  installationId: number;
  repositoryId: number;
  fullName: string;
  private: CreationOptional<boolean>;
  createdAt: CreationOptional<Date>;
}

interface UserInstallationRow
  extends Model<InferAttributes<UserInstallationRow>, InferCreationAttributes<UserInstallationRow>> {
  userId: number;
  installationId: number;
  source: string;
  linkedAt: CreationOptional<Date>;
}

export function defineInstallation(sequelize: Sequelize): ModelStatic<InstallationRow> {
  return sequelize.define<InstallationRow>(
    "Installation",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true },
      accountId: { type: DataTypes.BIGINT, allowNull: false },
      accountLogin: { type: DataTypes.TEXT, allowNull: false },
      accountType: { type: DataTypes.TEXT, allowNull: false },
      targetType: { type: DataTypes.TEXT, allowNull: false },
      repositorySelection: { type: DataTypes.TEXT, allowNull: false },
      permissions: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      events: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
      previousAccountLogins: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
      installedByGithubId: { type: DataTypes.BIGINT },
      suspendedAt: { type: DataTypes.DATE },
      suspendedBy: { type: DataTypes.TEXT },
      deletedAt: { type: DataTypes.DATE },
      githubCreatedAt: { type: DataTypes.DATE },
      githubUpdatedAt: { type: DataTypes.DATE },
      createdAt: { type: DataTypes.DATE },
      updatedAt: { type: DataTypes.DATE },
    },
    { tableName: "installations", underscored: true },
  );
}

export function defineInstallationRepository(sequelize: Sequelize): ModelStatic<InstallationRepositoryRow> {
  return sequelize.define<InstallationRepositoryRow>(
    "InstallationRepository",
    {
      installationId: { type: DataTypes.BIGINT, primaryKey: true },
      repositoryId: { type: DataTypes.BIGINT, primaryKey: true },
      fullName: { type: DataTypes.TEXT, allowNull: false },
      private: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      createdAt: { type: DataTypes.DATE },
    },
    { tableName: "installation_repositories", underscored: true, updatedAt: false },
  );
}

export function defineUserInstallation(sequelize: Sequelize): ModelStatic<UserInstallationRow> {
  return sequelize.define<UserInstallationRow>(
    "UserInstallation",
    {
      userId: { type: DataTypes.BIGINT, primaryKey: true },
      installationId: { type: DataTypes.BIGINT, primaryKey: true },
      source: { type: DataTypes.TEXT, allowNull: false },
      linkedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
    },
    { tableName: "user_installations", underscored: true, timestamps: false },
  );
}
