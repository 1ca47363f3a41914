// Input validation shared by every JSON route: zod-checked params, query and bodies, refused with a
// 400 that names each offending field and why.
import type { Context } from "hono";
import { z } from "zod";
import { HttpError } from "./errors.js";

export const githubIdParam = z.object({
  github_id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, { error: "github_id must be a positive whole number" })
    .transform(Number)
    .refine(Number.isSafeInteger, { error: "github_id is too large" }),
});

/** What the input's keys are called in messages: body fields, or query parameters. */
type InputKind = "field" | "query parameter";

/** Parses params, query or a parsed body; a failure is a 400 naming each field and why. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, kind: InputKind = "field"): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new HttpError(400, "invalid_request", describeIssues(parsed.error, kind));
  return parsed.data;
}

/** A JSON object body (an empty body counts as `{}`), validated by `schema`. */
export async function parseJsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const text = await c.req.text();
  if (text.trim() === "") return parseInput(schema, {});
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_request", "The body is not valid JSON.");
  }
  return parseInput(schema, body);
}

function describeIssues(error: z.ZodError, kind: InputKind): string {
  return error.issues
    .map((issue) => {
      if (issue.code === "unrecognized_keys") return `unknown ${kind}: ${issue.keys.join(", ")}`;
      const field = issue.path.join(".");
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
