// Admin API for users: find them (login prefix or id, status, refresh failure class), one user's story (never a token value), validate, roll back
// and re-enable one user, and the legacy import (JSON lines within the body limit; larger files go
// through the CLI).
import { Hono } from "hono";
import { z } from "zod";
import { MIGRATION_STATUSES, REFRESH_FAILURE_CLASSES } from "../db/models/index.js";
import type { LegacyImporter } from "../migration/legacy-import.js";
import type { MigrationRollback } from "../migration/rollback.js";
import type { UserDetail, UserDirectory } from "../migration/user-directory.js";
import type { UserValidator } from "../migration/validation.js";
import { ADMIN_API_PREFIX, actorOf, describeAdminRoute, requireAdmin, type AdminAccess } from "./admin-request.js";
import { errorBody, jsonAnswer, timestamp } from "./api-description.js";
import { githubIdParam, validInput } from "./input.js";
import { userListQuery } from "../migration/user-search-query.js";
import { HttpError } from "./errors.js";

const importQuery = z.strictObject(
  { skip_invalid: z.enum(["true", "false"], { error: "skip_invalid must be true or false" }).optional() },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown query parameter: ${issue.keys.join(", ")}` : undefined) },
);

const reasonRequest = z.strictObject({
  reason: z.string().trim().min(1).max(500).optional().meta({ description: "Why, for the audit trail" }),
});
const JSON_LINES_TYPES = ["text/plain", "application/x-ndjson", "application/jsonl"] as const;

const migrationStatusJson = z.enum(MIGRATION_STATUSES).meta({ id: "MigrationStatus" });
const refreshFailureClassJson = z
  .enum(REFRESH_FAILURE_CLASSES)
  .meta({ id: "RefreshFailureClass", description: "Why the last refresh failed for good (lost_race, interrupted, revoked, refresh_token_expired, installation_or_account_gone, unknown)" });

const userSummaryJson = z
  .object({
    github_id: z.number().int(),
    login: z.string(),
    status: migrationStatusJson,
    migration_error: z.string().nullable(),
    migrated_at: timestamp.nullable(),
    last_validated_at: timestamp.nullable(),
    refresh_failure_class: refreshFailureClassJson.nullable(),
    updated_at: timestamp.meta({ description: "The last change (a status move, a refresh, a sign-in): what sort=newest|oldest orders by" }),
  })
  .meta({ id: "UserSummary" });

const userPageJson = z.object({
  users: z.array(userSummaryJson),
  next_cursor: z.string().nullable().meta({ description: "Pass back as cursor for the next page; null on the last one" }),
});

const validationResultJson = z
  .object({
    ok: z.boolean(),
    checked_at: timestamp,
    reason: z.string().optional().meta({ description: "Why it failed; absent when ok" }),
    identity: z.object({ expected_github_id: z.number().int(), github_id: z.number().int(), login: z.string() }).optional(),
    installations: z.object({ reachable: z.number().int(), ids: z.array(z.number().int()) }).optional(),
    rate_limit: z.object({ remaining: z.number().int(), reset_at: timestamp }).nullable().optional(),
  })
  .meta({ id: "ValidationResult" });

const userDetailJson = userSummaryJson
  .extend({
    app_token: z.object({
      stored: z.boolean(),
      expires_at: timestamp.nullable(),
      refresh_token_expires_at: timestamp.nullable(),
      refreshed_at: timestamp.nullable(),
      refresh_failure_count: z.number().int(),
      next_refresh_attempt_at: timestamp.nullable(),
      last_refresh_error: z.string().nullable(),
      refresh_failure_class: refreshFailureClassJson.nullable(),
      refresh_failed_at: timestamp.nullable(),
      in_doubt_since: timestamp.nullable().meta({ description: "Since when a refresh may have rotated the pair unseen; the token is not served until settled" }),
      refresh_in_flight: z
        .object({ instance: z.string().nullable(), started_at: timestamp.nullable(), lease_until: timestamp.nullable() })
        .nullable()
        .meta({ description: "A refresh committed and not yet ended: which instance, since when, and until when others wait" }),
    }),
    legacy_token: z.object({
      stored: z.boolean(),
      has_refresh_token: z.boolean(),
      expires_at: timestamp.nullable(),
      checked_at: timestamp.nullable(),
      valid: z.boolean().nullable(),
    }),
    last_validation_result: validationResultJson.nullable(),
    installation_ids: z.array(z.number().int()),
    history: z.array(
      z.object({
        at: timestamp,
        from: migrationStatusJson.nullable(),
        to: migrationStatusJson,
        reason: z.string(),
        actor: z.string(),
        batch_id: z.number().int().nullable(),
      }),
    ),
    created_at: timestamp,
  })
  .meta({ id: "UserDetail", description: "A user's status, history and expiries; never a token value" });

const validatedJson = z.object({ github_id: z.number().int(), status: migrationStatusJson, result: validationResultJson });

const importReportFields = {
  read: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  rejected: z.number().int(),
  written: z.boolean().meta({ description: "False when refused lines stopped the import (no skip_invalid): nothing was written" }),
  skipped_invalid: z.boolean().meta({ description: "True when refused lines were skipped (skip_invalid=true) and the rest written" }),
  rejections: z
    .array(z.object({ line: z.number().int(), field: z.string().optional(), reason: z.string() }))
    .meta({ description: "The first rejections, each with its line, field and why; rejected counts them all" }),
};
const importReportJson = z.object(importReportFields).meta({ id: "ImportReport" });
const importRefusedJson = errorBody.extend(importReportFields).meta({ id: "ImportRefused" });

/** The status machine's refusal: `illegal_transition` names the two statuses; `conflict` does not. */
const statusRefusalJson = z
  .union([errorBody.extend({ from: migrationStatusJson.nullable(), to: migrationStatusJson }), errorBody])
  .meta({ id: "StatusRefusal" });

const emptyRequest = z.strictObject({});

/** The directory's detail, checked against the documented shape by the compiler. */
function userDetailOf(detail: UserDetail): z.input<typeof userDetailJson> {
  // Stored as the validator wrote it (a ValidationResult), read back from a JSON column.
  return { ...detail, last_validation_result: detail.last_validation_result as z.input<typeof validationResultJson> | null };
}

const USER_ERRORS = { 400: "`invalid_request`: the message names the field or parameter", 404: "`user_not_found`: no user with this GitHub id" };

interface AdminUsersRoutesOptions {
  access: AdminAccess;
  directory: UserDirectory;
  validator: UserValidator;
  rollback: MigrationRollback;
  importer: LegacyImporter;
}

export function adminUsersRoutes({ access, directory, validator, rollback, importer }: AdminUsersRoutesOptions): Hono {
  const routes = new Hono().basePath(`${ADMIN_API_PREFIX}/users`);
  routes.use("*", requireAdmin(access));

  routes.get(
    "/",
    describeAdminRoute({
      tag: "admin: users",
      summary: "Users: found by login prefix or GitHub id, by status, by refresh failure class; keyset pages in id order or by last change",
      answers: { 200: jsonAnswer("A page of users", userPageJson) },
      errors: { 400: "`invalid_request`: the message names the query parameter; a cursor that is not ours, or one read in another sort" },
    }),
    validInput("query", userListQuery),
    async (c) => c.json((await directory.search(c.req.valid("query"))) satisfies z.input<typeof userPageJson>),
  );

  routes.post(
    "/import",
    describeAdminRoute({
      tag: "admin: users",
      summary: "Import legacy users (JSON lines within the 64 KiB body limit; larger files through the CLI)",
      requestBody: {
        required: true,
        description: "One user a line: {github_id, login, access_token, refresh_token?, expires_at?, provider_info?}",
        content: Object.fromEntries(JSON_LINES_TYPES.map((type) => [type, { schema: { type: "string" } }])),
      },
      answers: { 200: jsonAnswer("What was created, updated and rejected (each rejected line with why)", importReportJson) },
      errors: {
        400: { description: "`invalid_request`: no line could be imported; the report says which lines and why", schema: importRefusedJson },
        413: "`payload_too_large`: the body is over 64 KiB",
        415: "`unsupported_media_type`: not sent as JSON lines",
      },
    }),
    validInput("query", importQuery),
    async (c) => {
      const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (!(JSON_LINES_TYPES as readonly string[]).includes(type)) {
        throw new HttpError(415, "unsupported_media_type", "Send JSON lines as text/plain or application/x-ndjson.");
      }
      const { skip_invalid: skipInvalid } = c.req.valid("query");
      const report = await importer.importJsonLines((await c.req.text()).split("\n"), { skipInvalid: skipInvalid === "true" });
      if (!report.written) {
        // A refusal answers `{error, message}` like every other 400; the report still says which lines and fields, and why.
        const message = `${report.rejected} of ${report.read} lines refused; nothing was written. Fix them, or send ?skip_invalid=true to import the rest.`;
        const refusal = { error: "invalid_request", message, ...report };
        return c.json(refusal satisfies z.input<typeof importRefusedJson>, 400);
      }
      return c.json(report satisfies z.input<typeof importReportJson>, 200);
    },
  );

  routes.get(
    "/:github_id",
    describeAdminRoute({
      tag: "admin: users",
      summary: "A user's status, history and expiries (never token values)",
      answers: { 200: jsonAnswer("The user", userDetailJson) },
      errors: USER_ERRORS,
    }),
    validInput("param", githubIdParam),
    async (c) => c.json(userDetailOf(await directory.detail(c.req.valid("param").github_id))),
  );

  routes.post(
    "/:github_id/validate",
    describeAdminRoute({
      tag: "admin: users",
      summary: "Validate the user's App token at GitHub now (GET /user and /user/installations, refreshing first if due)",
      records: true,
      answers: { 200: jsonAnswer("The user's status after validating, and the result", validatedJson) },
      errors: {
        ...USER_ERRORS,
        409: { description: "`illegal_transition` or `conflict`: the status machine refused the outcome", schema: statusRefusalJson },
        503: {
          description: "`github_unavailable`: GitHub could not answer just now; or `database_unavailable`",
          headers: { "Retry-After": "Seconds to wait" },
        },
      },
    }),
    validInput("param", githubIdParam),
    validInput("json", emptyRequest),
    async (c) => {
      const { user, result } = await validator.validate(c.req.valid("param").github_id, actorOf(c));
      return c.json({ github_id: user.githubId, status: user.tokenMigrationStatus, result } satisfies z.input<typeof validatedJson>);
    },
  );

  routes.post(
    "/:github_id/rollback",
    describeAdminRoute({
      tag: "admin: users",
      summary: "Roll one user back: their legacy OAuth token is served at once; nothing is deleted",
      records: true,
      answers: { 200: jsonAnswer("The user after the rollback", userDetailJson) },
      errors: { ...USER_ERRORS, 409: { description: "`illegal_transition`: already rolled back; or `conflict`", schema: statusRefusalJson } },
    }),
    validInput("param", githubIdParam),
    validInput("json", reasonRequest),
    async (c) => {
      const { github_id: githubId } = c.req.valid("param");
      await rollback.rollbackUser(githubId, { actor: actorOf(c), reason: c.req.valid("json").reason });
      return c.json(userDetailOf(await directory.detail(githubId)));
    },
  );

  routes.post(
    "/:github_id/reenable",
    describeAdminRoute({
      tag: "admin: users",
      summary: "Re-enable a rolled-back user (back to pending, so the next batch takes them)",
      records: true,
      answers: { 200: jsonAnswer("The user after re-enabling", userDetailJson) },
      errors: { ...USER_ERRORS, 409: { description: "`illegal_transition`: not rolled back; or `conflict`", schema: statusRefusalJson } },
    }),
    validInput("param", githubIdParam),
    validInput("json", reasonRequest),
    async (c) => {
      const { github_id: githubId } = c.req.valid("param");
      await rollback.reenableUser(githubId, { actor: actorOf(c), reason: c.req.valid("json").reason });
      return c.json(userDetailOf(await directory.detail(githubId)));
    },
  );

  return routes;
}
