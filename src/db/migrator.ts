// Schema changes through umzug. Migrations are listed here explicitly so they run the same under
// tsx, jest and the compiled build; never sync() a model.
import type { QueryInterface, Sequelize } from "sequelize";
import { SequelizeStorage, Umzug, type MigrationFn } from "umzug";
import * as initialSchema from "./migrations/0001-initial-schema.js";
import * as refreshIntent from "./migrations/0014-refresh-intent.js";
import * as replacedTokenRevocations from "./migrations/0015-replaced-token-revocations.js";
import * as batchOutcomes from "./migrations/0016-batch-outcomes.js";
import * as migrationReadiness from "./migrations/0017-migration-readiness.js";
import * as flagChangeNotify from "./migrations/0018-flag-change-notify.js";
import * as operationsGauges from "./migrations/0020-operations-gauges.js";
import * as trends from "./migrations/0021-trends.js";
import * as consoleAtScale from "./migrations/0022-console-at-scale.js";
import * as userSearch from "./migrations/0023-user-search.js";

interface MigrationModule {
  up: MigrationFn<QueryInterface>;
  down: MigrationFn<QueryInterface>;
}

const MIGRATIONS: Array<[name: string, module: MigrationModule]> = [
  ["0001-initial-schema", initialSchema],
  ["0014-refresh-intent", refreshIntent],
  ["0015-replaced-token-revocations", replacedTokenRevocations],
  ["0016-batch-outcomes", batchOutcomes],
  ["0017-migration-readiness", migrationReadiness],
  ["0018-flag-change-notify", flagChangeNotify],
  ["0020-operations-gauges", operationsGauges],
  ["0021-trends", trends],
  ["0022-console-at-scale", consoleAtScale],
  ["0023-user-search", userSearch],
];

interface MigratorLogger {
  info(message: string): void;
}

export function createMigrator(sequelize: Sequelize, logger?: MigratorLogger): Umzug<QueryInterface> {
  return new Umzug({
    migrations: MIGRATIONS.map(([name, module]) => ({ name, up: module.up, down: module.down })),
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: "schema_migrations" }),
    logger: logger
      ? {
          info: (event) => {
            const { event: kind, name } = event as { event?: string; name?: string };
            if (kind === "migrated" || kind === "reverted") logger.info(`schema: ${kind} ${name}`);
          },
          warn: () => {},
          error: () => {},
          debug: () => {},
        }
      : undefined,
  });
}

/**
 * Brings the schema up to date. A transaction-scoped advisory lock keeps several instances that
 * start together from running the same migration twice.
 */
export async function migrateToLatest(sequelize: Sequelize, logger?: MigratorLogger): Promise<void> {
  const migrator = createMigrator(sequelize, logger);
  await sequelize.transaction(async (transaction) => {
    await sequelize.query("SELECT pg_advisory_xact_lock(hashtext('github-app-user-tokens:migrations'))", {
      transaction,
    });
    // The lock holds for this transaction; umzug runs on other pool connections, which is fine
    // because every other starter is queued on the same lock until we commit.
    await migrator.up();
  });
}
