// Input validation shared by every JSON route: zod-checked params, query and bodies, refused with a
// 400 that names each offending field and why. The same schemas describe the route's input in the
// OpenAPI document (validInput carries them to hono-openapi).
import type { Context, Env, MiddlewareHandler } from "hono";
import { resolver, uniqueSymbol, type DescribeRouteOptions, type HandlerUniqueProperty } from "hono-openapi";
import { z } from "zod";
import { positiveIdText } from "../users/input-rules.js";
import { errorAnswers, PAYLOAD_TOO_LARGE } from "./api-description.js";
import { HttpError } from "./errors.js";

export const githubIdParam = z.object({ github_id: positiveIdText("github_id") });

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

/** Where a route's input comes from: its path, its query string, or its JSON body. */
export type InputTarget = "param" | "query" | "json";

type ValidatedInput<T extends InputTarget, S extends z.ZodType> = { out: { [K in T]: z.output<S> } };

/**
 * Validates the route's `target` with `schema` before the handler runs (a 400 naming each field
 * otherwise) and hands the result to `c.req.valid(target)`; the schema also documents the input.
 */
export function validInput<T extends InputTarget, S extends z.ZodType>(
  target: T,
  schema: S,
  { bodyRequired = false }: { bodyRequired?: boolean } = {},
): MiddlewareHandler<Env, string, ValidatedInput<T, S>> {
  const middleware: MiddlewareHandler<Env, string, ValidatedInput<T, S>> = async (c, next) => {
    const input =
      target === "json"
        ? await parseJsonBody(c, schema)
        : target === "query"
          ? parseInput(schema, c.req.query(), "query parameter")
          : parseInput(schema, c.req.param());
    c.req.addValidatedData(target, input as object);
    await next();
  };
  return Object.assign(middleware, { [uniqueSymbol]: inputDescription(target, schema, bodyRequired) });
}

/** Documents a page's query parameters that its handler reads leniently itself (pages never answer JSON 400s). */
export function describedQuery(schema: z.ZodType): MiddlewareHandler {
  const middleware: MiddlewareHandler = async (_c, next) => {
    await next();
  };
  return Object.assign(middleware, { [uniqueSymbol]: inputDescription("query", schema, false) });
}

/** For hono-openapi: path and query schemas become parameters, a body schema the request body. */
function inputDescription(target: InputTarget, schema: z.ZodType, bodyRequired: boolean): HandlerUniqueProperty {
  if (target !== "json") return { target, ...resolver(schema) };
  const requestBody: DescribeRouteOptions["requestBody"] = {
    required: bodyRequired,
    description: bodyRequired ? undefined : "May be empty, which counts as {}",
    content: { "application/json": { schema: resolver(schema) } },
  };
  return { spec: { requestBody, responses: errorAnswers(PAYLOAD_TOO_LARGE) } };
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
