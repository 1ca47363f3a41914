import { describe, expect, it } from "@jest/globals";
import { compileErrors, validate } from "@readme/openapi-parser";
import { readFileSync } from "node:fs";
import { defineModels } from "../../../src/db/models/index.js";
import { connectDatabase } from "../../../src/db/connection.js";
import { API_DOCUMENT_PATH } from "../../../src/http/api-document.js";
import { createHttpApp, WEBHOOK_PATH } from "../../../src/index.js";
import { composeApp } from "../../../src/services.js";
import { API_DOCUMENT_FILE, apiDocumentText, generateApiDocument } from "../../../scripts/api-document.js";
import { committedApiDocument } from "../../support/api-document.js";
import { captureLog } from "../../support/app.js";
import { testConfig } from "../../support/config.js";

const METHODS = ["get", "post", "put", "patch", "delete"];

function documentedRoutes(): Set<string> {
  const routes = new Set<string>();
  for (const [path, operations] of Object.entries(committedApiDocument().paths)) {
    for (const method of Object.keys(operations).filter((key) => METHODS.includes(key))) routes.add(`${method.toUpperCase()} ${path}`);
  }
  return routes;
}

async function buildHttpApp() {
  // Building the routes opens no connection; the pool is closed unused.
  const sequelize = connectDatabase({ url: "postgres://unused@127.0.0.1:1/unused" });
  const services = composeApp({ config: testConfig(), models: defineModels(sequelize), log: (await captureLog()).log }).services;
  const app = createHttpApp(services);
  await sequelize.close();
  return app;
}

describe("the OpenAPI document", () => {
  it("describes exactly the routes the app registers, no more and no fewer", async () => {
    const registered = new Set(
      (await buildHttpApp()).routes
        .filter((route) => route.method !== "ALL")
        .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z_]+)/g, "{$1}")}`),
    );
    // Probot serves the webhook path itself, before the Hono app sees any request.
    registered.add(`POST ${WEBHOOK_PATH}`);

    const documented = documentedRoutes();
    expect([...registered].filter((route) => !documented.has(route)).sort()).toEqual([]);
    expect([...documented].filter((route) => !registered.has(route)).sort()).toEqual([]);
  });

  it("is committed as the routes generate it (run `npm run openapi` after changing a route)", async () => {
    expect(readFileSync(API_DOCUMENT_FILE, "utf8")).toBe(apiDocumentText(await generateApiDocument()));
  });

  it("is valid OpenAPI 3.1", async () => {
    const result = await validate(committedApiDocument() as unknown as Parameters<typeof validate>[0]);
    expect(result.valid ? "valid" : compileErrors(result)).toBe("valid");
    expect(result.specification).toBe("OpenAPI");
  });

  it("is served publicly at GET /api/openapi.json, the same as the committed file", async () => {
    const response = await (await buildHttpApp()).request(API_DOCUMENT_PATH);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(committedApiDocument());
  });

  it("gives every JSON error answer a body schema and every operation a summary and tag", () => {
    const lacking: string[] = [];
    for (const [path, operations] of Object.entries(committedApiDocument().paths)) {
      for (const [method, operation] of Object.entries(operations) as Array<[string, { summary?: string; tags?: string[]; responses: Record<string, { content?: object }> }]>) {
        if (!operation.summary || !operation.tags?.length) lacking.push(`${method.toUpperCase()} ${path}: summary or tag`);
        if (!path.startsWith("/api/v1/")) continue;
        for (const [status, answer] of Object.entries(operation.responses)) {
          if (!answer.content) lacking.push(`${method.toUpperCase()} ${path} ${status}: no body schema`);
        }
      }
    }
    expect(lacking).toEqual([]);
  });
});
