// The one rule for "the database cannot be reached" (refused, pool acquire timed out, connection cut
// or silent mid-query): the HTTP routes answer 503 for it and the database gauges report it.
import { ConnectionError, DatabaseError } from "sequelize";

/**
 * Socket failures, and Postgres's own "connection exception" (class 08) and "operator intervention"
 * (57P: shutdown, crash, cannot connect now) codes: the query failed because the connection did.
 */
const CONNECTION_LOST_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "57P01", "57P02", "57P03"]);

export function isDatabaseUnreachable(error: unknown): boolean {
  return error instanceof ConnectionError || (error instanceof DatabaseError && connectionLost(error));
}

function connectionLost(error: DatabaseError): boolean {
  const code = String((error.original as { code?: unknown } | undefined)?.code ?? "");
  return (
    CONNECTION_LOST_CODES.has(code) ||
    code.startsWith("08") ||
    /Connection terminated|connection (is )?closed|Query read timeout|ECONNRESET/i.test(error.message)
  );
}
