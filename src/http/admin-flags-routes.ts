// Admin API for the rollout flags: their effective values and history, and changing one.
import { Hono } from "hono";
import { z } from "zod";
import type { FeatureFlags } from "../users/flags.js";
import { flagChangeJson, flagChangeJsonSchema, flagNameJson } from "./admin-migration-routes.js";
import { ADMIN_API_PREFIX, actorOf, describeAdminRoute, requireAdmin, type AdminAccess } from "./admin-request.js";
import { jsonAnswer, timestamp } from "./api-description.js";
import { validInput } from "./input.js";

// A name of the right shape that is no flag is a 404 unknown_flag (flags.ts knows the names), not a 400.
export const flagNameParam = z.object({
  name: z.string().regex(/^[a-z_]{1,64}$/, { error: "name must be a flag name" }).meta({ description: `One of ${flagNameJson.options.join(", ")}` }),
});
// The value's own shape is the flag's business (flags.ts validates it per flag). `override`: the
// maintainer confirms raising the rollout percent while the rollout guard is tripped.
const flagRequest = z
  .strictObject({
    value: z.unknown().meta({ description: "true/false; 0-100; a list of logins; 1-10000; an ISO date or null — per flag" }),
    override: z.boolean().optional().meta({
      description: "Raise the rollout percent although the rollout guard is tripped (recorded as an override event)",
    }),
  })
  .refine((body) => "value" in body, {
    error: "value is required",
    path: ["value"],
  });

const flagsJson = z.object({
  flags: z.array(
    z
      .object({
        name: flagNameJson,
        value: z.unknown().meta({ description: "The effective value, as JSON" }),
        source: z.enum(["database", "default"]).meta({ description: "database: set at runtime; default: the environment's default" }),
        updated_by: z.string().nullable(),
        updated_at: timestamp.nullable(),
        description: z.string(),
      })
      .meta({ id: "Flag" }),
  ),
  history: z.array(flagChangeJsonSchema).meta({ description: "The latest 50 changes, newest first" }),
});

export function adminFlagsRoutes({ access, flags }: { access: AdminAccess; flags: FeatureFlags }): Hono {
  const routes = new Hono().basePath(`${ADMIN_API_PREFIX}/flags`);
  routes.use("*", requireAdmin(access));

  routes.get(
    "/",
    describeAdminRoute({
      tag: "admin: flags",
      summary: "Every flag's effective value, source and recent history",
      answers: { 200: jsonAnswer("The flags and their history", flagsJson) },
    }),
    async (c) => {
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
      } satisfies z.input<typeof flagsJson>);
    },
  );

  routes.put(
    "/:name",
    describeAdminRoute({
      tag: "admin: flags",
      summary: "Change a flag (its value validated per flag); every instance applies it at its next token resolution",
      records: true,
      answers: { 200: jsonAnswer("The change", flagChangeJsonSchema) },
      errors: {
        400: "`invalid_request`: the value does not suit the flag (the message says why) or a field is wrong",
        404: "`unknown_flag`: no such flag",
        409: "`rollout_guard_tripped`: the rollout guard is tripped and this raises the rollout percent; send `override: true` to raise it anyway",
      },
    }),
    validInput("param", flagNameParam),
    validInput("json", flagRequest, { bodyRequired: true }),
    async (c) => {
      const actor = actorOf(c);
      const { name } = c.req.valid("param");
      const { value, override } = c.req.valid("json");
      return c.json(flagChangeJson(await flags.set({ name, value, actor, override })));
    },
  );

  return routes;
}
