// Admin API for migration readiness: start a readiness scan, the summary (accounts missing the App
// with install links), one user's last access check, the users whose rate limit would drop, and the
// impact preview of a flag change. The zod schemas of each request and answer are exported so the
// API description can be generated from them.
import { Hono } from "hono";
import { z } from "zod";
import type { FlagPreview } from "../migration/flag-preview.js";
import { AccessNotCheckedError, ReadinessScanRunningError, UnknownUsersError } from "../migration/errors.js";
import type { ReadinessReport } from "../migration/readiness-report.js";
import type { ReadinessScan } from "../migration/readiness-scan.js";
import { githubIdNumber } from "../users/input-rules.js";
import { flagNameParam } from "./admin-flags-routes.js";
import { ADMIN_API_PREFIX, actorOf, describeAdminRoute, requireAdmin, type AdminAccess } from "./admin-request.js";
import { errorBody, jsonAnswer, timestamp } from "./api-description.js";
import { HttpError, type ErrorTranslator } from "./errors.js";
import { githubIdParam, validInput } from "./input.js";

/** POST /migration/readiness: `{}` for every user not checked within a day, or the users named. */
export const readinessScanRequestSchema = z.strictObject({
  github_ids: z
    .array(githubIdNumber, { error: "github_ids must be a list of GitHub user ids" })
    .min(1, { error: "github_ids must name at least one user (or leave it out for everyone due)" })
    .max(10_000, { error: "github_ids may name at most 10000 users" })
    .transform((ids) => [...new Set(ids)])
    .optional(),
});

export const scanProgressSchema = z.object({
  state: z.enum(["idle", "running", "finished"]),
  done: z.number().int(),
  total: z.number().int(),
});

export const readinessScanStartedSchema = z.object({ scan: scanProgressSchema, href: z.string() });

export const readinessSummarySchema = z.object({
  users_checked: z.number().int(),
  users_fully_covered: z.number().int(),
  users_losing_access: z.number().int(),
  scan: scanProgressSchema,
  accounts_missing_installation: z.array(
    z.object({ account: z.string(), users: z.number().int(), repositories: z.number().int(), install_url: z.string().nullable() }),
  ),
});

export const userAccessSchema = z.object({
  checked_at: timestamp,
  legacy_repositories: z.number().int(),
  covered_repositories: z.number().int(),
  missing: z.array(z.object({ account: z.string(), repositories: z.number().int(), install_url: z.string().nullable(), samples: z.array(z.string()) })),
  legacy_truncated: z.boolean(),
  coverage_source: z.enum(["installations", "app_token"]),
  outcome: z.enum(["checked", "no_legacy_token", "legacy_token_dead"]),
  rate_limits: z.object({ legacy: z.number().int().nullable(), app: z.number().int().nullable() }),
});

export const rateLimitDropsSchema = z.object({
  users: z.number().int(),
  drops: z.array(
    z.object({ github_id: z.number().int(), login: z.string(), legacy_rate_limit: z.number().int(), app_rate_limit: z.number().int(), checked_at: timestamp }),
  ),
});

export const flagPreviewRequestSchema = z.strictObject({ value: z.unknown().meta({ description: "The proposed value, as PUT /flags/{name} takes it" }) }).refine((body) => "value" in body, {
  error: "value is required",
  path: ["value"],
});

export const flagImpactSchema = z.object({
  switch_to_app: z.number().int(),
  switch_to_oauth: z.number().int(),
  lose_token: z.number().int(),
  lose_repository_access: z.number().int(),
});

export interface AdminReadinessRoutesOptions {
  access: AdminAccess;
  scan: ReadinessScan;
  report: ReadinessReport;
  preview: FlagPreview;
}

const noQuery = z.strictObject({});
const TAG = "admin: readiness";

export function adminReadinessRoutes({ access, scan, report, preview }: AdminReadinessRoutesOptions): Hono {
  const routes = new Hono().basePath(ADMIN_API_PREFIX);
  for (const path of ["/migration/readiness", "/migration/readiness/*", "/users/:github_id/access", "/flags/:name/preview"]) {
    routes.use(path, requireAdmin(access));
  }

  routes.post(
    "/migration/readiness",
    describeAdminRoute({
      tag: TAG,
      summary: "Start a readiness scan (`{}`: every user not checked within a day; or the users named), shared by every instance",
      records: true,
      answers: { 202: jsonAnswer("Started; follow its progress at href", readinessScanStartedSchema) },
      errors: {
        400: {
          description: "`invalid_request`: the message names the field, or `unknown_github_ids` lists ids of no known user",
          schema: errorBody.extend({ unknown_github_ids: z.array(z.number().int()).optional() }),
        },
        409: { description: "`scan_running`: a scan is running already (its progress in `scan`)", schema: errorBody.extend({ scan: scanProgressSchema }) },
      },
    }),
    validInput("json", readinessScanRequestSchema),
    async (c) => {
      const actor = actorOf(c);
      const body = c.req.valid("json");
      const progress = await scan.start({ githubIds: body.github_ids, actor });
      // This instance starts at once; every instance's job joins in within seconds.
      void scan.runPass().catch(() => {});
      return c.json(readinessScanStartedSchema.parse({ scan: progress, href: `${ADMIN_API_PREFIX}/migration/readiness` }), 202);
    },
  );

  routes.get(
    "/migration/readiness",
    describeAdminRoute({
      tag: TAG,
      summary: "Users checked, fully covered and losing access; the scan's progress; accounts missing the App with install links",
      answers: { 200: jsonAnswer("The readiness summary", readinessSummarySchema) },
      errors: { 400: "`invalid_request`: this route takes no query parameter" },
    }),
    validInput("query", noQuery),
    async (c) => c.json(readinessSummarySchema.parse(await report.summary())),
  );

  routes.get(
    "/migration/readiness/rate-limit-drops",
    describeAdminRoute({
      tag: TAG,
      summary: "Users whose hourly rate limit would drop after the switch (legacy token's limit above the App token's)",
      answers: { 200: jsonAnswer("The users whose limit would drop", rateLimitDropsSchema) },
      errors: { 400: "`invalid_request`: this route takes no query parameter" },
    }),
    validInput("query", noQuery),
    async (c) => c.json(rateLimitDropsSchema.parse(await report.rateLimitDrops())),
  );

  routes.get(
    "/users/:github_id/access",
    describeAdminRoute({
      tag: TAG,
      summary: "The user's last access check: repositories the legacy token reads, how many the App reaches, what is missing per account",
      answers: { 200: jsonAnswer("The last access check", userAccessSchema) },
      errors: { 400: "`invalid_request`: github_id is not a GitHub user id", 404: "`user_not_found`: no such user; `not_checked`: not checked yet" },
    }),
    validInput("param", githubIdParam),
    async (c) => {
      const { github_id: id } = c.req.valid("param");
      return c.json(userAccessSchema.parse(await report.userAccess(id)));
    },
  );

  routes.post(
    "/flags/:name/preview",
    describeAdminRoute({
      tag: "admin: flags",
      summary: "What setting the flag to this value would change for token resolution; writes nothing",
      answers: { 200: jsonAnswer("How many users would switch, lose their token, or lose repository access", flagImpactSchema) },
      errors: { 400: "`invalid_request`: the value does not suit the flag (the message says why) or a field is wrong", 404: "`unknown_flag`: no such flag" },
    }),
    validInput("param", flagNameParam),
    validInput("json", flagPreviewRequestSchema, { bodyRequired: true }),
    async (c) => {
      const { name } = c.req.valid("param");
      const { value } = c.req.valid("json");
      return c.json(flagImpactSchema.parse(await preview.preview(name, value)));
    },
  );

  return routes;
}

export const readinessErrorTranslator: ErrorTranslator = (error) => {
  if (error instanceof ReadinessScanRunningError) return new HttpError(409, "scan_running", error.message, { scan: error.progress });
  if (error instanceof UnknownUsersError) return new HttpError(400, "invalid_request", error.message, { unknown_github_ids: error.githubIds });
  if (error instanceof AccessNotCheckedError) return new HttpError(404, "not_checked", error.message);
  return undefined;
};
