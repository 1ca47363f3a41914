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
import { ADMIN_API_PREFIX, actorOf, requireAdmin, type AdminAccess } from "./admin-request.js";
import { HttpError, type ErrorTranslator } from "./errors.js";
import { githubIdParam, parseInput, parseJsonBody } from "./input.js";

const githubId = z.number({ error: "must be a GitHub user id" }).int({ error: "must be a whole number" }).positive({ error: "must be positive" }).max(Number.MAX_SAFE_INTEGER);

/** POST /migration/readiness: `{}` for every user not checked within a day, or the users named. */
export const readinessScanRequestSchema = z.strictObject({
  github_ids: z
    .array(githubId, { error: "github_ids must be a list of GitHub user ids" })
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
  checked_at: z.string(),
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
    z.object({ github_id: z.number().int(), login: z.string(), legacy_rate_limit: z.number().int(), app_rate_limit: z.number().int(), checked_at: z.string() }),
  ),
});

export const flagPreviewRequestSchema = z.strictObject({ value: z.unknown() }).refine((body) => "value" in body, {
  error: "value is required",
  path: ["value"],
});

export const flagImpactSchema = z.object({
  switch_to_app: z.number().int(),
  switch_to_oauth: z.number().int(),
  lose_token: z.number().int(),
  lose_repository_access: z.number().int(),
});

const flagNameParam = z.object({ name: z.string().regex(/^[a-z_]{1,64}$/, { error: "name must be a flag name" }) });

export interface AdminReadinessRoutesOptions {
  access: AdminAccess;
  scan: ReadinessScan;
  report: ReadinessReport;
  preview: FlagPreview;
}

export function adminReadinessRoutes({ access, scan, report, preview }: AdminReadinessRoutesOptions): Hono {
  const routes = new Hono().basePath(ADMIN_API_PREFIX);
  for (const path of ["/migration/readiness", "/migration/readiness/*", "/users/:github_id/access", "/flags/:name/preview"]) {
    routes.use(path, requireAdmin(access));
  }

  routes.post("/migration/readiness", async (c) => {
    const actor = actorOf(c);
    const body = await parseJsonBody(c, readinessScanRequestSchema);
    const progress = await scan.start({ githubIds: body.github_ids, actor });
    // This instance starts at once; every instance's job joins in within seconds.
    void scan.runPass().catch(() => {});
    return c.json(readinessScanStartedSchema.parse({ scan: progress, href: `${ADMIN_API_PREFIX}/migration/readiness` }), 202);
  });

  routes.get("/migration/readiness", async (c) => {
    parseInput(z.strictObject({}), c.req.query(), "query parameter");
    return c.json(readinessSummarySchema.parse(await report.summary()));
  });

  routes.get("/migration/readiness/rate-limit-drops", async (c) => {
    parseInput(z.strictObject({}), c.req.query(), "query parameter");
    return c.json(rateLimitDropsSchema.parse(await report.rateLimitDrops()));
  });

  routes.get("/users/:github_id/access", async (c) => {
    const { github_id: id } = parseInput(githubIdParam, c.req.param());
    return c.json(userAccessSchema.parse(await report.userAccess(id)));
  });

  routes.post("/flags/:name/preview", async (c) => {
    const { name } = parseInput(flagNameParam, c.req.param());
    const { value } = await parseJsonBody(c, flagPreviewRequestSchema);
    return c.json(flagImpactSchema.parse(await preview.preview(name, value)));
  });

  return routes;
}

export const readinessErrorTranslator: ErrorTranslator = (error) => {
  if (error instanceof ReadinessScanRunningError) return new HttpError(409, "scan_running", error.message, { scan: error.progress });
  if (error instanceof UnknownUsersError) return new HttpError(400, "invalid_request", error.message, { unknown_github_ids: error.githubIds });
  if (error instanceof AccessNotCheckedError) return new HttpError(404, "not_checked", error.message);
  return undefined;
};
