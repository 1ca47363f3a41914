// The foundation's promise for webhooks: GitHub's real payload, signed, through Probot's real
// middleware, reaches a handler; a forged one reaches nothing.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createNodeMiddleware, Probot } from "probot";
import { testAppKeyPair } from "../support/config.js";
import { captureLog } from "../support/app.js";
import { webhookExamples } from "../support/webhook-examples.js";
import { sendWebhook } from "../support/webhooks.js";

describe("Probot's webhook middleware", () => {
  const secret = "middleware-secret";
  const received: Array<{ id: string; action: string }> = [];
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const { log } = await captureLog("error");
    const probot = new Probot({ appId: 1, privateKey: testAppKeyPair().privateKey, secret, log });
    const middleware = await createNodeMiddleware(
      (app) => {
        app.on("installation.created", async (context) => {
          received.push({ id: context.id, action: context.payload.action });
        });
      },
      { probot },
    );
    server = createServer((req, res) => {
      void middleware(req, res, () => res.writeHead(404).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("delivers a signed installation.created example to the handler", async () => {
    const [example] = webhookExamples("installation").filter((candidate) => candidate.action === "created");
    const result = await sendWebhook({ appUrl: url, event: "installation", payload: example!.payload, secret });
    expect(result.status).toBe(200);
    expect(received).toEqual([{ id: result.deliveryId, action: "created" }]);
  });

  it("answers a bad signature with 400 and calls no handler", async () => {
    received.length = 0;
    const [example] = webhookExamples("installation").filter((candidate) => candidate.action === "created");
    const result = await sendWebhook({ appUrl: url, event: "installation", payload: example!.payload, secret: "wrong" });
    expect(result.status).toBe(400);
    expect(received).toEqual([]);
  });
});
