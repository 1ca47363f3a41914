// The REST answers are GitHub's published shapes: each builder is typed with the schema from
// @octokit/openapi-types (tsc checks the assignments below), and each endpoint answers exactly what
// its builder produces.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { components, operations } from "@octokit/openapi-types";
import type { GitHubSimulator, SimulatorInstallation, SimulatorUser } from "../../simulator/index.js";
import {
  authorizationBody,
  installationBody, integrationBody,
  installationTokenBody,
  privateUserBody,
  repositoryBody,
  type ShapeContext,
} from "../../simulator/response-shapes.js";
import { TEST_APP, api, appJwt, basicAuth, startTestSimulator } from "../support/simulator-fixture.js";

type Schemas = components["schemas"];
type UserInstallations = operations["apps/list-installations-for-authenticated-user"]["responses"][200]["content"]["application/json"];
type InstallationRepositories = operations["apps/list-repos-accessible-to-installation"]["responses"][200]["content"]["application/json"];

let simulator: GitHubSimulator;
let shapes: ShapeContext;
let user: SimulatorUser;
let installation: SimulatorInstallation;

beforeAll(async () => {
  simulator = await startTestSimulator();
  shapes = { apiBaseUrl: `${simulator.url}/api/v3`, webBaseUrl: simulator.url, app: TEST_APP };
  user = simulator.addUser({ login: "octocat", name: "The Octocat" });
  installation = simulator.addInstallation({ account: { login: "octocat" }, repositories: [{ name: "hello-world", private: true }] });
});
afterAll(() => simulator.stop());

/** What a builder's value looks like once it went through JSON. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe("REST answers match @octokit/openapi-types", () => {
  it("GET /user answers a private-user", async () => {
    const { accessToken } = simulator.issueTokens("octocat", "app");
    const expected: Schemas["private-user"] = privateUserBody(shapes, user);
    expect(await (await api(simulator, "/user", { token: accessToken })).json()).toEqual(asJson(expected));
  });

  it("GET /user/installations answers total_count and installation objects", async () => {
    const { accessToken } = simulator.issueTokens("octocat", "app");
    const expected: UserInstallations = { total_count: 1, installations: [installationBody(shapes, installation)] };
    expect(await (await api(simulator, "/user/installations", { token: accessToken })).json()).toEqual(asJson(expected));
  });

  it("GET /app/installations answers installation objects", async () => {
    const expected: Array<Schemas["installation"]> = [installationBody(shapes, installation)];
    expect(await (await api(simulator, "/app/installations", { headers: { authorization: `Bearer ${appJwt()}` } })).json()).toEqual(asJson(expected));
  });

  it("GET /app answers the App's registration (with its slug), and only to the App's JWT", async () => {
    const expected: NonNullable<Schemas["integration"]> = integrationBody(shapes, 1);
    expect(await (await api(simulator, "/app", { headers: { authorization: `Bearer ${appJwt()}` } })).json()).toEqual(asJson(expected));
    expect(expected.slug).toBe(TEST_APP.slug);
    const { accessToken } = simulator.issueTokens("octocat", "app");
    expect((await api(simulator, "/app", { token: accessToken })).status).toBe(401);
  });

  it("POST /applications/{client_id}/token answers an authorization", async () => {
    const { accessToken } = simulator.issueTokens("octocat", "app");
    const response = await api(simulator, `/applications/${TEST_APP.clientId}/token`, {
      method: "POST",
      headers: { authorization: basicAuth(), "content-type": "application/json" },
      body: JSON.stringify({ access_token: accessToken }),
    });
    const body = (await response.json()) as Schemas["authorization"] & { created_at: string; updated_at: string; id: number };
    const record = {
      id: body.id,
      login: "octocat",
      client: { kind: "app" as const, clientId: TEST_APP.clientId },
      accessToken,
      refreshToken: null,
      refreshTokenExpiresAt: null,
      expiresAt: body.expires_at === null ? null : new Date(body.expires_at),
      createdAt: new Date(body.created_at),
      updatedAt: new Date(body.updated_at),
    };
    const expected: Schemas["authorization"] = authorizationBody(shapes, record, user, { clientId: TEST_APP.clientId, name: TEST_APP.slug, url: simulator.url });
    expect(body).toEqual(asJson(expected));
  });

  it("installation tokens and GET /installation/repositories answer installation-token and repository objects", async () => {
    const tokenResponse = await api(simulator, `/app/installations/${installation.id}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${appJwt()}` } });
    const token = (await tokenResponse.json()) as Schemas["installation-token"];
    const expectedToken: Schemas["installation-token"] = installationTokenBody(installation, { token: token.token, expiresAt: new Date(token.expires_at) });
    expect(token).toEqual(asJson(expectedToken));

    const expected: InstallationRepositories = {
      total_count: 1,
      repository_selection: "selected",
      repositories: installation.repositories.map((repository) => repositoryBody(shapes, installation.account, repository)),
    };
    expect(await (await api(simulator, "/installation/repositories", { token: token.token })).json()).toEqual(asJson(expected));
  });
});
