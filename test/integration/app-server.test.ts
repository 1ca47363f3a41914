import { describe, expect, it } from "@jest/globals";
import { webhookExamples } from "../support/webhook-examples.js";
import { sendWebhook } from "../support/webhooks.js";
import { useTestAppOnFreshDatabase } from "../support/app-on-fresh-database.js";

describe("a running app instance", () => {
  const running = useTestAppOnFreshDatabase();

  it("answers /healthz and /readyz with 200 while the database is up", async () => {
    const health = await fetch(`${running.app.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${running.app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { database: "up" } });
  });

  it("serves Prometheus metrics", async () => {
    const response = await fetch(`${running.app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    expect(await response.text()).toContain("process_cpu_user_seconds_total");
  });

  it("answers unknown routes with a JSON 404 naming the route", async () => {
    const response = await fetch(`${running.app.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "not_found", message: "No route for GET /nope." });
  });

  it("sets security headers on every answer", async () => {
    const response = await fetch(`${running.app.url}/healthz`);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("refuses a body over the limit before any route reads it", async () => {
    const response = await fetch(`${running.app.url}/healthz`, { method: "POST", body: "x".repeat(70 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: "payload_too_large" });
  });

  it("hands signed webhooks to Probot and refuses a bad signature with 400", async () => {
    const [example] = webhookExamples("installation").filter((candidate) => candidate.action === "created");
    const secret = running.app.services.config.webhookSecret;
    const good = await sendWebhook({ appUrl: running.app.url, event: "installation", payload: example!.payload, secret });
    expect(good.status).toBe(200);
    const forged = await sendWebhook({
      appUrl: running.app.url,
      event: "installation",
      payload: example!.payload,
      secret,
      signature: "sha256=0000000000000000000000000000000000000000000000000000000000000000",
    });
    expect(forged.status).toBe(400);
  });

  it("goes 503 on /readyz when the database is unreachable", async () => {
    const { connectDatabase } = await import("../../src/db/connection.js");
    const { healthRoutes } = await import("../../src/http/health-routes.js");
    const unreachable = connectDatabase({ url: "postgres://postgres@127.0.0.1:1/none" });
    const response = await healthRoutes({ sequelize: unreachable }).request("/readyz");
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "unavailable", checks: { database: "down" } });
    await unreachable.close();
  });
});
