// Logs a maintainer can read: a forged or unsigned webhook is one warn line without a stack (and a
// metric), expected client errors and 503s stay at info without stacks, and /metrics can be closed.
import { describe, expect, it } from "@jest/globals";
import { useTestAppOnFreshDatabase } from "../../support/app-on-fresh-database.js";
import { webhookExamples } from "../../support/webhook-examples.js";
import { sendWebhook } from "../../support/webhooks.js";

const METRICS_TOKEN = "metrics-bearer-token-for-tests";

describe("quiet logs", () => {
  const world = useTestAppOnFreshDatabase({ logLevel: "info", env: { METRICS_TOKEN } });
  const warnOrWorse = () => world.app.logLines().filter((line) => (line.level as number) >= 40);
  const withStack = () => world.app.logLines().filter((line) => JSON.stringify(line).includes('"stack"'));
  const metrics = async (token: string | null = METRICS_TOKEN) =>
    fetch(`${world.app.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const installationCreated = () => webhookExamples("installation").find((example) => example.action === "created")!.payload;

  it("answers one forged webhook with 400, exactly one warn line, no stack trace, and a counted metric", async () => {
    const before = world.app.logLines().length;
    const result = await sendWebhook({ appUrl: world.app.url, event: "installation", payload: installationCreated(), secret: "not-the-webhook-secret" });
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: "invalid_signature" });
    const lines = world.app.logLines().slice(before);
    expect(lines.filter((line) => (line.level as number) >= 40)).toEqual([
      expect.objectContaining({ level: 40, event: "webhook.refused", reason: "invalid_signature", delivery: result.deliveryId }),
    ]);
    expect(withStack()).toEqual([]);
    expect(await (await metrics()).text()).toMatch(/webhook_signature_rejections_total\{reason="invalid_signature"\} 1\b/);
  });

  it("treats an unsigned delivery the same way, and still processes a signed one", async () => {
    const warnings = warnOrWorse().length;
    const unsigned = await fetch(`${world.app.url}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "installation", "x-github-delivery": "unsigned-1" },
      body: JSON.stringify(installationCreated()),
    });
    expect(unsigned.status).toBe(400);
    expect(warnOrWorse().length).toBe(warnings + 1);

    const signed = await sendWebhook({ appUrl: world.app.url, event: "installation", payload: installationCreated(), secret: world.app.services.config.webhookSecret });
    expect(signed.status).toBe(200);
    expect(await world.app.services.models.WebhookDelivery.count({ where: { deliveryId: signed.deliveryId } })).toBe(1);
    expect(withStack()).toEqual([]);
  });

  it("logs expected client errors without a warning or a stack", async () => {
    const warnings = warnOrWorse().length;
    const admin = await fetch(`${world.app.url}/api/v1/admin/migration`, { headers: { authorization: "Bearer wrong" } });
    expect(admin.status).toBe(401);
    const page = await fetch(`${world.app.url}/auth/callback?state=forged&code=x`);
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(page.status).toBeLessThan(500);
    expect(warnOrWorse().length).toBe(warnings);
    expect(withStack()).toEqual([]);
  });

  it("protects /metrics with METRICS_TOKEN when it is set", async () => {
    expect((await metrics(null)).status).toBe(401);
    expect((await metrics("wrong-token")).status).toBe(401);
    const open = await metrics();
    expect(open.status).toBe(200);
    expect(await open.text()).toContain("process_cpu_seconds_total");
  });
});
