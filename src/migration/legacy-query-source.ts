// Reads the legacy application's users through its own SQL query, on PostgreSQL (pg, through a
// cursor) or MySQL/MariaDB (mysql2, streamed with backpressure): the URL's scheme picks the driver.
// Rows of `github_id, login, access_token[, refresh_token, expires_at]` come out one at a time in
// the JSON-lines form, so memory stays flat however many there are and every source shares the
// importer's one validation. The query runs in a read-only transaction on one snapshot: it cannot
// change the application's data, and the count behind the progress bar matches the rows read.
import mysql from "mysql2";
import pg from "pg";
import Cursor from "pg-cursor";

export interface LegacyQuery {
  /** postgres://, postgresql://, mysql:// or mariadb:// URL of the application's database. */
  url: string;
  /** A SELECT answering github_id, login, access_token and optionally refresh_token, expires_at. */
  query: string;
}

export interface LegacyQueryOptions {
  /** Rows fetched from the database at a time. */
  pageSize: number;
  /** Told how many rows the query answers, before the first row. */
  onTotal?: (total: number) => void;
}

/** The query or its database cannot be used; the message says why (never with the URL's password). */
export class LegacyQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LegacyQueryError";
  }
}

const REQUIRED_COLUMNS = ["github_id", "login", "access_token"];
/** How long MySQL/MariaDB may wait for us to read more of the answer (an hour: only a stuck import takes longer). */
const MYSQL_NET_WRITE_TIMEOUT_SECONDS = 3600;
const OPTIONAL_COLUMNS = ["refresh_token", "expires_at"];

/** One open query: its columns, its row count, its rows as a stream. */
interface OpenQuery {
  columns: string[];
  total: number;
  rows: AsyncIterable<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Each row as the JSON-lines import would have it, with its position in the query's answer. */
export async function* readLegacyQuery(source: LegacyQuery, { pageSize, onTotal }: LegacyQueryOptions): AsyncIterable<{ line: number; value: unknown }> {
  const open = driverFor(source.url);
  const where = describeDatabase(source.url);
  const query = source.query.trim().replace(/;\s*$/, "");
  if (query === "") throw new LegacyQueryError("the query is empty");
  let opened: OpenQuery;
  try {
    opened = await open(source.url, query, pageSize);
  } catch (error) {
    throw new LegacyQueryError(`cannot run the query on ${where}: ${messageOf(error)}`);
  }
  try {
    checkColumns(opened.columns);
    onTotal?.(opened.total);
    let line = 0;
    for await (const row of opened.rows) {
      line += 1;
      yield { line, value: recordFromRow(row) };
    }
  } catch (error) {
    if (error instanceof LegacyQueryError) throw error;
    throw new LegacyQueryError(`reading the query's rows from ${where} failed: ${messageOf(error)}`);
  } finally {
    await opened.close();
  }
}

type OpenDriver = (url: string, query: string, pageSize: number) => Promise<OpenQuery>;

function driverFor(url: string): OpenDriver {
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new LegacyQueryError("--from-database must be a URL such as postgres://user@host/db or mysql://user@host/db");
  }
  if (scheme === "postgres:" || scheme === "postgresql:") return openPostgres;
  if (scheme === "mysql:" || scheme === "mariadb:") return openMysql;
  throw new LegacyQueryError(`--from-database must be a postgres://, postgresql://, mysql:// or mariadb:// URL (got ${scheme}//)`);
}

/** `SELECT * FROM (<query>) … LIMIT 0` names the columns without reading a row, even when there are none. */
const columnsQuery = (query: string) => `SELECT * FROM (\n${query}\n) AS legacy_users LIMIT 0`;
const countQuery = (query: string) => `SELECT COUNT(*) AS total FROM (\n${query}\n) AS legacy_users`;

const openPostgres: OpenDriver = async (url, query, pageSize) => {
  const client = new pg.Client({ connectionString: url, application_name: "github-app-user-tokens import" });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const { fields } = await client.query(columnsQuery(query));
    const { rows } = await client.query<{ total: string }>(countQuery(query));
    const opened = client.query(new Cursor(query));
    return {
      columns: fields.map((field) => field.name),
      total: Number(rows[0]?.total ?? 0),
      rows: (async function* () {
        for (;;) {
          const page: Array<Record<string, unknown>> = await opened.read(pageSize);
          if (page.length === 0) return;
          yield* page;
        }
      })(),
      close: async () => {
        await opened.close().catch(() => {});
        await client.query("ROLLBACK").catch(() => {});
        await client.end().catch(() => {});
      },
    };
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
};

const openMysql: OpenDriver = async (url, query, pageSize) => {
  const connection = mysql.createConnection({
    uri: url.replace(/^mariadb:/, "mysql:"),
    // BIGINT ids as exact strings (turned into numbers only when exact), DATETIME read as UTC.
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: "Z",
  });
  connection.on("error", () => {});
  const promised = connection.promise();
  try {
    // The importer reads a socket's worth of rows (thousands) between two reads of the socket, and
    // writes them meanwhile: the server must wait longer than its 60 s default before calling it dead.
    await promised.query(`SET SESSION net_write_timeout = ${MYSQL_NET_WRITE_TIMEOUT_SECONDS}`);
    await promised.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    await promised.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    const [, fields] = await promised.query(columnsQuery(query));
    const [counted] = await promised.query<mysql.RowDataPacket[]>(countQuery(query));
    const stream = connection.query(query).stream({ highWaterMark: pageSize });
    // mysql2 does not tell a paused query stream that its connection died: without this it would
    // wait for rows forever.
    let closing = false;
    const lost = (error?: Error) => {
      if (!closing && !stream.readableEnded) stream.destroy(error ?? new Error("the database closed the connection before the last row"));
    };
    connection.once("error", lost);
    connection.once("end", () => lost());
    return {
      columns: (fields ?? []).map((field) => field.name),
      total: Number(counted[0]?.total ?? 0),
      rows: stream as AsyncIterable<Record<string, unknown>>,
      close: async () => {
        closing = true;
        // A stream left early still has rows on the wire: only closing the socket ends them.
        if (!stream.readableEnded) return void connection.destroy();
        await promised.query("ROLLBACK").catch(() => {});
        await promised.end().catch(() => connection.destroy());
      },
    };
  } catch (error) {
    connection.destroy();
    throw error;
  }
};

function checkColumns(columns: string[]): void {
  const allowed = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];
  const unknown = columns.filter((column) => !allowed.includes(column));
  if (unknown.length > 0) {
    throw new LegacyQueryError(
      `the query returned ${unknown.map((column) => `"${column}"`).join(", ")}; it may return only ${allowed.join(", ")} (name them with AS)`,
    );
  }
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    throw new LegacyQueryError(`the query must return github_id, login and access_token (missing: ${missing.join(", ")}; name them with AS)`);
  }
}

/** Drivers answer BIGINTs as strings, times as Dates, binary text as Buffers: reshaped into JSON's types. */
function recordFromRow(row: Record<string, unknown>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(row)) {
    // SQL NULL is an absent value: a missing token is reported as missing.
    if (raw === null || raw === undefined) continue;
    record[column] = column === "github_id" ? githubIdFrom(raw) : jsonValue(raw);
  }
  return record;
}

function githubIdFrom(raw: unknown): unknown {
  if (typeof raw === "bigint") return Number.isSafeInteger(Number(raw)) ? Number(raw) : raw.toString();
  if (typeof raw === "string" && /^\d+$/.test(raw) && Number.isSafeInteger(Number(raw))) return Number(raw);
  return jsonValue(raw);
}

function jsonValue(raw: unknown): unknown {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? String(raw) : raw.toISOString();
  if (Buffer.isBuffer(raw)) return raw.toString("utf8");
  if (typeof raw === "bigint") return raw.toString();
  return raw;
}

/** The database named without its credentials. */
function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "the legacy database";
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  const message = error instanceof Error ? error.message : String(error);
  return message || (error as { code?: string }).code || "unknown error";
}
