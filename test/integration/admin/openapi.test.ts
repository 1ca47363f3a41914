import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { defineModels } from "../../../src/db/models/index.js";
import { connectDatabase } from "../../../src/db/connection.js";
import { createHttpApp, WEBHOOK_PATH } from "../../../src/index.js";
import { composeApp } from "../../../src/services.js";
import { captureLog } from "../../support/app.js";
import { testConfig } from "../../support/config.js";

const METHODS = ["get", "post", "put", "patch", "delete"];

function documentedRoutes(): Set<string> {
  const document = JSON.parse(readFileSync(new URL("../../../docs/api/openapi.json", import.meta.url), "utf8")) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const routes = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const method of Object.keys(operations).filter((key) => METHODS.includes(key))) routes.add(`${method.toUpperCase()} ${path}`);
  }
  return routes;
}

describe("the OpenAPI document", () => {
  it("describes exactly the routes the app registers, no more and no fewer", async () => {
    // Building the routes opens no connection; the pool is closed unused.
    const sequelize = connectDatabase({ url: "postgres://unused@127.0.0.1:1/unused" });
    const services = composeApp({ config: testConfig(), models: defineModels(sequelize), log: (await captureLog()).log }).services;
    const app = createHttpApp(services);
    await sequelize.close();

    const registered = new Set(
      app.routes
        .filter((route) => route.method !== "ALL")
        .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z_]+)/g, "{$1}")}`),
    );
    // Probot serves the webhook path itself, before the Hono app sees any request.
    registered.add(`POST ${WEBHOOK_PATH}`);

    const documented = documentedRoutes();
    expect([...registered].filter((route) => !documented.has(route)).sort()).toEqual([]);
    expect([...documented].filter((route) => !registered.has(route)).sort()).toEqual([]);
  });
});
