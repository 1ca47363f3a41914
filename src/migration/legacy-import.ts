// Imports the legacy application's users with their OAuth tokens, from a JSON-lines file or
// straight from the legacy database's table. Every source's rows pass through one validation
// (#importRecords): tokens must have GitHub's shapes, a GitHub id may appear once per input, and
// every refusal names its line and field. An input with any refused line writes nothing unless
// `skipInvalid` is given; then the refused lines are skipped and reported. The input is read twice
// (validate, then write), so memory stays flat: writes go in chunks, idempotent by GitHub id (a
// re-import updates, never duplicates); tokens are sealed by the token store on the way in.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import pg from "pg";
import { z } from "zod";
import type { Models, ProviderInfo } from "../db/models/index.js";
import type { TokenStore } from "../tokens/token-store.js";
import { githubIdNumber, githubLogin } from "../users/input-rules.js";
import { readLegacyQuery, type LegacyQuery } from "./legacy-query-source.js";

/** Keys of provider_info the token store owns; everything else in it is kept as the legacy app had it. */
const TOKEN_KEYS = new Set(["access_token", "refresh_token", "expires_at"]);
const MAX_REPORTED_REJECTIONS = 1_000;

const isoTime = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)), {
    error: "must be an ISO 8601 time such as 2026-01-31T12:00:00Z",
  });
/** A GitHub OAuth App token: `gho_` and 36 base62 characters, or the older 40 hexadecimal characters. */
export const LEGACY_ACCESS_TOKEN = /^(gho_[A-Za-z0-9]{36}|[0-9a-f]{40})$/;
/** A GitHub refresh token: `ghr_` and base62 characters, at most 255 in all. */
export const LEGACY_REFRESH_TOKEN = /^ghr_[A-Za-z0-9]{20,251}$/;

const accessToken = z
  .string({ error: "must be a string" })
  .regex(LEGACY_ACCESS_TOKEN, { error: "is not a GitHub OAuth token (gho_ and 36 letters or digits, or 40 hexadecimal characters)" });
const refreshToken = z.string({ error: "must be a string" }).regex(LEGACY_REFRESH_TOKEN, { error: "is not a GitHub refresh token (ghr_ and letters or digits)" });

const legacyUserLine = z.strictObject({
  github_id: githubIdNumber,
  login: githubLogin,
  access_token: accessToken,
  refresh_token: refreshToken.nullish(),
  expires_at: isoTime.nullish(),
  provider_info: z.record(z.string(), z.unknown()).optional(),
});
type LegacyUserLine = z.infer<typeof legacyUserLine>;

export interface ImportRejection {
  /** The line of the file (1-based), or the row's position in the table's scan. */
  line: number;
  /** The field refused (github_id, access_token, …); absent when the line as a whole is (not JSON). */
  field?: string;
  reason: string;
}

export interface ImportProgress {
  read: number;
  created: number;
  updated: number;
  rejected: number;
}

export interface ImportReport extends ImportProgress {
  /** False when refused lines stopped the import (no skipInvalid): then nothing was written. */
  written: boolean;
  /** True when refused lines were skipped (skipInvalid) and the rest written. */
  skipped_invalid: boolean;
  /** The first rejections, each with its line, field and the reason; `rejected` counts them all. */
  rejections: ImportRejection[];
}

interface ImportOptions {
  onProgress?: (progress: ImportProgress) => void;
  /** Write the valid lines even when some are refused (they are skipped and reported). */
  skipInvalid?: boolean;
}

/** One row of any source, before validation: its line (or position) and its value, or why it could not be read. */
type LegacyRecord = { line: number; value: unknown } | { line: number; reason: string };

/** A source is read twice (validate, then write): each call starts it over. */
type LegacyRecordSource = () => AsyncIterable<LegacyRecord>;

export interface QueryImportOptions extends ImportOptions {
  /** Told how many rows the query answers, before the first is imported. */
  onTotal?: (total: number) => void;
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

  /** One user per line (JSON); blank lines are skipped. The lines are read twice. */
  async importJsonLines(lines: readonly string[], options: ImportOptions = {}): Promise<ImportReport> {
    return this.#importRecords(() => parseJsonLines(lines), options);
  }

  async importJsonLinesFile(filePath: string, options: ImportOptions = {}): Promise<ImportReport> {
    return this.#importRecords(() => readJsonLinesFile(filePath), options);
  }

  async importFromDatabase(source: DatabaseSource, options: ImportOptions = {}): Promise<ImportReport> {
    return this.#importRecords(() => readLegacyTable(source, this.#chunkSize), options);
  }

  /** Rows of the application's own SQL query, on PostgreSQL or MySQL/MariaDB (legacy-query-source.ts); run once per pass. */
  async importFromQuery(source: LegacyQuery, options: QueryImportOptions = {}): Promise<ImportReport> {
    return this.#importRecords(() => readLegacyQuery(source, { pageSize: this.#chunkSize, onTotal: options.onTotal }), options);
  }

  /**
   * The one validation every source passes through. First pass: every row is checked and every
   * GitHub id remembered with its line, writing nothing. Refused lines without skipInvalid end it
   * there. Second pass: the valid lines are written in chunks; a row that no longer matches what
   * the first pass saw (the source changed in between) is refused and not written.
   */
  async #importRecords(source: LegacyRecordSource, { onProgress, skipInvalid = false }: ImportOptions): Promise<ImportReport> {
    const report: ImportReport = { read: 0, created: 0, updated: 0, rejected: 0, written: false, skipped_invalid: false, rejections: [] };
    const refusedLines = new Set<number>();
    const reject = (rejection: ImportRejection) => {
      refusedLines.add(rejection.line);
      report.rejected += 1;
      if (report.rejections.length < MAX_REPORTED_REJECTIONS) report.rejections.push(rejection);
    };
    const lineOfGithubId = new Map<number, number>();
    for await (const record of source()) {
      report.read += 1;
      const checked = checkRecord(record);
      if ("rejections" in checked) {
        for (const rejection of checked.rejections) reject(rejection);
        continue;
      }
      const first = lineOfGithubId.get(checked.data.github_id);
      if (first === undefined) {
        lineOfGithubId.set(checked.data.github_id, record.line);
        continue;
      }
      // Which of the two tokens is the live one cannot be known: both lines are refused.
      const reason = `github_id ${checked.data.github_id} appears on lines ${first} and ${record.line}`;
      if (!refusedLines.has(first)) reject({ line: first, field: "github_id", reason });
      reject({ line: record.line, field: "github_id", reason });
    }
    report.rejections.sort((a, b) => a.line - b.line);
    if (report.rejected > 0 && !skipInvalid) {
      onProgress?.(progressOf(report));
      return report;
    }
    report.skipped_invalid = report.rejected > 0;
    await this.#writeValid(source, refusedLines, lineOfGithubId, report, onProgress);
    report.written = true;
    onProgress?.(progressOf(report));
    return report;
  }

  async #writeValid(
    source: LegacyRecordSource,
    refusedLines: Set<number>,
    lineOfGithubId: Map<number, number>,
    report: ImportReport,
    onProgress: ImportOptions["onProgress"],
  ): Promise<void> {
    let chunk: ValidRecord[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const { created, updated } = await this.#writeChunk(chunk);
      report.created += created;
      report.updated += updated;
      chunk = [];
      onProgress?.(progressOf(report));
    };
    for await (const record of source()) {
      if (refusedLines.has(record.line)) continue;
      const checked = checkRecord(record);
      if ("rejections" in checked || lineOfGithubId.get(checked.data.github_id) !== record.line) {
        report.rejected += 1;
        report.rejections.push({ line: record.line, reason: "the row changed while it was being imported; not written" });
        continue;
      }
      chunk.push({ line: record.line, data: checked.data });
      if (chunk.length >= this.#chunkSize) await flush();
    }
    await flush();
  }

  async #writeChunk(records: ValidRecord[]): Promise<{ created: number; updated: number }> {
    const byGithubId = new Map(records.map((record) => [record.data.github_id, record.data]));
    const lines = [...byGithubId.values()];
    return this.#models.sequelize.transaction(async (transaction) => {
      const existing = await this.#models.User.count({ where: { githubId: [...byGithubId.keys()] }, transaction });
      // Tokens are sealed before the write (a sealed value is bound to the GitHub id alone), so a
      // chunk is one INSERT … ON CONFLICT, not one UPDATE per user.
      await this.#models.User.bulkCreate(
        lines.map((line) => ({
          githubId: line.github_id,
          login: line.login,
          providerInfo: this.#tokenStore.withLegacyToken(line.github_id, legacyExtras(line.provider_info), {
            accessToken: line.access_token,
            refreshToken: line.refresh_token ?? null,
            expiresAt: line.expires_at ? new Date(line.expires_at) : null,
          }),
        })),
        {
          conflictAttributes: ["githubId"],
          // A re-import brings a (possibly new) token: forget what was known about the old one.
          updateOnDuplicate: ["login", "providerInfo", "legacyTokenCheckedAt", "legacyTokenValid", "updatedAt"],
          transaction,
        },
      );
      return { created: lines.length - existing, updated: existing };
    });
  }
}

function progressOf({ read, created, updated, rejected }: ImportReport): ImportProgress {
  return { read, created, updated, rejected };
}

function legacyExtras(providerInfo: Record<string, unknown> | undefined): ProviderInfo {
  return Object.fromEntries(Object.entries(providerInfo ?? {}).filter(([key]) => !TOKEN_KEYS.has(key)));
}

/** A row's verdict: its data, or one rejection per refused field (each naming line and field). */
function checkRecord(record: LegacyRecord): { data: LegacyUserLine } | { rejections: ImportRejection[] } {
  if ("reason" in record) return { rejections: [{ line: record.line, reason: record.reason }] };
  if (typeof record.value !== "object" || record.value === null || Array.isArray(record.value)) {
    return { rejections: [{ line: record.line, reason: "must be a JSON object" }] };
  }
  const parsed = legacyUserLine.safeParse(record.value);
  if (parsed.success) return { data: parsed.data };
  return {
    rejections: parsed.error.issues.map((issue): ImportRejection => {
      if (issue.code === "unrecognized_keys") {
        return { line: record.line, field: issue.keys.join(", "), reason: `unknown field ${issue.keys.map((key) => `"${key}"`).join(", ")}` };
      }
      const field = issue.path.join(".");
      const missing = issue.code === "invalid_type" && (record.value as Record<string, unknown>)[String(issue.path[0])] === undefined;
      return { line: record.line, field, reason: `${field} ${missing ? "is missing" : issue.message}` };
    }),
  };
}

async function* parseJsonLines(lines: Iterable<string> | AsyncIterable<string>): AsyncIterable<LegacyRecord> {
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

async function* readJsonLinesFile(filePath: string): AsyncIterable<LegacyRecord> {
  const lines = createInterface({ input: createReadStream(filePath, { encoding: "utf8" }), crlfDelay: Infinity });
  try {
    yield* parseJsonLines(lines);
  } finally {
    lines.close();
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
