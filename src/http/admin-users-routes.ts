// Admin API for users: list by status, one user's story (never a token value), validate, roll back
// and re-enable one user, and the legacy import (JSON lines within the body limit; larger files go
// through the CLI).
import { Hono } from "hono";
import { z } from "zod";
import { MIGRATION_STATUSES } from "../db/models/index.js";
import type { LegacyImporter } from "../migration/legacy-import.js";
import type { MigrationRollback } from "../migration/rollback.js";
import type { UserDirectory } from "../migration/user-directory.js";
import type { UserValidator } from "../migration/validation.js";
import { ADMIN_API_PREFIX, actorOf, requireAdmin, type AdminAccess } from "./admin-request.js";
import { githubIdParam, parseInput, parseJsonBody } from "./input.js";
import { HttpError } from "./errors.js";

const listQuery = z.strictObject(
  {
    status: z.enum(MIGRATION_STATUSES, { error: `status must be one of ${MIGRATION_STATUSES.join(", ")}` }).optional(),
    cursor: z.string().max(64).optional(),
    limit: z
      .string()
      .regex(/^\d+$/, { error: "limit must be a whole number" })
      .transform(Number)
      .pipe(z.number().min(1, { error: "limit must be at least 1" }).max(500, { error: "limit must be at most 500" }))
      .optional(),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown query parameter: ${issue.keys.join(", ")}` : undefined) },
);

const reasonRequest = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });
const JSON_LINES_TYPES = new Set(["text/plain", "application/x-ndjson", "application/jsonl"]);

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

  routes.get("/", async (c) => {
    const query = parseInput(listQuery, c.req.query(), "query parameter");
    return c.json(await directory.list(query));
  });

  routes.post("/import", async (c) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!JSON_LINES_TYPES.has(type)) {
      throw new HttpError(415, "unsupported_media_type", "Send JSON lines as text/plain or application/x-ndjson.");
    }
    const report = await importer.importJsonLines((await c.req.text()).split("\n"));
    if (report.rejected > 0 && report.created + report.updated === 0) {
      // A refusal answers `{error, message}` like every other 400; the report still says which lines and why.
      return c.json({ error: "invalid_request", message: `No line could be imported: ${report.rejected} rejected.`, ...report }, 400);
    }
    return c.json(report, 200);
  });

  routes.get("/:github_id", async (c) => {
    const { github_id: githubId } = parseInput(githubIdParam, c.req.param());
    return c.json(await directory.detail(githubId));
  });

  routes.post("/:github_id/validate", async (c) => {
    const actor = actorOf(c);
    const { github_id: githubId } = parseInput(githubIdParam, c.req.param());
    await parseJsonBody(c, z.strictObject({}));
    const { user, result } = await validator.validate(githubId, actor);
    return c.json({ github_id: user.githubId, status: user.tokenMigrationStatus, result });
  });

  routes.post("/:github_id/rollback", async (c) => {
    const actor = actorOf(c);
    const { github_id: githubId } = parseInput(githubIdParam, c.req.param());
    const { reason } = await parseJsonBody(c, reasonRequest);
    await rollback.rollbackUser(githubId, { actor, reason });
    return c.json(await directory.detail(githubId));
  });

  routes.post("/:github_id/reenable", async (c) => {
    const actor = actorOf(c);
    const { github_id: githubId } = parseInput(githubIdParam, c.req.param());
    const { reason } = await parseJsonBody(c, reasonRequest);
    await rollback.reenableUser(githubId, { actor, reason });
    return c.json(await directory.detail(githubId));
  });

  return routes;
}
