// Admin API for the rollout guard: its state with the window's figures, and clearing it (paused
// batches then resume). Raising the rollout percent while it is tripped answers 409 unless the flag
// change carries `"override": true`.
import { Hono } from "hono";
import { z } from "zod";
import { RolloutGuardTrippedError } from "../migration/errors.js";
import type { GuardState, RolloutGuard } from "../migration/rollout-guard.js";
import { ADMIN_API_PREFIX, actorOf, requireAdmin, type AdminAccess } from "./admin-request.js";
import { HttpError, type ErrorTranslator } from "./errors.js";
import { parseInput, parseJsonBody } from "./input.js";

export const clearGuardRequestSchema = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

export const guardStateSchema = z.object({
  enabled: z.boolean(),
  state: z.enum(["off", "idle", "watching", "tripped"]),
  window: z.object({
    window_minutes: z.number().int(),
    resolutions: z.number().int(),
    reauth_required: z.number().int(),
    refresh_failed: z.number().int(),
    failure_percent: z.number(),
    threshold_percent: z.number().int(),
    min_resolutions: z.number().int(),
  }),
  watching: z.object({ running_batches: z.number().int(), rollout_raised_at: z.string().nullable() }),
  last_event: z
    .object({ kind: z.enum(["tripped", "cleared", "override"]), reason: z.string(), actor: z.string(), at: z.string() })
    .nullable(),
});

export function guardStateJson(state: GuardState): z.infer<typeof guardStateSchema> {
  return guardStateSchema.parse({
    ...state,
    watching: { ...state.watching, rollout_raised_at: state.watching.rollout_raised_at?.toISOString() ?? null },
    last_event: state.last_event && { kind: state.last_event.kind, reason: state.last_event.reason, actor: state.last_event.actor, at: state.last_event.at.toISOString() },
  });
}

export function adminRolloutGuardRoutes({ access, guard }: { access: AdminAccess; guard: RolloutGuard }): Hono {
  const routes = new Hono().basePath(`${ADMIN_API_PREFIX}/migration/rollout-guard`);
  routes.use("*", requireAdmin(access));

  routes.get("/", async (c) => {
    parseInput(z.strictObject({}), c.req.query(), "query parameter");
    return c.json(guardStateJson(await guard.state()));
  });

  routes.post("/clear", async (c) => {
    const actor = actorOf(c);
    const { reason } = await parseJsonBody(c, clearGuardRequestSchema);
    if (!(await guard.clear({ actor, reason }))) throw new HttpError(409, "not_tripped", "The rollout guard is not tripped; there is nothing to clear.");
    return c.json(guardStateJson(await guard.state()));
  });

  return routes;
}

export const rolloutGuardErrorTranslator: ErrorTranslator = (error) =>
  error instanceof RolloutGuardTrippedError ? new HttpError(409, "rollout_guard_tripped", error.message) : undefined;
