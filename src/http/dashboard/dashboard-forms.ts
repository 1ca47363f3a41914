// The dashboard's form fields and notice query, validated with zod like every other input. A form
// without `confirm=yes` is not acted on: it gets the confirmation page instead.
import { z } from "zod";
import { FLAG_NAMES } from "../../users/flags.js";
import { batchSizeText, githubLogin, POSITIVE_ID_DIGITS } from "../../users/input-rules.js";

export const USER_ACTIONS = [
  { name: "validate", label: "Validate the App token at GitHub" },
  { name: "rollback", label: "Roll back (serve the legacy token)" },
  { name: "reenable", label: "Re-enable a rolled-back user" },
] as const;
const USER_ACTION_NAMES = USER_ACTIONS.map((action) => action.name);

const confirmation = z.literal("yes", { error: 'must be "yes"' }).optional();
const optionalText = z
  .string()
  .trim()
  .max(500, { error: "must be at most 500 characters" })
  .optional()
  .transform((text) => (text ? text : undefined));

export const batchForm = z.object({
  size: batchSizeText,
  dry_run: z.literal("yes", { error: 'must be "yes" or absent' }).optional(),
  confirm: confirmation,
});

export const userForm = z.object({
  login: z.string().trim().pipe(githubLogin),
  action: z.enum(USER_ACTION_NAMES, { error: `must be one of ${USER_ACTION_NAMES.join(", ")}` }),
  reason: optionalText,
  confirm: confirmation,
});

export const flagForm = z.object({
  name: z.enum(FLAG_NAMES, { error: `must be one of ${FLAG_NAMES.join(", ")}` }),
  value: z.string().max(20_000, { error: "is too long" }),
  confirm: confirmation,
});

/** After an action the browser is sent to /admin?done=…, which names what happened. */
export const noticeQuery = z.object({
  done: z.enum(["batch_started", "validated", "validation_failed", "rolled_back", "reenabled", "flag_changed", "readiness_scan_started", "guard_cleared"]),
  login: githubLogin.optional(),
  flag: z.enum(FLAG_NAMES).optional(),
  batch: z.string().regex(new RegExp(`^${POSITIVE_ID_DIGITS}$`)).optional(),
  dry_run: z.literal("yes").optional(),
});
export type Notice = z.output<typeof noticeQuery>;

/** Fields re-posted by the confirmation page: what was sent, minus the token and confirmation it adds itself. */
export function formFieldsToRepost(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(body).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string" && entry[0] !== "csrf_token" && entry[0] !== "confirm",
    ),
  );
}

/** Starting a readiness scan and clearing the rollout guard carry only their confirmation. */
export const confirmOnlyForm = z.object({ confirm: confirmation });
