// Admin API for the migration as a whole: the summary, batches (start, progress), global rollback
// and re-enable, and the legacy cleanup.
import { Hono } from "hono";
import { z } from "zod";
import type { BatchView, MigrationBatches } from "../migration/batches.js";
import { CLEANUP_CONFIRMATION, type LegacyCleanup } from "../migration/cleanup.js";
import type { FeatureFlags, FlagChange } from "../users/flags.js";
import { migrationOverview } from "../migration/overview.js";
import type { MigrationRollback } from "../migration/rollback.js";
import type { Models } from "../db/models/index.js";
import { ADMIN_API_PREFIX, actorOf, requireAdmin, type AdminAccess } from "./admin-request.js";
import { parseInput, parseJsonBody } from "./input.js";

const batchRequest = z.strictObject({
  size: z.number().int().min(1).max(10_000).optional(),
  dry_run: z.boolean().optional(),
});

const batchIdParam = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, { error: "batch id must be a positive whole number" })
    .transform(Number),
});

const cleanupRequest = z
  .strictObject({
    dry_run: z.boolean().default(true),
    confirm: z.literal(CLEANUP_CONFIRMATION, { error: `confirm must be "${CLEANUP_CONFIRMATION}"` }).optional(),
    validated_within_days: z.number().int().min(1).max(365).optional(),
  })
  .refine((body) => body.dry_run || body.confirm === CLEANUP_CONFIRMATION, {
    error: `acting (dry_run false) needs "confirm": "${CLEANUP_CONFIRMATION}"`,
    path: ["confirm"],
  });

const emptyRequest = z.strictObject({});

export interface AdminMigrationRoutesOptions {
  access: AdminAccess;
  models: Models;
  flags: FeatureFlags;
  batches: MigrationBatches;
  rollback: MigrationRollback;
  cleanup: LegacyCleanup;
}

export function adminMigrationRoutes({ access, models, flags, batches, rollback, cleanup }: AdminMigrationRoutesOptions): Hono {
  const routes = new Hono().basePath(`${ADMIN_API_PREFIX}/migration`);
  routes.use("*", requireAdmin(access));

  routes.get("/", async (c) => {
    const overview = await migrationOverview({ models, flags, batches });
    return c.json({ ...overview, recent_batches: overview.recent_batches.map(batchJson) });
  });

  routes.post("/batches", async (c) => {
    const actor = actorOf(c);
    const body = await parseJsonBody(c, batchRequest);
    const { batchId } = await batches.start({ size: body.size, dryRun: body.dry_run, actor });
    return c.json({ batch_id: batchId, state: "running", href: `${ADMIN_API_PREFIX}/migration/batches/${batchId}` }, 202);
  });

  routes.get("/batches/:id", async (c) => {
    const { id } = parseInput(batchIdParam, c.req.param());
    return c.json(batchJson(await batches.get(id)));
  });

  routes.post("/rollback", async (c) => {
    const actor = actorOf(c);
    await parseJsonBody(c, emptyRequest);
    return c.json(flagChangeJson(await rollback.rollbackAll({ actor })));
  });

  routes.post("/reenable", async (c) => {
    const actor = actorOf(c);
    await parseJsonBody(c, emptyRequest);
    return c.json(flagChangeJson(await rollback.reenableAll({ actor })));
  });

  routes.post("/cleanup", async (c) => {
    const actor = actorOf(c);
    const body = await parseJsonBody(c, cleanupRequest);
    return c.json(
      await cleanup.run({ dryRun: body.dry_run, confirm: body.confirm, actor, validatedWithinDays: body.validated_within_days }),
    );
  });

  return routes;
}

export function batchJson(batch: BatchView) {
  return {
    id: batch.id,
    requested_by: batch.requestedBy,
    size: batch.size,
    dry_run: batch.dryRun,
    state: batch.state,
    stale: batch.stale,
    counts: batch.counts,
    error: batch.error,
    started_at: batch.startedAt.toISOString(),
    heartbeat_at: batch.heartbeatAt.toISOString(),
    finished_at: batch.finishedAt?.toISOString() ?? null,
  };
}

export function flagChangeJson(change: FlagChange) {
  return {
    name: change.name,
    old_value: change.oldValue,
    new_value: change.newValue,
    changed_by: change.changedBy,
    changed_at: change.changedAt.toISOString(),
  };
}
