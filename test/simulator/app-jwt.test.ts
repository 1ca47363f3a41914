import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../simulator/index.js";
import { api, appJwt, startTestSimulator, strangerPrivateKey, TEST_APP } from "../support/simulator-fixture.js";

let simulator: GitHubSimulator;
let installationId: number;

beforeAll(async () => {
  simulator = await startTestSimulator();
  installationId = simulator.addInstallation({ account: { login: "octo-org", type: "Organization" }, permissions: { metadata: "read" } }).id;
});
afterAll(() => simulator.stop());

function createInstallationToken(jwt: string, id = installationId) {
  return api(simulator, `/app/installations/${id}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt}` } });
}

describe("POST /app/installations/{id}/access_tokens", () => {
  it("answers 201 with a ghs_ token that lives one hour", async () => {
    const response = await createInstallationToken(appJwt());
    const body = (await response.json()) as { token: string; expires_at: string; permissions: object };
    expect(response.status).toBe(201);
    expect(body.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    expect(new Date(body.expires_at).getTime() - Date.now()).toBeGreaterThan(59 * 60 * 1000);
    expect(body.permissions).toEqual({ metadata: "read" });
  });

  it("accepts the App's client id as the issuer", async () => {
    expect((await createInstallationToken(appJwt({ claims: { iss: TEST_APP.clientId } }))).status).toBe(201);
  });

  it.each([
    ["signed with another key", () => appJwt({ privateKey: strangerPrivateKey() })],
    ["issued by another App", () => appJwt({ claims: { iss: 999 } })],
    ["expired", () => appJwt({ claims: { iat: Math.floor(Date.now() / 1000) - 700, exp: Math.floor(Date.now() / 1000) - 10 } })],
    ["valid for more than 10 minutes", () => appJwt({ claims: { exp: Math.floor(Date.now() / 1000) + 3600 } })],
    ["not a JWT at all", () => "not-a-jwt"],
  ])("answers 401 for a JWT %s", async (_case, jwt) => {
    const response = await createInstallationToken(jwt());
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: expect.any(String), documentation_url: expect.any(String) });
  });

  it("answers 404 for an unknown installation and 403 for a suspended one", async () => {
    expect((await createInstallationToken(appJwt(), 424242)).status).toBe(404);
    const suspended = simulator.addInstallation({ account: { login: "sleepy-org", type: "Organization" } });
    suspended.suspendedAt = new Date().toISOString();
    expect((await createInstallationToken(appJwt(), suspended.id)).status).toBe(403);
  });

  it("refuses a user token where a JWT is required", async () => {
    simulator.addUser({ login: "octocat" });
    const { accessToken } = simulator.issueTokens("octocat", "app");
    expect((await api(simulator, "/app/installations", { token: accessToken })).status).toBe(401);
  });
});
