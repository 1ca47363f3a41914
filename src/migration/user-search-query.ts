// Finding users, as the admin API (GET /api/v1/admin/users), the console's Users page
// (GET /admin/users) and the CLI (`users list`) take it: the same fields, the same rules, the same
// refusals. An empty field counts as absent, since a GET form sends every field it has.
import { z } from "zod";
import { MIGRATION_STATUSES, REFRESH_FAILURE_CLASSES } from "../db/models/index.js";
import { decodeUserCursor, type UserCursor, type UserOrder } from "./user-directory.js";

/** A GitHub login is at most 39 characters and a GitHub id at most 16 digits: nothing longer can match. */
const QUERY_MAX = 39;

const anyWhenEmpty = <T extends string>(value: T | "" | undefined): T | undefined => (value === "" ? undefined : value);

const userSearchFields = {
  q: z
    .string()
    .trim()
    .max(QUERY_MAX, { error: `must be at most ${QUERY_MAX} characters: the start of a GitHub login, or a GitHub id` })
    .regex(/^[A-Za-z0-9-]*$/, { error: "may hold only letters, digits and hyphens: the start of a GitHub login, or a GitHub id" })
    .optional()
    .transform(anyWhenEmpty)
    .meta({ description: "The start of a login (case-insensitive), or a GitHub id (all digits: logins starting with them match too)" }),
  status: z
    .enum(["", ...MIGRATION_STATUSES], { error: `must be one of ${MIGRATION_STATUSES.join(", ")}` })
    .optional()
    .transform(anyWhenEmpty)
    .meta({ description: "Only users in this status; empty or absent: any" }),
  failure: z
    .enum(["", ...REFRESH_FAILURE_CLASSES], { error: `must be one of ${REFRESH_FAILURE_CLASSES.join(", ")}` })
    .optional()
    .transform(anyWhenEmpty)
    .meta({ description: "Only users whose last refresh failed for good with this class; empty or absent: any" }),
  cursor: z
    .string()
    .max(64, { error: "is not a cursor this list handed out; start again from the first page" })
    .optional()
    .transform((text, context): UserCursor | undefined => {
      if (text === undefined || text === "") return undefined;
      const cursor = decodeUserCursor(text);
      if (!cursor) context.addIssue({ code: "custom", message: "is not a cursor this list handed out; start again from the first page" });
      return cursor ?? undefined;
    })
    .meta({ description: "next_cursor of the previous page (read in the same sort)" }),
};

const ORDER_DESCRIPTIONS: Record<UserOrder, string> = {
  id: "id: registration order",
  newest: "newest: latest change (a status move, a refresh, a sign-in) first",
  oldest: "oldest: earliest change first",
};

function sortField(orders: readonly UserOrder[], byDefault: UserOrder) {
  return z
    .enum(["", ...orders], { error: `must be one of ${orders.join(", ")}` })
    .optional()
    .transform((sort): UserOrder => (sort ? (sort as UserOrder) : byDefault))
    .meta({ description: `${orders.map((order) => ORDER_DESCRIPTIONS[order]).join("; ")}; default ${byDefault}` });
}

const strictQuery = {
  error: (issue: z.core.$ZodRawIssue) => (issue.code === "unrecognized_keys" ? `unknown query parameter: ${issue.keys.join(", ")}` : undefined),
};

/** A cursor marks a place in one order; read in another it would skip or repeat users. */
function cursorOfTheSameSort(query: { cursor?: UserCursor; sort: UserOrder }, context: z.RefinementCtx): void {
  if (query.cursor && query.cursor.order !== query.sort) {
    context.addIssue({ code: "custom", path: ["cursor"], message: "belongs to another sort; start again from the first page" });
  }
}

/** The admin API's query: registration order unless asked otherwise, and a page size. */
export const userListQuery = z
  .strictObject(
    {
      ...userSearchFields,
      sort: sortField(["id", "newest", "oldest"], "id"),
      limit: z
        .string()
        .regex(/^\d+$/, { error: "must be a whole number" })
        .transform(Number)
        .pipe(z.number().min(1, { error: "must be at least 1" }).max(500, { error: "must be at most 500" }))
        .optional()
        .meta({ description: "Users per page, 1-500 (default 50)" }),
    },
    strictQuery,
  )
  .superRefine(cursorOfTheSameSort);

/** The Users page's query: latest change first unless asked otherwise. */
export const usersPageQuery = z
  .strictObject({ ...userSearchFields, sort: sortField(["newest", "oldest"], "newest") }, strictQuery)
  .superRefine(cursorOfTheSameSort);
export type UsersPageQuery = z.output<typeof usersPageQuery>;
