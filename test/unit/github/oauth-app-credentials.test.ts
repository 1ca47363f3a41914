// The basic-auth endpoints of an OAuth client (the GitHub App's or the legacy OAuth App's), against nock.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { githubEndpoints } from "../../../src/config.js";
import { OAuthClientCredentials } from "../../../src/github/client-credentials.js";
import { ClientCredentialsError, GitHubRequestRejectedError, TerminalTokenError, TransientGitHubError } from "../../../src/github/errors.js";
import { OAuthAppCredentials } from "../../../src/github/oauth-app-credentials.js";

const GHE = githubEndpoints("ghe.example.com", "https");
const BASIC = `basic ${Buffer.from("Iv1.legacyclient:legacy-secret").toString("base64")}`;
const credentials = () =>
  new OAuthClientCredentials({
    github: GHE,
    client: { clientId: "Iv1.legacyclient", secrets: ["legacy-secret"], clientType: "oauth-app", idVariable: "LEGACY_OAUTH_CLIENT_ID", secretVariable: "LEGACY_OAUTH_CLIENT_SECRET" },
    timeoutMs: 2_000,
  });
const legacyApp = new OAuthAppCredentials({ github: GHE, credentials: credentials(), timeoutMs: 2_000 });
/** GitHub's token endpoint asked about the credentials with a made-up code. */
const tokenEndpoint = (error: "bad_verification_code" | "incorrect_client_credentials") =>
  nock("https://ghe.example.com").post("/login/oauth/access_token").reply(200, { error }).persist();
/** The client's endpoints on the Enterprise Server API root, with the client's own credentials. */
const clientApi = () => nock("https://ghe.example.com/api/v3", { reqheaders: { authorization: BASIC } });
const TOKEN = "gho_legacytoken";

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  tokenEndpoint("bad_verification_code");
});
afterEach(() => nock.cleanAll());

describe("checking a token (POST /applications/{client_id}/token)", () => {
  it("answers valid with the owner and the expiry GitHub reports", async () => {
    clientApi()
      .post("/applications/Iv1.legacyclient/token", { access_token: TOKEN })
      .reply(200, { token: TOKEN, expires_at: "2027-01-01T00:00:00Z", user: { login: "octocat", id: 583231 } });
    expect(await legacyApp.checkToken(TOKEN)).toEqual({
      valid: true,
      login: "octocat",
      githubId: 583231,
      expiresAt: new Date("2027-01-01T00:00:00Z"),
    });
  });

  it("answers valid without an expiry when the token does not expire", async () => {
    clientApi().post("/applications/Iv1.legacyclient/token").reply(200, { token: TOKEN, expires_at: null, user: { login: "octocat", id: 583231 } });
    expect(await legacyApp.checkToken(TOKEN)).toMatchObject({ valid: true, expiresAt: null });
  });

  it("reads 404 as a dead token under credentials GitHub confirmed: an answer, not an error", async () => {
    clientApi().post("/applications/Iv1.legacyclient/token").reply(404, { message: "Not Found" });
    expect(await legacyApp.checkToken(TOKEN)).toEqual({ valid: false });
  });

  it("never reads 404 as dead when GitHub rejects the client credentials: it throws naming the variable", async () => {
    nock.cleanAll();
    tokenEndpoint("incorrect_client_credentials");
    const wrong = new OAuthAppCredentials({ github: GHE, credentials: credentials(), timeoutMs: 2_000 });
    clientApi().post("/applications/Iv1.legacyclient/token").reply(404, { message: "Not Found" });
    await expect(wrong.checkToken(TOKEN)).rejects.toBeInstanceOf(ClientCredentialsError);
    await expect(wrong.deleteGrant(TOKEN)).rejects.toMatchObject({ variable: "LEGACY_OAUTH_CLIENT_SECRET" });
  });

  it("classifies GitHub's trouble: 503 is transient, 401 is bad client credentials, 422 is refused", async () => {
    clientApi().post("/applications/Iv1.legacyclient/token").reply(503, {});
    await expect(legacyApp.checkToken(TOKEN)).rejects.toBeInstanceOf(TransientGitHubError);
    clientApi().post("/applications/Iv1.legacyclient/token").reply(401, { message: "Bad credentials" });
    await expect(legacyApp.checkToken(TOKEN)).rejects.toBeInstanceOf(TerminalTokenError);
    clientApi().post("/applications/Iv1.legacyclient/token").reply(422, { message: "Validation Failed" });
    await expect(legacyApp.checkToken(TOKEN)).rejects.toBeInstanceOf(GitHubRequestRejectedError);
  });

  it("never puts the token or the client secret in its error messages", async () => {
    clientApi().post("/applications/Iv1.legacyclient/token").reply(500, { message: `echo ${TOKEN}` });
    const error = await legacyApp.checkToken(TOKEN).then(
      () => new Error("the check succeeded"),
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(TransientGitHubError);
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain("legacy-secret");
  });
});

describe("deleting a token (DELETE /applications/{client_id}/token)", () => {
  it("sends the token in the body and succeeds on 204", async () => {
    const scope = clientApi().delete("/applications/Iv1.legacyclient/token", { access_token: TOKEN }).reply(204);
    expect(await legacyApp.deleteToken(TOKEN)).toBe("revoked");
    expect(scope.isDone()).toBe(true);
  });

  it("reports an already dead token (404 under confirmed credentials) as such", async () => {
    clientApi().delete("/applications/Iv1.legacyclient/token").reply(404, { message: "Not Found" });
    await expect(legacyApp.deleteToken(TOKEN)).resolves.toBe("already_dead");
  });

  it("throws a transient error when GitHub cannot answer now", async () => {
    clientApi().delete("/applications/Iv1.legacyclient/token").reply(502, {});
    await expect(legacyApp.deleteToken(TOKEN)).rejects.toBeInstanceOf(TransientGitHubError);
  });
});

describe("deleting a grant (DELETE /applications/{client_id}/grant)", () => {
  it("deletes every token of the user for this client", async () => {
    const scope = clientApi().delete("/applications/Iv1.legacyclient/grant", { access_token: TOKEN }).reply(204);
    expect(await legacyApp.deleteGrant(TOKEN)).toBe("revoked");
    expect(scope.isDone()).toBe(true);
  });

  it("reports a grant already gone (404) as already dead, and a rate-limited 403 as transient", async () => {
    clientApi().delete("/applications/Iv1.legacyclient/grant").reply(404, { message: "Not Found" });
    await expect(legacyApp.deleteGrant(TOKEN)).resolves.toBe("already_dead");
    clientApi()
      .delete("/applications/Iv1.legacyclient/grant")
      .reply(403, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0", "retry-after": "30" });
    await expect(legacyApp.deleteGrant(TOKEN)).rejects.toMatchObject({ name: "TransientGitHubError", retryAfterSeconds: 30 });
  });
});
