// Imports the legacy application's users with their OAuth tokens, from a JSON-lines file or
// straight from the legacy database's table. Streams its input and writes in chunks, one
// transaction per chunk; idempotent by GitHub id (a re-import updates, never duplicates); tokens are
// sealed by the token store on the way in; bad rows are reported with their line and the reason.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import pg from "pg";
import type { Transaction } from "sequelize";
import { z } from "zod";
import type { Models, ProviderInfo } from "../db/models/index.js";
import type { TokenStore } from "../tokens/token-store.js";
import { githubLogin } from "../users/github-login.js";

/** Keys of provider_info the token store owns; everything else in it is kept as the legacy app had it. */
const TOKEN_KEYS = new Set(["access_token", "refresh_token", "expires_at"]);
const MAX_REPORTED_REJECTIONS = 1_000;

const isoTime = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)), {
    error: "must be an ISO 8601 time such as 2026-01-31T12:00:00Z",
  });
const tokenText = z
  .string()
  .min(1, { error: "must not be empty" })
  .max(255, { error: "must be at most 255 characters" })
  .regex(/^[\x21-\x7e]+$/, { error: "must be printable ASCII without spaces" });

const legacyUserLine = z.strictObject({
  github_id: z.number({ error: "must be a number" }).int({ error: "must be a whole number" }).positive({ error: "must be positive" }).max(Number.MAX_SAFE_INTEGER),
  login: githubLogin,
  access_token: tokenText,
  refresh_token: tokenText.nullish(),
  expires_at: isoTime.nullish(),
  provider_info: z.record(z.string(), z.unknown()).optional(),
});
type LegacyUserLine = z.infer<typeof legacyUserLine>;

export interface ImportRejection {
  /** The line of the file (1-based), or the row's position in the table's scan. */
  line: number;
  reason: string;
}

export interface ImportProgress {
  read: number;
  created: number;
  updated: number;
  rejected: number;
}

export interface ImportReport extends ImportProgress {
  /** The first rejections, each with its line and the reason; `rejected` counts them all. */
  rejections: ImportRejection[];
}

export interface ImportOptions {
  onProgress?: (progress: ImportProgress) => void;
}

export interface DatabaseSource {
  /** postgres:// URL of the legacy application's database. */
  url: string;
  /** The users table, optionally schema-qualified (`public.users`). */
  table: string;
  githubIdColumn?: string;
  loginColumn?: string;
  /** The JSONB column holding `access_token` (and optionally `refresh_token`, `expires_at`). */
  providerInfoColumn?: string;
}

interface ValidRecord {
  line: number;
  data: LegacyUserLine;
}

export class LegacyImporter {
  readonly #models: Models;
  readonly #tokenStore: TokenStore;
  readonly #chunkSize: number;

  constructor({ models, tokenStore, chunkSize = 500 }: { models: Models; tokenStore: TokenStore; chunkSize?: number }) {
    this.#models = models;
    this.#tokenStore = tokenStore;
    this.#chunkSize = chunkSize;
  }

  /** One user per line (JSON); blank lines are skipped. */
  async importJsonLines(lines: AsyncIterable<string> | Iterable<string>, options: ImportOptions = {}): Promise<ImportReport> {
    return this.#importRecords(parseJsonLines(lines), options);
  }

  async importJsonLinesFile(filePath: string, options: ImportOptions = {}): Promise<ImportReport> {
    const lines = createInterface({ input: createReadStream(filePath, { encoding: "utf8" }), crlfDelay: Infinity });
    try {
      return await this.importJsonLines(lines, options);
    } finally {
      lines.close();
    }
  }

  async importFromDatabase(source: DatabaseSource, options: ImportOptions = {}): Promise<ImportReport> {
    return this.#importRecords(readLegacyTable(source, this.#chunkSize), options);
  }

  async #importRecords(
    records: AsyncIterable<{ line: number; value: unknown } | ImportRejection>,
    { onProgress }: ImportOptions,
  ): Promise<ImportReport> {
    const report: ImportReport = { read: 0, created: 0, updated: 0, rejected: 0, rejections: [] };
    const reject = (rejection: ImportRejection) => {
      report.rejected += 1;
      if (report.rejections.length < MAX_REPORTED_REJECTIONS) report.rejections.push(rejection);
    };
    let chunk: ValidRecord[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const { created, updated } = await this.#writeChunk(chunk);
      report.created += created;
      report.updated += updated;
      chunk = [];
      onProgress?.(progressOf(report));
    };
    for await (const record of records) {
      report.read += 1;
      if ("reason" in record) {
        reject(record);
        continue;
      }
      const parsed = legacyUserLine.safeParse(record.value);
      if (!parsed.success) {
        reject({ line: record.line, reason: describeIssues(parsed.error) });
        continue;
      }
      chunk.push({ line: record.line, data: parsed.data });
      if (chunk.length >= this.#chunkSize) await flush();
    }
    await flush();
    onProgress?.(progressOf(report));
    return report;
  }

  async #writeChunk(records: ValidRecord[]): Promise<{ created: number; updated: number }> {
    // A GitHub id twice in one chunk: the later line wins, as it would across chunks.
    const byGithubId = new Map(records.map((record) => [record.data.github_id, record.data]));
    const lines = [...byGithubId.values()];
    return this.#models.sequelize.transaction(async (transaction) => {
      const existing = await this.#models.User.count({ where: { githubId: [...byGithubId.keys()] }, transaction });
      const users = await this.#models.User.bulkCreate(
        lines.map((line) => ({ githubId: line.github_id, login: line.login, providerInfo: legacyExtras(line.provider_info) })),
        {
          conflictAttributes: ["githubId"],
          // A re-import brings a (possibly new) token: forget what was known about the old one.
          updateOnDuplicate: ["login", "providerInfo", "legacyTokenCheckedAt", "legacyTokenValid", "updatedAt"],
          returning: true,
          transaction,
        },
      );
      for (const user of users) await this.#sealToken(user, byGithubId.get(user.githubId)!, transaction);
      return { created: lines.length - existing, updated: existing };
    });
  }

  async #sealToken(user: InstanceType<Models["User"]>, line: LegacyUserLine, transaction: Transaction): Promise<void> {
    await this.#tokenStore.saveLegacyToken(
      user,
      {
        accessToken: line.access_token,
        refreshToken: line.refresh_token ?? null,
        expiresAt: line.expires_at ? new Date(line.expires_at) : null,
      },
      transaction,
    );
  }
}

function progressOf({ read, created, updated, rejected }: ImportReport): ImportProgress {
  return { read, created, updated, rejected };
}

function legacyExtras(providerInfo: Record<string, unknown> | undefined): ProviderInfo {
  return Object.fromEntries(Object.entries(providerInfo ?? {}).filter(([key]) => !TOKEN_KEYS.has(key)));
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === "unrecognized_keys") return `unknown field ${issue.keys.map((key) => `"${key}"`).join(", ")}`;
      const field = issue.path.join(".");
      return field ? `${field} ${issue.message}` : issue.message;
    })
    .join("; ");
}

async function* parseJsonLines(
  lines: AsyncIterable<string> | Iterable<string>,
): AsyncIterable<{ line: number; value: unknown } | ImportRejection> {
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === "") continue;
    try {
      yield { line, value: JSON.parse(text) as unknown };
    } catch {
      yield { line, reason: "not valid JSON" };
    }
  }
}

/**
 * Pages through the legacy table in github-id order (keyset, so memory stays flat), reshaping each
 * row into the JSON-lines form so both sources share one validation.
 */
async function* readLegacyTable(source: DatabaseSource, pageSize: number): AsyncIterable<{ line: number; value: unknown }> {
  const client = new pg.Client({ connectionString: source.url });
  await client.connect();
  try {
    const id = client.escapeIdentifier(source.githubIdColumn ?? "github_id");
    const login = client.escapeIdentifier(source.loginColumn ?? "login");
    const info = client.escapeIdentifier(source.providerInfoColumn ?? "provider_info");
    const table = source.table
      .split(".")
      .map((part) => client.escapeIdentifier(part))
      .join(".");
    let after: string | null = null;
    let position = 0;
    for (;;) {
      const page: pg.QueryResult<{ github_id: string; login: unknown; provider_info: unknown }> = await client.query(
        `SELECT ${id}::text AS github_id, ${login} AS login, ${info}::jsonb AS provider_info
           FROM ${table}
          WHERE ($1::numeric IS NULL OR ${id}::numeric > $1::numeric)
          ORDER BY ${id}::numeric
          LIMIT $2`,
        [after, pageSize],
      );
      for (const row of page.rows) {
        position += 1;
        yield { line: position, value: lineFromRow(row) };
      }
      if (page.rows.length < pageSize) return;
      after = page.rows[page.rows.length - 1]!.github_id;
    }
  } finally {
    await client.end();
  }
}

function lineFromRow(row: { github_id: string; login: unknown; provider_info: unknown }): Record<string, unknown> {
  const info = row.provider_info && typeof row.provider_info === "object" ? (row.provider_info as Record<string, unknown>) : {};
  const { access_token, refresh_token, expires_at, ...rest } = info;
  return {
    github_id: Number(row.github_id),
    login: row.login,
    access_token,
    ...(refresh_token === undefined || refresh_token === null ? {} : { refresh_token }),
    ...(expires_at === undefined || expires_at === null ? {} : { expires_at }),
    provider_info: rest,
  };
}
