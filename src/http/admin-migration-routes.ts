// Admin API for the migration as a whole: the summary, the trends, batches (start, progress), global
// rollback and re-enable, and the legacy cleanup.
import { Hono } from "hono";
import { z } from "zod";
import { MIGRATION_STATUSES } from "../db/models/index.js";
import type { BatchView, MigrationBatches } from "../migration/batches.js";
import { CLEANUP_CONFIRMATION, type LegacyCleanup } from "../migration/cleanup.js";
import { FLAG_NAMES, type FeatureFlags, type FlagChange, type FlagName } from "../users/flags.js";
import { migrationOverview } from "../migration/overview.js";
import type { MigrationRollback } from "../migration/rollback.js";
import { ACTIVITY_HOURS, STATUS_DAYS_SHOWN, type CampaignTrends, type FallbackFigures, type TrendsView } from "../migration/trends.js";
import { FALLBACK_REASONS } from "../tokens/resolution.js";
import { RESOLUTION_TYPES } from "../tokens/token-activity.js";
import { REFRESH_OUTCOMES } from "../tokens/token-metrics.js";
import type { Models } from "../db/models/index.js";
import { batchSize, positiveIdText } from "../users/input-rules.js";
import { ADMIN_API_PREFIX, actorOf, describeAdminRoute, requireAdmin, type AdminAccess } from "./admin-request.js";
import { jsonAnswer, timestamp } from "./api-description.js";
import { validInput } from "./input.js";

const batchRequest = z.strictObject({
  size: batchSize.optional().meta({ description: "Users to claim; default: the user_migration_batch_size flag" }),
  dry_run: z.boolean().optional().meta({ description: "Count what would happen; change nothing (default false)" }),
});

const batchIdParam = z.object({ id: positiveIdText("batch id") });

const cleanupRequest = z
  .strictObject({
    dry_run: z.boolean().default(true),
    confirm: z.literal(CLEANUP_CONFIRMATION, { error: `confirm must be "${CLEANUP_CONFIRMATION}"` }).optional(),
    validated_within_days: z.number().int().min(1).max(365).optional().meta({ description: "Only users whose App token validated within this many days (default 7)" }),
  })
  .refine((body) => body.dry_run || body.confirm === CLEANUP_CONFIRMATION, {
    error: `acting (dry_run false) needs "confirm": "${CLEANUP_CONFIRMATION}"`,
    path: ["confirm"],
  });

const emptyRequest = z.strictObject({});

export const flagNameJson = z.enum(FLAG_NAMES).meta({ id: "FlagName" });

export const batchJsonSchema = z
  .object({
    id: z.number().int(),
    requested_by: z.string().meta({ description: "A maintainer's login, admin-api or cli" }),
    size: z.number().int(),
    dry_run: z.boolean(),
    state: z.enum(["running", "paused", "finished", "finished_with_errors", "failed"]).meta({ description: "paused: the rollout guard holds it until cleared; finished_with_errors: some users errored (see user_errors); failed: every user errored, or the batch stopped" }),
    stale: z.boolean().meta({ description: "Still running but no heartbeat for a while: its instance probably stopped" }),
    counts: z.record(z.string(), z.number()).meta({
      description:
        "claimed, migrated, consent_required, failed, deferred, skipped, errors, legacy_token_valid/dead/unchecked; " +
        "dry runs: candidates, would_validate, would_require_consent, would_check_legacy_token",
    }),
    error: z.string().nullable(),
    user_errors: z
      .array(z.object({ github_id: z.number().int(), login: z.string(), error: z.string() }))
      .meta({ description: "Users whose migration errored in this batch (at most 100), with why; tokens masked" }),
    started_at: timestamp,
    heartbeat_at: timestamp,
    finished_at: timestamp.nullable(),
  })
  .meta({ id: "Batch" });

export const flagChangeJsonSchema = z
  .object({
    name: flagNameJson,
    old_value: z.unknown().meta({ description: "The flag's JSON value before" }),
    new_value: z.unknown().meta({ description: "The flag's JSON value after" }),
    changed_by: z.string(),
    changed_at: timestamp,
  })
  .meta({ id: "FlagChange" });

/** A count under each of these names. */
function countsJson(names: readonly string[]) {
  return z.object(Object.fromEntries(names.map((name) => [name, z.number().int()])));
}

const fallbackWindowJson = z.object({
  since: timestamp.meta({ description: "The window's start, on an hour; it runs to now" }),
  by_reason: countsJson(FALLBACK_REASONS),
  total: z.number().int(),
});

const fallbackFiguresJsonSchema = z
  .object({ this_hour: fallbackWindowJson, last_24_hours: fallbackWindowJson })
  .meta({ id: "FallbackFigures", description: "Legacy OAuth tokens served instead of App tokens by every instance (flushed every 5 s), by reason" });

const trendsJsonSchema = z
  .object({
    generated_at: timestamp.meta({ description: "The database's clock when the figures were read" }),
    status_days: z
      .array(
        z.object({
          day: z.string().meta({ format: "date", description: "The UTC day" }),
          users: countsJson(MIGRATION_STATUSES).meta({ description: "Users in each status at the end of the day (now, for today)" }),
          migrated: z.number().int().meta({ description: "Moves to migrated that day: first migrations and recoveries" }),
        }),
      )
      .meta({ description: `One per day from the campaign's first (at most the last ${STATUS_DAYS_SHOWN}), oldest first; the last is today` }),
    activity_hours: z
      .array(
        z.object({
          hour: timestamp.meta({ description: "The hour's start" }),
          resolutions: countsJson(RESOLUTION_TYPES).meta({ description: "Token resolutions the application asked for, by answer (the account page's are not counted)" }),
          fallbacks: countsJson(FALLBACK_REASONS).meta({ description: "OAuth tokens served, by why the App token was not" }),
          refreshes: countsJson(REFRESH_OUTCOMES).meta({ description: "Refreshes at GitHub, by outcome" }),
          reauth_required: z.number().int().meta({ description: "Users moved to reauth_required by a refresh that failed for good" }),
        }),
      )
      .meta({ description: `The last ${ACTIVITY_HOURS} hours, oldest first; the last is the current hour, still counting` }),
    fallbacks: fallbackFiguresJsonSchema,
  })
  .meta({ id: "Trends" });

const overviewJson = z
  .object({
    total_users: z.number().int(),
    by_status: z.object(Object.fromEntries(MIGRATION_STATUSES.map((status) => [status, z.number().int()]))),
    percent_migrated: z.number().meta({ description: "Share of users migrated, one decimal" }),
    oauth_fallbacks: fallbackFiguresJsonSchema,
    // The flags' states as FeatureFlags lists them (camelCase), unlike GET /flags.
    flags: z.array(
      z.object({
        name: flagNameJson,
        value: z.unknown(),
        source: z.enum(["database", "default"]),
        updatedBy: z.string().nullable(),
        updatedAt: timestamp.nullable(),
        description: z.string(),
      }),
    ),
    recent_batches: z.array(batchJsonSchema),
  })
  .meta({ id: "MigrationOverview" });

const batchStartedJson = z.object({
  batch_id: z.number().int(),
  state: z.literal("running"),
  href: z.string().meta({ description: "Where its progress is: GET this path" }),
});

const cleanupEntryJson = z.object({
  github_id: z.number().int(),
  login: z.string(),
  outcome: z
    .enum(["would_revoke", "revoked", "already_dead"])
    .optional()
    .meta({ description: "In cleaned: would_revoke (dry run), revoked (GitHub revoked the grant now) or already_dead (GitHub no longer had it)" }),
  reason: z.string().optional(),
});
const cleanupReportJson = z
  .object({
    dry_run: z.boolean(),
    requested_by: z.string(),
    deprecation_date: timestamp,
    validated_since: timestamp,
    cleaned: z.array(cleanupEntryJson).meta({ description: "Dry run: would be revoked and dropped. Acting: were" }),
    cleaned_count: z.number().int(),
    revoked_count: z.number().int().meta({ description: "Acting: grants GitHub revoked now" }),
    already_dead_count: z.number().int().meta({ description: "Acting: grants GitHub no longer had (a 404 under credentials it had just confirmed)" }),
    not_cleaned: z.array(cleanupEntryJson).meta({ description: "Users holding a legacy token who were left alone, each with why" }),
    not_cleaned_count: z.number().int(),
    failed: z.array(cleanupEntryJson).meta({ description: "Acting only: GitHub or the database failed for these; their legacy token is kept" }),
    failed_count: z.number().int(),
    stopped: z.string().nullable().meta({ description: "Why the run stopped before the end (the credentials went bad midway); null when it ran through" }),
  })
  .meta({ id: "CleanupReport" });

interface AdminMigrationRoutesOptions {
  access: AdminAccess;
  models: Models;
  flags: FeatureFlags;
  batches: MigrationBatches;
  rollback: MigrationRollback;
  cleanup: LegacyCleanup;
  trends: CampaignTrends;
}

export function adminMigrationRoutes({ access, models, flags, batches, rollback, cleanup, trends }: AdminMigrationRoutesOptions): Hono {
  const routes = new Hono().basePath(`${ADMIN_API_PREFIX}/migration`);
  routes.use("*", requireAdmin(access));

  routes.get(
    "/",
    describeAdminRoute({
      tag: "admin: migration",
      summary: "Users per status, percent migrated, fallbacks, flags, recent batches",
      answers: { 200: jsonAnswer("The migration at a glance", overviewJson) },
    }),
    async (c) => {
      const overview = await migrationOverview({ models, flags, batches, trends });
      return c.json({
        ...overview,
        oauth_fallbacks: fallbackFiguresJson(overview.oauth_fallbacks),
        flags: overview.flags.map((flag) => ({ ...flag, updatedAt: flag.updatedAt?.toISOString() ?? null })),
        recent_batches: overview.recent_batches.map(batchJson),
      } satisfies z.input<typeof overviewJson>);
    },
  );

  routes.get(
    "/trends",
    describeAdminRoute({
      tag: "admin: migration",
      summary: "Users per status per day over the campaign; resolutions, fallbacks, refreshes and reauth_required per hour; the same on every instance",
      answers: { 200: jsonAnswer("The trends, read from the database", trendsJsonSchema) },
    }),
    async (c) => c.json(trendsJson(await trends.view())),
  );

  routes.post(
    "/batches",
    describeAdminRoute({
      tag: "admin: migration",
      summary: "Start a batch (or a dry run) in the background",
      records: true,
      answers: { 202: jsonAnswer("Started; follow its progress at href", batchStartedJson) },
      errors: { 400: "`invalid_request`: the message names the field" },
    }),
    validInput("json", batchRequest),
    async (c) => {
      const actor = actorOf(c);
      const body = c.req.valid("json");
      const { batchId } = await batches.start({ size: body.size, dryRun: body.dry_run, actor });
      const started = { batch_id: batchId, state: "running", href: `${ADMIN_API_PREFIX}/migration/batches/${batchId}` } as const;
      return c.json(started satisfies z.input<typeof batchStartedJson>, 202);
    },
  );

  routes.get(
    "/batches/:id",
    describeAdminRoute({
      tag: "admin: migration",
      summary: "A batch's progress",
      answers: { 200: jsonAnswer("The batch", batchJsonSchema) },
      errors: { 400: "`invalid_request`: the id is not a positive whole number", 404: "`batch_not_found`: no such batch" },
    }),
    validInput("param", batchIdParam),
    async (c) => c.json(batchJson(await batches.get(c.req.valid("param").id))),
  );

  routes.post(
    "/rollback",
    describeAdminRoute({
      tag: "admin: migration",
      summary: "Global rollback: github_app_tokens_enabled=false (recorded as a flag change); every user is served OAuth tokens",
      records: true,
      answers: { 200: jsonAnswer("The flag change", flagChangeJsonSchema) },
      errors: { 400: "`invalid_request`: the body must be empty or {}" },
    }),
    validInput("json", emptyRequest),
    async (c) => c.json(flagChangeJson(await rollback.rollbackAll({ actor: actorOf(c) }))),
  );

  routes.post(
    "/reenable",
    describeAdminRoute({
      tag: "admin: migration",
      summary: "Undo the global rollback: github_app_tokens_enabled=true",
      records: true,
      answers: { 200: jsonAnswer("The flag change", flagChangeJsonSchema) },
      errors: { 400: "`invalid_request`: the body must be empty or {}" },
    }),
    validInput("json", emptyRequest),
    async (c) => c.json(flagChangeJson(await rollback.reenableAll({ actor: actorOf(c) }))),
  );

  routes.post(
    "/cleanup",
    describeAdminRoute({
      tag: "admin: migration",
      summary: `Revoke legacy grants and drop legacy tokens (dry run by default; acting needs "confirm": "${CLEANUP_CONFIRMATION}")`,
      records: true,
      answers: { 200: jsonAnswer("What was (or would be) cleaned, left alone or failed, each with why", cleanupReportJson) },
      errors: {
        400: "`invalid_request`: the message names the field",
        409: "`cleanup_refused`: the deprecation date has not passed; `not_configured`: no legacy OAuth App credentials",
        503: {
          description: "`github_unavailable`: GitHub could not answer just now; or `database_unavailable`",
          headers: { "Retry-After": "Seconds to wait" },
        },
      },
    }),
    validInput("json", cleanupRequest),
    async (c) => {
      const actor = actorOf(c);
      const body = c.req.valid("json");
      const report = await cleanup.run({ dryRun: body.dry_run, confirm: body.confirm, actor, validatedWithinDays: body.validated_within_days });
      return c.json(report satisfies z.input<typeof cleanupReportJson>);
    },
  );

  return routes;
}

export function batchJson(batch: BatchView): z.input<typeof batchJsonSchema> {
  return {
    id: batch.id,
    requested_by: batch.requestedBy,
    size: batch.size,
    dry_run: batch.dryRun,
    state: batch.state,
    stale: batch.stale,
    counts: batch.counts,
    error: batch.error,
    user_errors: batch.userErrors,
    started_at: batch.startedAt.toISOString(),
    heartbeat_at: batch.heartbeatAt.toISOString(),
    finished_at: batch.finishedAt?.toISOString() ?? null,
  };
}

function trendsJson(view: TrendsView): z.input<typeof trendsJsonSchema> {
  return {
    generated_at: view.generated_at.toISOString(),
    status_days: view.status_days,
    activity_hours: view.activity_hours.map((hour) => ({ ...hour, hour: hour.hour.toISOString() })),
    fallbacks: fallbackFiguresJson(view.fallbacks),
  };
}

function fallbackFiguresJson(figures: FallbackFigures): z.input<typeof fallbackFiguresJsonSchema> {
  return {
    this_hour: { ...figures.this_hour, since: figures.this_hour.since.toISOString() },
    last_24_hours: { ...figures.last_24_hours, since: figures.last_24_hours.since.toISOString() },
  };
}

export function flagChangeJson(change: FlagChange): z.input<typeof flagChangeJsonSchema> {
  return {
    name: change.name as FlagName,
    old_value: change.oldValue,
    new_value: change.newValue,
    changed_by: change.changedBy,
    changed_at: change.changedAt.toISOString(),
  };
}
