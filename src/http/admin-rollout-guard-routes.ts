// Admin API for the rollout guard: its state with the window's figures, and clearing it (paused
// batches then resume). Raising the rollout percent while it is tripped answers 409 unless the flag
// change carries `"override": true`.
import { Hono } from "hono";
import { z } from "zod";
import { RolloutGuardTrippedError } from "../migration/errors.js";
import type { GuardState, RolloutGuard } from "../migration/rollout-guard.js";
import { ADMIN_API_PREFIX, actorOf, describeAdminRoute, requireAdmin, type AdminAccess } from "./admin-request.js";
import { jsonAnswer, timestamp } from "./api-description.js";
import { HttpError, type ErrorTranslator } from "./errors.js";
import { validInput } from "./input.js";

export const clearGuardRequestSchema = z.strictObject({
  reason: z.string().trim().min(1).max(500).optional().meta({ description: "Why it is safe to go on (recorded with the event)" }),
});

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
  watching: z.object({ running_batches: z.number().int(), rollout_raised_at: timestamp.nullable() }),
  last_event: z
    .object({ kind: z.enum(["tripped", "cleared", "override"]), reason: z.string(), actor: z.string(), at: timestamp })
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

  routes.get(
    "/",
    describeAdminRoute({
      tag: "admin: readiness",
      summary: "The rollout guard: off, idle, watching or tripped, with the sliding window's figures and its last event",
      answers: { 200: jsonAnswer("The guard's state", guardStateSchema) },
      errors: { 400: "`invalid_request`: this route takes no query parameter" },
    }),
    validInput("query", z.strictObject({})),
    async (c) => c.json(guardStateJson(await guard.state())),
  );

  routes.post(
    "/clear",
    describeAdminRoute({
      tag: "admin: readiness",
      summary: "Clear a tripped guard (recorded with the reason); paused batches resume",
      records: true,
      answers: { 200: jsonAnswer("The guard's state after clearing", guardStateSchema) },
      errors: { 400: "`invalid_request`: the message names the field", 409: "`not_tripped`: the guard is not tripped" },
    }),
    validInput("json", clearGuardRequestSchema),
    async (c) => {
      const actor = actorOf(c);
      const { reason } = c.req.valid("json");
      if (!(await guard.clear({ actor, reason }))) throw new HttpError(409, "not_tripped", "The rollout guard is not tripped; there is nothing to clear.");
      return c.json(guardStateJson(await guard.state()));
    },
  );

  return routes;
}

export const rolloutGuardErrorTranslator: ErrorTranslator = (error) =>
  error instanceof RolloutGuardTrippedError ? new HttpError(409, "rollout_guard_tripped", error.message) : undefined;
