// Admin API for the rollout flags: their effective values and history, and changing one.
import { Hono } from "hono";
import { z } from "zod";
import type { FeatureFlags } from "../users/flags.js";
import { flagChangeJson } from "./admin-migration-routes.js";
import { ADMIN_API_PREFIX, actorOf, requireAdmin, type AdminAccess } from "./admin-request.js";
import { parseInput, parseJsonBody } from "./input.js";

const flagNameParam = z.object({ name: z.string().regex(/^[a-z_]{1,64}$/, { error: "name must be a flag name" }) });
// The value's own shape is the flag's business (flags.ts validates it per flag).
// `override`: the maintainer confirms raising the rollout percent while the rollout guard is tripped.
const flagRequest = z.strictObject({ value: z.unknown(), override: z.boolean().optional() }).refine((body) => "value" in body, {
  error: "value is required",
  path: ["value"],
});

export function adminFlagsRoutes({ access, flags }: { access: AdminAccess; flags: FeatureFlags }): Hono {
  const routes = new Hono().basePath(`${ADMIN_API_PREFIX}/flags`);
  routes.use("*", requireAdmin(access));

  routes.get("/", async (c) => {
    const [states, history] = await Promise.all([flags.list(), flags.history({ limit: 50 })]);
    return c.json({
      flags: states.map((state) => ({
        name: state.name,
        value: state.value,
        source: state.source,
        updated_by: state.updatedBy,
        updated_at: state.updatedAt?.toISOString() ?? null,
        description: state.description,
      })),
      history: history.map(flagChangeJson),
    });
  });

  routes.put("/:name", async (c) => {
    const actor = actorOf(c);
    const { name } = parseInput(flagNameParam, c.req.param());
    const { value, override } = await parseJsonBody(c, flagRequest);
    return c.json(flagChangeJson(await flags.set({ name, value, actor, override })));
  });

  return routes;
}
