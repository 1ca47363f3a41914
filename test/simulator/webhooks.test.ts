import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { verify } from "@octokit/webhooks-methods";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { GitHubSimulator, SimulatorInstallation } from "../../simulator/index.js";
import { TEST_APP, api, appJwt, startTestSimulator } from "../support/simulator-fixture.js";

const SECRET = "webhook-secret-for-tests";

interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  payload: Record<string, any>;
}

let receiver: Server;
let received: ReceivedWebhook[] = [];
let answerStatus = 200;
let simulator: GitHubSimulator;
let installation: SimulatorInstallation;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      received.push({ headers: request.headers, body, payload: JSON.parse(body) as Record<string, any> });
      response.writeHead(answerStatus).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`;
  simulator = await startTestSimulator({ webhook: { url, secret: SECRET } });
  simulator.addUser({ login: "octocat", id: 583231 });
  simulator.addUser({ login: "hubot" });
});
beforeEach(() => {
  received = [];
  answerStatus = 200;
  simulator.reset();
  installation = simulator.addInstallation({
    account: { login: "octo-org", type: "Organization" },
    repositories: [{ name: "hello-world" }],
    userLogins: ["octocat"],
  });
});
afterAll(async () => {
  await simulator.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

const lastReceived = () => received.at(-1) as ReceivedWebhook;

describe("sending webhooks", () => {
  it("signs the body with X-Hub-Signature-256 and sends GitHub's headers", async () => {
    const result = await simulator.sendWebhook("installation", "created", { installationId: installation.id });
    const { headers, body } = lastReceived();
    expect(result).toMatchObject({ status: 200, deliveryId: result.guid });
    expect(await verify(SECRET, body, String(headers["x-hub-signature-256"]))).toBe(true);
    expect(headers).toMatchObject({
      "x-github-event": "installation",
      "x-github-delivery": result.guid,
      "x-github-hook-id": expect.any(String),
      "x-github-hook-installation-target-id": String(TEST_APP.id),
      "x-github-hook-installation-target-type": "integration",
      "user-agent": expect.stringMatching(/^GitHub-Hookshot\//),
      "content-type": "application/json",
    });
  });

  it("builds installation.created from GitHub's example with the simulator's ids and logins", async () => {
    await simulator.sendWebhook("installation", "created", { installationId: installation.id, login: "octocat" });
    const { payload } = lastReceived();
    expect(payload.action).toBe("created");
    expect(payload.installation).toMatchObject({ id: installation.id, app_id: TEST_APP.id, account: { login: "octo-org", type: "Organization" } });
    expect(payload.repositories).toEqual([expect.objectContaining({ name: "hello-world", full_name: "octo-org/hello-world" })]);
    expect(payload.sender).toMatchObject({ login: "octocat", id: 583231 });
  });

  it("suspends, unsuspends and deletes the installation it reports on", async () => {
    await simulator.sendWebhook("installation", "suspend", { installationId: installation.id });
    expect(lastReceived().payload.installation.suspended_at).toEqual(expect.any(String));
    await simulator.sendWebhook("installation", "unsuspend", { installationId: installation.id });
    expect(lastReceived().payload.installation.suspended_at).toBeNull();
    await simulator.sendWebhook("installation", "deleted", { installationId: installation.id });
    const listed = (await (await api(simulator, "/app/installations", { headers: { authorization: `Bearer ${appJwt()}` } })).json()) as Array<{ id: number }>;
    expect(listed.map((item) => item.id)).not.toContain(installation.id);
  });

  it("sends installation_repositories added and removed with the repositories that changed", async () => {
    await simulator.sendWebhook("installation_repositories", "added", { installationId: installation.id, repositories: [{ name: "new-one", id: 31337 }] });
    expect(lastReceived().payload).toMatchObject({
      repositories_added: [{ id: 31337, name: "new-one", full_name: "octo-org/new-one" }],
      repositories_removed: [],
      installation: { id: installation.id },
    });
    await simulator.sendWebhook("installation_repositories", "removed", { installationId: installation.id, repositories: [{ name: "hello-world" }] });
    expect(lastReceived().payload.repositories_removed).toEqual([expect.objectContaining({ name: "hello-world" })]);
    expect(installation.repositories.map((repository) => repository.name)).toEqual(["new-one"]);
  });

  it("sends installation_target.renamed with account, changes.login.from, installation.id and target_type", async () => {
    await simulator.sendWebhook("installation_target", "renamed", { installationId: installation.id, login: "octo-corp" });
    expect(lastReceived().payload).toMatchObject({
      action: "renamed",
      account: { login: "octo-corp", id: installation.account.id },
      changes: { login: { from: "octo-org" } },
      installation: { id: installation.id },
      sender: { login: expect.any(String) },
      target_type: "Organization",
    });
  });

  it("revokeGrant kills the user's App tokens and sends github_app_authorization.revoked without an installation", async () => {
    const appTokens = simulator.issueTokens("hubot", "app");
    const legacyToken = simulator.issueTokens("hubot", "legacy");
    await simulator.revokeGrant("hubot");
    expect(simulator.isTokenValid(appTokens.accessToken)).toBe(false);
    expect(simulator.isTokenValid(legacyToken.accessToken)).toBe(true);
    const { headers, payload } = lastReceived();
    expect(headers["x-github-event"]).toBe("github_app_authorization");
    expect(payload).toMatchObject({ action: "revoked", sender: { login: "hubot" } });
    expect(payload).not.toHaveProperty("installation");
  });
});

describe("deliveries", () => {
  it("records each send with the target's status code, OK or failed", async () => {
    await simulator.sendWebhook("installation", "new_permissions_accepted", { installationId: installation.id });
    answerStatus = 500;
    const failed = await simulator.sendWebhook("installation", "suspend", { installationId: installation.id });
    expect(failed.status).toBe(500);
    expect(simulator.deliveries()).toEqual([
      expect.objectContaining({ event: "installation", action: "new_permissions_accepted", statusCode: 200, redelivery: false }),
      expect.objectContaining({ event: "installation", action: "suspend", statusCode: 500, redelivery: false }),
    ]);
    const listed = (await (await api(simulator, "/app/hook/deliveries", { headers: { authorization: `Bearer ${appJwt()}` } })).json()) as Array<Record<string, unknown>>;
    expect(listed[0]).toEqual({
      id: failed.id,
      guid: failed.guid,
      delivered_at: expect.any(String),
      redelivery: false,
      duration: expect.any(Number),
      status: "Invalid HTTP Response: 500",
      status_code: 500,
      event: "installation",
      action: "suspend",
      installation_id: installation.id,
      repository_id: null,
      throttled_at: null,
    });
    expect(listed[1]).toMatchObject({ status: "OK", status_code: 200 });
  });

  it("lists deliveries newest first with cursor pagination and a Link header", async () => {
    for (let count = 0; count < 5; count++) await simulator.sendWebhook("installation", "new_permissions_accepted", { installationId: installation.id });
    const headers = { authorization: `Bearer ${appJwt()}` };
    const seen: number[] = [];
    let next: string | undefined = `${simulator.url}/api/v3/app/hook/deliveries?per_page=2`;
    while (next) {
      const response: Response = await fetch(next, { headers });
      seen.push(...((await response.json()) as Array<{ id: number }>).map((item) => item.id));
      next = /<([^>]+)>; rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
      if (next) expect(next).toContain("cursor=");
    }
    expect(seen).toEqual(simulator.deliveries().map((delivery) => delivery.id).reverse());
  });

  it("redelivers on POST /app/hook/deliveries/{id}/attempts: 202, same guid, a new delivery marked redelivery", async () => {
    answerStatus = 503;
    const original = await simulator.sendWebhook("installation", "new_permissions_accepted", { installationId: installation.id });
    answerStatus = 200;
    const response = await api(simulator, `/app/hook/deliveries/${original.id}/attempts`, { method: "POST", headers: { authorization: `Bearer ${appJwt()}` } });
    expect(response.status).toBe(202);
    expect(lastReceived().headers["x-github-delivery"]).toBe(original.guid);
    expect(received[0]?.body).toBe(lastReceived().body);
    expect(simulator.deliveries().at(-1)).toMatchObject({ guid: original.guid, redelivery: true, statusCode: 200 });
    expect(simulator.deliveries().at(-1)?.id).not.toBe(original.id);
  });

  it("answers 404 when redelivering an unknown delivery", async () => {
    const response = await api(simulator, "/app/hook/deliveries/1/attempts", { method: "POST", headers: { authorization: `Bearer ${appJwt()}` } });
    expect(response.status).toBe(404);
  });
});
