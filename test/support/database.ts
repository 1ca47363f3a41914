// A fresh database per test file, so files run in parallel without seeing each other's rows.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Sequelize } from "sequelize";
import { connectDatabase } from "../../src/db/connection.js";
import { migrateToLatest } from "../../src/db/migrator.js";
import { defineModels, type Models } from "../../src/db/models/index.js";

export interface TestDatabase {
  url: string;
  name: string;
  sequelize: Sequelize;
  models: Models;
  /** Closes the connection pool and drops the database. */
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.TEST_POSTGRES_ADMIN_URL;
  if (!url) throw new Error("TEST_POSTGRES_ADMIN_URL is not set: run the tests through jest's global setup");
  return url;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function asAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createEmptyTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `gaut_test_${randomBytes(6).toString("hex")}`;
  await asAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: withDatabase(adminUrl(), name),
    drop: () => asAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/** A new database with the schema migrated to the latest version. */
export async function createTestDatabase({ maxConnections = 20 } = {}): Promise<TestDatabase> {
  const empty = await createEmptyTestDatabase();
  const sequelize = connectDatabase({ url: empty.url, maxConnections });
  await migrateToLatest(sequelize);
  return {
    ...empty,
    sequelize,
    models: defineModels(sequelize),
    drop: async () => {
      await sequelize.close();
      await empty.drop();
    },
  };
}
