// `users import|show|validate`: legacy import (file or legacy database) with progress, one user's
// story, and validating a user's App token at GitHub.
import { TransientGitHubError } from "../github/errors.js";
import type { ImportReport } from "../migration/legacy-import.js";
import { UserNotFoundError } from "../users/errors.js";
import type { CliCommand } from "./command.js";
import { ACTOR_OPTION, actorFrom, CliInputError, githubIdFrom, reportingRefusals } from "./maintainer-input.js";

const REFUSALS = [UserNotFoundError, TransientGitHubError];

export const userCommands: CliCommand[] = [
  {
    name: "users import",
    summary: "Import legacy users with their OAuth tokens from a JSON-lines file or the legacy database.",
    options: {
      file: { type: "string", description: "A JSON-lines file: {github_id, login, access_token, refresh_token?, expires_at?, provider_info?}" },
      "from-database": { type: "string", description: "postgres:// URL of the legacy application's database" },
      table: { type: "string", default: "users", description: "The legacy users table (optionally schema.table)" },
      "github-id-column": { type: "string", default: "github_id", description: "Its GitHub id column" },
      "login-column": { type: "string", default: "login", description: "Its login column" },
      "provider-info-column": { type: "string", default: "provider_info", description: "Its JSONB column holding access_token" },
    },
    async run({ services, values, output }) {
      return reportingRefusals(
        output,
        async () => {
          const file = values.file;
          const url = values["from-database"];
          if ((typeof file === "string") === (typeof url === "string")) {
            throw new CliInputError("give exactly one of --file <path> or --from-database <url>");
          }
          const onProgress = (progress: Omit<ImportReport, "rejections">) =>
            output.progress(`read ${progress.read}: created ${progress.created}, updated ${progress.updated}, rejected ${progress.rejected}`);
          const report =
            typeof file === "string"
              ? await services.legacyImporter.importJsonLinesFile(file, { onProgress })
              : await services.legacyImporter.importFromDatabase(
                  {
                    url: url as string,
                    table: String(values.table),
                    githubIdColumn: String(values["github-id-column"]),
                    loginColumn: String(values["login-column"]),
                    providerInfoColumn: String(values["provider-info-column"]),
                  },
                  { onProgress },
                );
          output.line(`imported: ${report.created} created, ${report.updated} updated, ${report.rejected} rejected of ${report.read} read`);
          for (const rejection of report.rejections) output.line(`  line ${rejection.line}: ${rejection.reason}`);
          if (report.rejections.length < report.rejected) output.line(`  … and ${report.rejected - report.rejections.length} more`);
          output.json(report);
          return report.rejected > 0 ? 1 : 0;
        },
        REFUSALS,
      );
    },
  },
  {
    name: "users show",
    summary: "One user's status, history and token expiries (never token values).",
    options: { "github-id": { type: "string", description: "The user's GitHub id" } },
    async run({ services, values, output }) {
      return reportingRefusals(
        output,
        async () => {
          const detail = await services.userDirectory.detail(githubIdFrom(values["github-id"], "github-id"));
          output.line(`${detail.login} (${detail.github_id}): ${detail.status}${detail.migration_error ? ` — ${detail.migration_error}` : ""}`);
          output.line(`  App token: ${detail.app_token.stored ? `expires ${detail.app_token.expires_at ?? "never"}` : "none"}`);
          output.line(`  legacy token: ${detail.legacy_token.stored ? `stored (valid: ${detail.legacy_token.valid ?? "unchecked"})` : "none"}`);
          output.line(`  last validated: ${detail.last_validated_at ?? "never"}`);
          for (const entry of detail.history) {
            output.line(`  ${entry.at} ${entry.from ?? "—"} → ${entry.to} by ${entry.actor}${entry.batch_id ? ` (batch ${entry.batch_id})` : ""}: ${entry.reason}`);
          }
          output.json(detail);
        },
        REFUSALS,
      );
    },
  },
  {
    name: "users validate",
    summary: "Validate a user's App token at GitHub now (identity, installations, rate limit).",
    options: { "github-id": { type: "string", description: "The user's GitHub id" }, ...ACTOR_OPTION },
    async run({ services, values, output }) {
      return reportingRefusals(
        output,
        async () => {
          const { user, result } = await services.userValidator.validate(githubIdFrom(values["github-id"], "github-id"), actorFrom(values));
          output.line(`${user.login} (${user.githubId}): ${result.ok ? "valid" : `invalid — ${result.reason}`}; status ${user.tokenMigrationStatus}`);
          output.json({ github_id: user.githubId, status: user.tokenMigrationStatus, result });
          return result.ok ? 0 : 1;
        },
        REFUSALS,
      );
    },
  },
];
