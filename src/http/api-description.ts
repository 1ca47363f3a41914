// How a route describes itself for the OpenAPI document (docs/api/openapi.json, GET /api/openapi.json):
// its answers as zod schemas, beside the handler that produces them. The document is generated from
// these descriptions and the input schemas of http/input.ts, so it cannot drift from the code.
import type { DescribeRouteOptions } from "hono-openapi";
import { resolver } from "hono-openapi";
import { z } from "zod";

type Responses = NonNullable<DescribeRouteOptions["responses"]>;

/** Every JSON error answer: `{ "error": code, "message": text }` (http/errors.ts). */
export const errorBody = z
  .object({
    error: z.string().meta({ description: "A stable code to act on, e.g. invalid_request, user_not_found" }),
    message: z.string().meta({ description: "What went wrong, for a person; names the offending field" }),
  })
  .meta({ id: "Error" });

/** A time as the API writes it: ISO 8601 in UTC, from Date.toISOString(). */
export const timestamp = z.string().meta({ format: "date-time" });

/** A response body schema as answered: the route's output, with no field left undocumented. */
export function answered(schema: z.ZodType) {
  return resolver(schema, { options: { io: "output" } });
}

/** A JSON answer whose body `schema` describes. */
export function jsonAnswer(description: string, schema: z.ZodType, headers?: Record<string, string>): Responses[string] {
  return {
    description,
    content: { "application/json": { schema: answered(schema) } },
    ...(headers && { headers: describeHeaders(headers) }),
  };
}

/** An error answer; `schema` when its body carries more than `{error, message}`. */
export interface ErrorAnswer {
  description: string;
  schema?: z.ZodType;
  headers?: Record<string, string>;
}

/** Error answers by status, each a description (the codes it may carry) or a fuller ErrorAnswer. */
export function errorAnswers(answers: Record<number, string | ErrorAnswer>): Responses {
  return Object.fromEntries(
    Object.entries(answers).map(([status, answer]) => {
      const { description, schema = errorBody, headers } = typeof answer === "string" ? { description: answer } : answer;
      return [status, jsonAnswer(description, schema, headers)];
    }),
  );
}

/** Every JSON route may answer these: the database is away, or something unforeseen broke. */
export const SERVER_ERRORS = {
  500: "`internal_error`: something went wrong on our side; it has been logged",
  503: { description: "`database_unavailable`: the database cannot be reached just now", headers: { "Retry-After": "Seconds to wait (5)" } },
} satisfies Record<number, string | ErrorAnswer>;

/** A body-limit refusal, before any handler reads the body. */
export const PAYLOAD_TOO_LARGE = { 413: "`payload_too_large`: request bodies are limited to 64 KiB" } as const;

/** An HTML page. */
export function pageAnswer(description: string): Responses[string] {
  return { description, content: { "text/html": { schema: { type: "string" } } } };
}

/** A form post's fields, as the page's form sends them. */
export function formBody(schema: z.ZodType): DescribeRouteOptions["requestBody"] {
  return { required: true, content: { "application/x-www-form-urlencoded": { schema: resolver(schema) } } };
}

/** A redirect (302/303) to where `description` says. */
export function redirectAnswer(description: string): Responses[string] {
  return { description, headers: describeHeaders({ Location: "Where the browser goes next" }) };
}

function describeHeaders(headers: Record<string, string>) {
  return Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: "string" as const } }]));
}
