// Admin API: the installations we know, with their repository counts and suspended/deleted state.
import { Hono } from "hono";
import { z } from "zod";
import type { InstallationService, InstallationSummary } from "../installations/installation-service.js";
import { ADMIN_API_PREFIX, describeAdminRoute, requireAdmin, type AdminAccess } from "./admin-request.js";
import { jsonAnswer, timestamp } from "./api-description.js";
import { validInput } from "./input.js";

const MAX_LIMIT = 500;

const listQuery = z.strictObject(
  {
    include_deleted: z.enum(["true", "false"], { error: "include_deleted must be true or false" }).optional(),
    after: z
      .string()
      .regex(/^\d{1,15}$/, { error: "after must be an installation id" })
      .transform(Number)
      .optional()
      .meta({ description: "next_after of the previous page" }),
    limit: z
      .string()
      .regex(/^\d+$/, { error: "limit must be a whole number" })
      .transform(Number)
      .pipe(z.number().min(1, { error: "limit must be at least 1" }).max(MAX_LIMIT, { error: `limit must be at most ${MAX_LIMIT}` }))
      .optional()
      .meta({ description: `Installations per page, 1-${MAX_LIMIT} (default 100)` }),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown query parameter: ${issue.keys.join(", ")}` : undefined) },
);

const installationJsonSchema = z
  .object({
    id: z.number().int(),
    account: z.object({ id: z.number().int(), login: z.string(), type: z.string() }),
    target_type: z.string(),
    repository_selection: z.enum(["all", "selected"]),
    repositories_count: z.number().int(),
    permissions: z.record(z.string(), z.string()),
    events: z.array(z.string()),
    previous_account_logins: z.array(z.object({ login: z.string(), changed_at: z.string() })),
    suspended: z.boolean(),
    suspended_at: timestamp.nullable(),
    suspended_by: z.string().nullable(),
    deleted: z.boolean(),
    deleted_at: timestamp.nullable(),
    github_created_at: timestamp.nullable(),
    github_updated_at: timestamp.nullable(),
    updated_at: timestamp,
  })
  .meta({ id: "Installation" });

const installationPageJson = z.object({
  installations: z.array(installationJsonSchema),
  next_after: z.number().int().nullable().meta({ description: "Pass back as after for the next page; null on the last one" }),
});

export function adminInstallationsRoutes({ access, installations }: { access: AdminAccess; installations: InstallationService }): Hono {
  const routes = new Hono().basePath(`${ADMIN_API_PREFIX}/installations`);
  routes.use("*", requireAdmin(access));

  routes.get(
    "/",
    describeAdminRoute({
      tag: "admin: installations",
      summary: "The App's installations as recorded from webhooks and reconciliation (keyset pages)",
      answers: { 200: jsonAnswer("A page of installations", installationPageJson) },
      errors: { 400: "`invalid_request`: the message names the query parameter" },
    }),
    validInput("query", listQuery),
    async (c) => {
      const query = c.req.valid("query");
      const limit = query.limit ?? 100;
      const page = await installations.listInstallations({ includeDeleted: query.include_deleted === "true", afterId: query.after, limit });
      return c.json({
        installations: page.map(installationJson),
        next_after: page.length === limit ? (page[page.length - 1]?.id ?? null) : null,
      } satisfies z.input<typeof installationPageJson>);
    },
  );

  return routes;
}

function installationJson(installation: InstallationSummary): z.input<typeof installationJsonSchema> {
  return {
    id: installation.id,
    account: installation.account,
    target_type: installation.targetType,
    repository_selection: installation.repositorySelection,
    repositories_count: installation.repositoriesCount,
    permissions: installation.permissions,
    events: installation.events,
    previous_account_logins: installation.previousAccountLogins.map((entry) => ({ login: entry.login, changed_at: entry.changedAt })),
    suspended: installation.suspendedAt !== null,
    suspended_at: installation.suspendedAt?.toISOString() ?? null,
    suspended_by: installation.suspendedBy,
    deleted: installation.deletedAt !== null,
    deleted_at: installation.deletedAt?.toISOString() ?? null,
    github_created_at: installation.githubCreatedAt?.toISOString() ?? null,
    github_updated_at: installation.githubUpdatedAt?.toISOString() ?? null,
    updated_at: installation.updatedAt.toISOString(),
  };
}
