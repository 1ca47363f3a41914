import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { deliverDueNotifications, retryDelaySeconds, SKIPPED_MARK } from "../../../src/notifications/delivery.js";
import { enqueueNotification } from "../../../src/notifications/outbox.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const SECRET = "notify-secret-0123456789";

describe("notification delivery", () => {
  let database: TestDatabase;
  let receiver: Server;
  let url: string;
  let received: Received[];
  let answers: number[];

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
        response.statusCode = answers.shift() ?? 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    await database.drop();
  });
  beforeEach(async () => {
    received = [];
    answers = [];
    await database.models.Notification.destroy({ where: {} });
  });

  const enqueue = (githubId: number) =>
    database.sequelize.transaction((transaction) =>
      enqueueNotification(database.models, { eventType: "user.consent_required", payload: { github_id: githubId, login: `u${githubId}` } }, transaction),
    );

  it("writes the row only if the writer's transaction commits", async () => {
    await expect(
      database.sequelize.transaction(async (transaction) => {
        await enqueueNotification(database.models, { eventType: "token.revoked", payload: { github_id: 1 } }, transaction);
        throw new Error("the change it describes failed");
      }),
    ).rejects.toThrow("failed");
    expect(await database.models.Notification.count()).toBe(0);
  });

  it("POSTs JSON signed with HMAC-SHA256 over the raw body, with event and id headers", async () => {
    const row = await enqueue(42);
    const report = await deliverDueNotifications({ models: database.models, target: { url, secret: SECRET } });
    expect(report).toEqual({ delivered: 1, failed: 0, skipped: 0 });
    const [request] = received;
    const expected = `sha256=${createHmac("sha256", SECRET).update(request!.body).digest("hex")}`;
    expect(request!.headers["x-signature-256"]).toBe(expected);
    expect(request!.headers["x-notification-event"]).toBe("user.consent_required");
    expect(request!.headers["x-notification-id"]).toBe(String(row.id));
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request!.body)).toMatchObject({ id: row.id, event_type: "user.consent_required", payload: { github_id: 42, login: "u42" } });
    await row.reload();
    expect(row.deliveredAt).toBeInstanceOf(Date);
    expect(row.attempts).toBe(1);
  });

  it("retries a failed delivery with exponential backoff, then delivers it", async () => {
    const row = await enqueue(7);
    answers = [500, 503];
    let clock = Date.now();
    const deliver = () => deliverDueNotifications({ models: database.models, target: { url, secret: SECRET }, now: () => new Date(clock) });

    expect(await deliver()).toEqual({ delivered: 0, failed: 1, skipped: 0 });
    await row.reload();
    expect(row).toMatchObject({ attempts: 1, lastError: "receiver answered 500", deliveredAt: null });
    expect(row.nextAttemptAt.getTime()).toBe(clock + retryDelaySeconds(1) * 1000);

    expect(await deliver()).toEqual({ delivered: 0, failed: 0, skipped: 0 });

    clock += retryDelaySeconds(1) * 1000;
    expect(await deliver()).toEqual({ delivered: 0, failed: 1, skipped: 0 });
    await row.reload();
    expect(row).toMatchObject({ attempts: 2, lastError: "receiver answered 503" });
    expect(row.nextAttemptAt.getTime() - clock).toBe(retryDelaySeconds(2) * 1000);
    expect(retryDelaySeconds(2)).toBe(2 * retryDelaySeconds(1));

    clock += retryDelaySeconds(2) * 1000;
    expect(await deliver()).toEqual({ delivered: 1, failed: 0, skipped: 0 });
    await row.reload();
    expect(row).toMatchObject({ attempts: 3, lastError: null });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((request) => request.body)).size).toBe(1);
  });

  it("records an unreachable receiver as a failure to retry", async () => {
    const row = await enqueue(8);
    await deliverDueNotifications({ models: database.models, target: { url: "http://127.0.0.1:1/none", secret: SECRET } });
    await row.reload();
    expect(row.lastError).toMatch(/^receiver unreachable/);
    expect(row.deliveredAt).toBeNull();
  });

  it("shares the outbox between instances: each row is sent exactly once", async () => {
    for (let id = 100; id < 160; id += 1) await enqueue(id);
    const target = { url, secret: SECRET };
    const reports = await Promise.all([1, 2, 3].map(() => deliverDueNotifications({ models: database.models, target, limit: 25 })));
    const again = await deliverDueNotifications({ models: database.models, target });
    expect(reports.reduce((sum, report) => sum + report.delivered, 0) + again.delivered).toBe(60);
    const ids = received.map((request) => request.headers["x-notification-id"]);
    expect(new Set(ids).size).toBe(60);
    expect(ids).toHaveLength(60);
  });

  it("marks rows skipped, without sending, when no receiver is configured", async () => {
    const row = await enqueue(9);
    expect(await deliverDueNotifications({ models: database.models, target: null })).toEqual({ delivered: 0, failed: 0, skipped: 1 });
    await row.reload();
    expect(row.lastError).toBe(SKIPPED_MARK);
    expect(row.deliveredAt).toBeInstanceOf(Date);
    expect(received).toHaveLength(0);
  });
});
