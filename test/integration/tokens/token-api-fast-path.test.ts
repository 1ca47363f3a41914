// The token route's fast path (answered from node:http ahead of Probot and Hono) must answer exactly
// what the Hono route answers: the same status, body and headers for every kind of request.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createServer, type Server } from "node:http";
import type { Hono } from "hono";
import { createHttpApp, createTokenApiFastPath } from "../../../src/index.js";
import { seedUser, startVaultWorld, type VaultWorld } from "../../support/vault-fixture.js";

let world: VaultWorld;
let honoApp: Hono;
let fastPathOnly: Server;
let fastPathUrl: string;

beforeAll(async () => {
  world = await startVaultWorld();
  honoApp = createHttpApp(world.app.services);
  // The fast path alone: whatever it declines gets a 418, so a test sees it never fell through.
  const fastPath = await createTokenApiFastPath(world.app.services);
  fastPathOnly = createServer((request, response) => {
    if (!fastPath(request, response)) response.writeHead(418).end();
  });
  await new Promise<void>((resolve) => fastPathOnly.listen(0, "127.0.0.1", resolve));
  fastPathUrl = `http://127.0.0.1:${(fastPathOnly.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => fastPathOnly?.close(resolve));
  await world?.stop();
});

/** Headers that belong to the connection, not to the answer. */
const TRANSPORT_HEADERS = new Set(["date", "connection", "keep-alive", "content-length", "transfer-encoding"]);

async function both(path: string, headers: Record<string, string>) {
  // A consent link carries its expiry in seconds: two answers a second boundary apart differ only there.
  const withoutExpiry = ({ consent_url: consentUrl, ...body }: Record<string, unknown>) =>
    consentUrl === undefined ? body : { ...body, consent_url: new URL(String(consentUrl)).pathname };
  const read = async (response: Response) => ({
    status: response.status,
    body: withoutExpiry((await response.json()) as Record<string, unknown>),
    headers: Object.fromEntries([...response.headers.entries()].filter(([name]) => !TRANSPORT_HEADERS.has(name))),
  });
  const [fast, hono] = await Promise.all([read(await fetch(`${fastPathUrl}${path}`, { headers })), read(await honoApp.request(path, { headers }))]);
  return { fast, hono };
}

describe("the token API's fast path", () => {
  const serviceKey = () => ({ authorization: `Bearer ${world.app.services.config.serviceApiToken}` });

  it.each([
    ["a fresh token", async () => `/api/v1/users/${(await seedUser(world.app.services, world.simulator)).githubId}/token`, serviceKey],
    ["no key", async () => "/api/v1/users/1/token", () => ({})],
    ["a wrong key", async () => "/api/v1/users/1/token", () => ({ authorization: "Bearer not-the-key" })],
    ["the admin key", async () => "/api/v1/users/1/token", () => ({ authorization: `Bearer ${world.app.services.config.adminApiToken}` })],
    ["a malformed id", async () => "/api/v1/users/12ab/token", serviceKey],
    ["an unknown user", async () => "/api/v1/users/987654321/token", serviceKey],
    ["an unknown query parameter", async () => "/api/v1/users/1/token?fresh=1", serviceKey],
    ["min_valid_seconds too large", async () => "/api/v1/users/1/token?min_valid_seconds=999999", serviceKey],
    ["min_valid_seconds not a number", async () => "/api/v1/users/1/token?min_valid_seconds=soon", serviceKey],
    [
      "a user who must authorize again",
      async () => `/api/v1/users/${(await seedUser(world.app.services, world.simulator, { app: false })).githubId}/token`,
      serviceKey,
    ],
  ])("answers %s exactly as the Hono route does", async (_case, path, headers) => {
    const { fast, hono } = await both(await path(), headers());
    expect(fast).toEqual(hono);
    expect(fast.headers["cache-control"]).toBe("no-store");
    expect(fast.headers["content-security-policy"]).toContain("default-src 'self'");
  });

  it("declines what is not its route, so Probot and Hono answer it", async () => {
    for (const [path, method] of [
      ["/api/v1/users/1/token/", "GET"],
      ["/api/v1/users/1/token", "POST"],
      ["/api/v1/users/1/token", "HEAD"],
      ["/healthz", "GET"],
      ["/api/v1/users/%E0%A4%A/token", "GET"],
    ] as const) {
      expect((await fetch(`${fastPathUrl}${path}`, { method })).status).toBe(418);
    }
  });
});
