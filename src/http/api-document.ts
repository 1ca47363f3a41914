// The OpenAPI document, generated from the routes' own descriptions and zod schemas: served at
// GET /api/openapi.json and written to docs/api/openapi.json by `npm run openapi`.
import type { Hono } from "hono";
import { describeRoute, generateSpecs } from "hono-openapi";
import { z } from "zod";
import { jsonAnswer } from "./api-description.js";

export const API_DOCUMENT_PATH = "/api/openapi.json";

export type ApiDocument = Awaited<ReturnType<typeof generateSpecs>>;

/** Probot serves GitHub's webhooks itself, before our routes see a request; described here by hand. */
function webhookPath(path: string) {
  return {
    [path]: {
      post: {
        tags: ["webhooks"],
        operationId: "postGithubWebhook",
        summary: "GitHub's webhook deliveries (served by Probot, signature checked on the raw body)",
        parameters: ["X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256"].map((name) => ({
          name,
          in: "header" as const,
          required: true,
          schema: { type: "string" as const },
        })),
        requestBody: { required: true, content: { "application/json": { schema: { type: "object" as const } } } },
        responses: { 200: { description: "Accepted" }, 400: { description: "Bad signature or payload" } },
      },
    },
  };
}

/** The document for `app`: every route that describes itself, plus the webhook path. */
export async function describeApi(app: Hono, { webhookPath: path }: { webhookPath: string }): Promise<ApiDocument> {
  return generateSpecs(app, {
    documentation: {
      info: {
        title: "github-app-user-tokens",
        version: "0.1.0",
        description:
          "Moves an application's users from legacy OAuth App tokens to GitHub App user access tokens. " +
          "Errors are JSON {error, message}; request bodies are limited to 64 KiB; unknown fields and query " +
          "parameters are refused with 400 naming them. Generated from the routes' zod schemas (npm run openapi).",
      },
      tags: [
        { name: "token API", description: "For the application's services (SERVICE_API_TOKEN)" },
        { name: "admin: migration", description: "For maintainers (ADMIN_API_TOKEN or a maintainer's session)" },
        { name: "admin: users" },
        { name: "admin: flags" },
        { name: "admin: installations" },
        { name: "admin: readiness", description: "Who would lose repository access after the switch; accounts missing the App" },
        { name: "user", description: "The user's own pages" },
        { name: "auth", description: "The GitHub App web flow" },
        { name: "dashboard", description: "The maintainers' HTML dashboard (session + CSRF token)" },
        { name: "health" },
        { name: "webhooks" },
      ],
      components: {
        securitySchemes: {
          serviceKey: { type: "http", scheme: "bearer", description: "SERVICE_API_TOKEN" },
          adminKey: { type: "http", scheme: "bearer", description: "ADMIN_API_TOKEN" },
          maintainerSession: {
            type: "apiKey",
            in: "cookie",
            name: "session",
            description:
              "The signed session cookie (__Host-session over https) of a login in ADMIN_GITHUB_LOGINS; " +
              "its writes must come from this service's own Origin",
          },
        },
      },
      paths: webhookPath(path),
    },
    // The dashboard's stylesheet is a route of ours too.
    excludeStaticFile: false,
    // Every route states its own 400 answer.
    defaultValidationErrorResponse: false,
  });
}

const apiDocumentJson = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) });

/** GET /api/openapi.json on `app` itself: public, and the same document as docs/api/openapi.json. */
export function serveApiDocument(app: Hono, options: { webhookPath: string }): void {
  let document: Promise<ApiDocument> | undefined;
  app.get(
    API_DOCUMENT_PATH,
    describeRoute({
      tags: ["health"],
      summary: "This document (OpenAPI 3.1), generated from the routes' zod schemas",
      responses: { 200: jsonAnswer("The OpenAPI document", apiDocumentJson) },
    }),
    async (c) => {
      document ??= describeApi(app, options);
      return c.json(await document);
    },
  );
}
