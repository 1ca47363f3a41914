// The Sequelize connection: one pool per process, UTC everywhere, no implicit sync().
import pg from "pg";
import { Sequelize } from "sequelize";

// BIGINT columns hold GitHub ids, which fit easily in a double; read them as numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

interface ConnectOptions {
  url: string;
  /** Pool size per process; several instances share one server. */
  maxConnections?: number;
  logQuery?: (sql: string) => void;
  /**
   * Client-side limit on waiting for a query's answer. statement_timeout is enforced by the server,
   * so it cannot end a wait for a server that is unreachable without a reset (a network partition):
   * without this, such a request hung forever. Longer than statement_timeout, so a slow query is
   * still ended by the server first. Sequelize discards a connection whose read timed out.
   */
  queryTimeoutMs?: number;
}

export function connectDatabase({ url, maxConnections = 10, logQuery, queryTimeoutMs = 35_000 }: ConnectOptions): Sequelize {
  return new Sequelize(url, {
    dialect: "postgres",
    dialectModule: pg,
    logging: logQuery ?? false,
    timezone: "+00:00",
    pool: { max: maxConnections, min: 0, idle: 10_000, acquire: 30_000 },
    dialectOptions: {
      // Fail fast instead of hanging when the server is gone; statements never run forever.
      connectionTimeoutMillis: 5_000,
      statement_timeout: 30_000,
      query_timeout: queryTimeoutMs,
      idle_in_transaction_session_timeout: 60_000,
    },
  });
}

/** True when the database answers a trivial query within the timeout. */
export async function isDatabaseReachable(sequelize: Sequelize, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = sequelize
    .query("SELECT 1")
    .then(() => true)
    .catch(() => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
