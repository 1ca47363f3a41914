// Admin API: the installations we know, with their repository counts and suspended/deleted state.
import { Hono } from "hono";
import { z } from "zod";
import type { InstallationService, InstallationSummary } from "../installations/installation-service.js";
import { ADMIN_API_PREFIX, requireAdmin, type AdminAccess } from "./admin-request.js";
import { parseInput } from "./input.js";

const MAX_LIMIT = 500;

const listQuery = z.strictObject(
  {
    include_deleted: z.enum(["true", "false"], { error: "include_deleted must be true or false" }).optional(),
    after: z
      .string()
      .regex(/^\d{1,15}$/, { error: "after must be an installation id" })
      .transform(Number)
      .optional(),
    limit: z
      .string()
      .regex(/^\d+$/, { error: "limit must be a whole number" })
      .transform(Number)
      .pipe(z.number().min(1, { error: "limit must be at least 1" }).max(MAX_LIMIT, { error: `limit must be at most ${MAX_LIMIT}` }))
      .optional(),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown query parameter: ${issue.keys.join(", ")}` : undefined) },
);

export function adminInstallationsRoutes({ access, installations }: { access: AdminAccess; installations: InstallationService }): Hono {
  const routes = new Hono().basePath(`${ADMIN_API_PREFIX}/installations`);
  routes.use("*", requireAdmin(access));

  routes.get("/", async (c) => {
    const query = parseInput(listQuery, c.req.query(), "query parameter");
    const limit = query.limit ?? 100;
    const page = await installations.listInstallations({ includeDeleted: query.include_deleted === "true", afterId: query.after, limit });
    return c.json({
      installations: page.map(installationJson),
      next_after: page.length === limit ? (page[page.length - 1]?.id ?? null) : null,
    });
  });

  return routes;
}

function installationJson(installation: InstallationSummary) {
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
