// `users import|list|show|validate`: legacy import (file or legacy database) with progress, finding
// users (the console's search), one user's story, and validating a user's App token at GitHub.
import { readFileSync } from "node:fs";
import type { DatabaseSource, ImportProgress } from "../migration/legacy-import.js";
import type { LegacyQuery } from "../migration/legacy-query-source.js";
import { userListQuery } from "../migration/user-search-query.js";
import type { CliCommand, CliOptionValues } from "./command.js";
import { CliInputError, EXIT_FAILED } from "./failures.js";
import { ACTOR_OPTION, actorFrom, githubIdOfUser, USER_OPTIONS } from "./maintainer-input.js";

/** `users list`'s options, named as the admin API's query parameters they are (--query is `q`). */
const LIST_OPTIONS = { query: "q", status: "status", failure: "failure", sort: "sort", cursor: "cursor", limit: "limit" } as const;

/** The search the options ask for, through the admin API's own query rules; a refusal names the option. */
function userSearchFrom(values: CliOptionValues) {
  const query = Object.fromEntries(
    Object.entries(LIST_OPTIONS).flatMap(([option, parameter]) => (typeof values[option] === "string" ? [[parameter, values[option]]] : [])),
  );
  const parsed = userListQuery.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const parameter = String(issue.path[0] ?? "");
  const option = Object.entries(LIST_OPTIONS).find(([, name]) => name === parameter)?.[0] ?? parameter;
  throw new CliInputError(`--${option} ${issue.message}`);
}

const TABLE_OPTIONS = ["table", "github-id-column", "login-column", "provider-info-column"] as const;

/** Lines in a JSON-lines file, for the import's progress bar (the file is read again by the import). */
function countLines(file: string): number | undefined {
  try {
    return readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "").length;
  } catch {
    return undefined;
  }
}

/** Exactly one source: a file, an SQL query on the legacy database, or its plan-shaped table. */
function importSourceFrom(values: CliOptionValues): { file: string } | LegacyQuery | DatabaseSource {
  const { file, query } = values;
  const url = values["from-database"];
  const tableOptions = TABLE_OPTIONS.filter((option) => values[option] !== undefined);
  if ((typeof file === "string") === (typeof url === "string")) throw new CliInputError("give exactly one of --file <path> or --from-database <url>");
  if (typeof file === "string") {
    const stray = [...(typeof query === "string" ? ["query"] : []), ...tableOptions];
    if (stray.length > 0) throw new CliInputError(`--${stray[0]} goes with --from-database, not --file`);
    return { file };
  }
  if (typeof query === "string") {
    if (tableOptions.length > 0) throw new CliInputError(`give either --query or --${tableOptions[0]}, not both`);
    return { url: url as string, query };
  }
  if (!/^postgres(ql)?:/i.test(url as string)) {
    throw new CliInputError("--from-database with a mysql:// or mariadb:// URL needs --query (--table reads a PostgreSQL JSONB column)");
  }
  return {
    url: url as string,
    table: String(values.table ?? "users"),
    githubIdColumn: String(values["github-id-column"] ?? "github_id"),
    loginColumn: String(values["login-column"] ?? "login"),
    providerInfoColumn: String(values["provider-info-column"] ?? "provider_info"),
  };
}

export const userCommands: CliCommand[] = [
  {
    name: "users import",
    summary: "Import legacy users with their OAuth tokens from a JSON-lines file or the legacy database.",
    options: {
      file: { type: "string", description: "A JSON-lines file: {github_id, login, access_token, refresh_token?, expires_at?, provider_info?}" },
      "from-database": { type: "string", description: "URL of the legacy application's database: postgres://, postgresql://, mysql:// or mariadb://" },
      query: {
        type: "string",
        description: "With --from-database: a SELECT answering github_id, login, access_token[, refresh_token, expires_at] (run read-only)",
      },
      table: { type: "string", description: "With a postgres:// --from-database instead of --query: the users table, shaped like the plan's (default users)" },
      "github-id-column": { type: "string", description: "With --table: its GitHub id column (default github_id)" },
      "login-column": { type: "string", description: "With --table: its login column (default login)" },
      "provider-info-column": { type: "string", description: "With --table: its JSONB column holding access_token (default provider_info)" },
      "skip-invalid": { type: "boolean", default: false, description: "Import the valid lines even when some are refused (each refused line is reported)" },
    },
    async run({ services, values, output }) {
      const source = importSourceFrom(values);
      const skipInvalid = values["skip-invalid"] === true;
      let total = "file" in source ? countLines(source.file) : undefined;
      const onProgress = (progress: ImportProgress) =>
        output.progress(`read ${progress.read}: created ${progress.created}, updated ${progress.updated}, rejected ${progress.rejected}`, {
          done: progress.read,
          total,
        });
      const report =
        "file" in source
          ? await services.legacyImporter.importJsonLinesFile(source.file, { onProgress, skipInvalid })
          : "query" in source
            ? await services.legacyImporter.importFromQuery(source, { onProgress, skipInvalid, onTotal: (count) => (total = count) })
            : await services.legacyImporter.importFromDatabase(source, { onProgress, skipInvalid });
      output.line(
        report.written
          ? `imported: ${report.created} created, ${report.updated} updated, ${report.rejected} skipped of ${report.read} read`
          : `nothing imported: ${report.rejected} of ${report.read} lines refused; fix them, or pass --skip-invalid to import the rest`,
      );
      for (const rejection of report.rejections) output.line(`  line ${rejection.line}: ${rejection.reason}`);
      if (report.rejections.length < report.rejected) output.line(`  … and ${report.rejected - report.rejections.length} more`);
      output.json(report);
      if (!report.written) return 2;
      return report.rejected > 0 ? EXIT_FAILED : 0;
    },
  },
  {
    name: "users list",
    summary: "Find users: by the start of a login or a GitHub id, by status or refresh failure class, a page at a time.",
    options: {
      query: { type: "string", description: "The start of a login (any case), or a GitHub id" },
      status: { type: "string", description: "Only users in this migration status" },
      failure: { type: "string", description: "Only users whose last refresh failed for good with this class" },
      sort: { type: "string", description: "id (registration order, the default), newest or oldest (by last change)" },
      cursor: { type: "string", description: "The next page: the cursor the previous page printed, with the same options" },
      limit: { type: "string", description: "Users per page, 1-500 (default 50)" },
    },
    async run({ services, values, output }) {
      const page = await services.userDirectory.search(userSearchFrom(values));
      if (page.users.length === 0) output.line("No user matches.");
      for (const user of page.users) {
        const failure = user.refresh_failure_class ? `, refresh failed: ${user.refresh_failure_class}` : "";
        output.line(`${user.login} (${user.github_id}): ${user.status}${failure}, last change ${user.updated_at}`);
      }
      if (page.next_cursor) output.line(`More: --cursor ${page.next_cursor}`);
      output.json(page);
    },
  },
  {
    name: "users show",
    summary: "One user's status, history and token expiries (never token values).",
    options: USER_OPTIONS,
    async run({ services, values, output }) {
      const detail = await services.userDirectory.detail(await githubIdOfUser(values, services));
      output.line(`${detail.login} (${detail.github_id}): ${detail.status}${detail.migration_error ? ` — ${detail.migration_error}` : ""}`);
      output.line(`  App token: ${detail.app_token.stored ? `expires ${detail.app_token.expires_at ?? "never"}` : "none"}`);
      const { refresh_in_flight: inFlight, in_doubt_since: inDoubtSince, refresh_failure_class: failureClass } = detail.app_token;
      if (inFlight) output.line(`  refresh in flight on ${inFlight.instance ?? "an unknown instance"} since ${inFlight.started_at}, lease until ${inFlight.lease_until}`);
      if (inDoubtSince) output.line(`  in doubt since ${inDoubtSince}: the App token is not served until one attempt settles it`);
      if (failureClass) output.line(`  last refresh failure: ${failureClass} at ${detail.app_token.refresh_failed_at}${detail.app_token.last_refresh_error ? ` — ${detail.app_token.last_refresh_error}` : ""}`);
      output.line(`  legacy token: ${detail.legacy_token.stored ? `stored (valid: ${detail.legacy_token.valid ?? "unchecked"})` : "none"}`);
      output.line(`  last validated: ${detail.last_validated_at ?? "never"}`);
      for (const entry of detail.history) {
        output.line(`  ${entry.at} ${entry.from ?? "—"} → ${entry.to} by ${entry.actor}${entry.batch_id ? ` (batch ${entry.batch_id})` : ""}: ${entry.reason}`);
      }
      output.json(detail);
    },
  },
  {
    name: "users validate",
    summary: "Validate a user's App token at GitHub now (identity, installations, rate limit).",
    options: { ...USER_OPTIONS, ...ACTOR_OPTION },
    async run({ services, values, output }) {
      const { user, result } = await services.userValidator.validate(await githubIdOfUser(values, services), actorFrom(values));
      output.line(`${user.login} (${user.githubId}): ${result.ok ? "valid" : `invalid — ${result.reason}`}; status ${user.tokenMigrationStatus}`);
      output.json({ github_id: user.githubId, status: user.tokenMigrationStatus, result });
      return result.ok ? 0 : EXIT_FAILED;
    },
  },
];
