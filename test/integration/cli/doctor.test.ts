// `doctor` against the GitHub simulator, run as a maintainer runs it (the real bin/ entry in its own
// process): all green on a right set-up; a wrong secret turns that line red and the exit code non-zero.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { connectDatabase } from "../../../src/db/connection.js";
import { migrateToLatest } from "../../../src/db/migrator.js";
import type { DoctorReport } from "../../../src/doctor/doctor.js";
import { LEGACY_APP, startTestSimulator, TEST_APP } from "../../support/simulator-fixture.js";
import { testAppKeyPair, testEnv } from "../../support/config.js";
import { createEmptyTestDatabase } from "../../support/database.js";

const run = promisify(execFile);
const BASE_URL = new URL(TEST_APP.callbackUrl).origin;
const WEBHOOK_SECRET = "doctor-webhook-secret-long-enough";

describe("doctor", () => {
  let simulator: GitHubSimulator;
  let database: Awaited<ReturnType<typeof createEmptyTestDatabase>>;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    simulator = await startTestSimulator({
      app: { ...TEST_APP, oldClientSecret: "the-previous-secret", publicKey: testAppKeyPair().publicKey },
      webhook: { url: `${BASE_URL}/api/github/webhooks`, secret: WEBHOOK_SECRET },
    });
    database = await createEmptyTestDatabase();
    const sequelize = connectDatabase({ url: database.url });
    await migrateToLatest(sequelize);
    await sequelize.close();
    env = {
      ...process.env,
      ...testEnv({
        DATABASE_URL: database.url,
        GHE_HOST: simulator.host,
        GHE_PROTOCOL: "http",
        BASE_URL,
        WEBHOOK_SECRET,
        LEGACY_OAUTH_CLIENT_ID: LEGACY_APP.clientId,
        LEGACY_OAUTH_CLIENT_SECRET: LEGACY_APP.clientSecret,
      }),
      NODE_OPTIONS: "",
    };
  });
  afterAll(async () => {
    await simulator.stop();
    await database.drop();
  });

  async function doctor(overrides: Record<string, string> = {}, ...args: string[]) {
    try {
      const { stdout } = await run(process.execPath, ["bin/github-app-user-tokens.js", "doctor", ...args], { env: { ...env, ...overrides }, timeout: 90_000 });
      return { code: 0, stdout };
    } catch (error) {
      const failure = error as { code: number; stdout: string };
      return { code: failure.code, stdout: failure.stdout };
    }
  }

  it("is all green against the simulator, and says which secret of a rotation list works", async () => {
    const { code, stdout } = await doctor({ GITHUB_CLIENT_SECRET: `${TEST_APP.clientSecret},the-previous-secret` });
    expect(stdout).not.toMatch(/^(FAIL|WARN)/m);
    expect(code).toBe(0);
    for (const name of ["configuration", "database", "migrations", "App OAuth client", "legacy OAuth client", "App identity", "webhook", "callback URL"]) {
      expect(stdout).toMatch(new RegExp(`^ok  +${name}:`, "m"));
    }
    expect(stdout).toContain("GITHUB_CLIENT_SECRET lists 2 secrets: GitHub accepts secret 1, secret 2");
    expect(stdout).toContain("All checks passed.");
  }, 120_000);

  it("turns the legacy client's line red with a wrong secret, names the variable, and exits non-zero (--json too)", async () => {
    const text = await doctor({ LEGACY_OAUTH_CLIENT_SECRET: "not-the-legacy-secret" });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^FAIL  legacy OAuth client: GitHub rejects LEGACY_OAUTH_CLIENT_ID=legacy-client with LEGACY_OAUTH_CLIENT_SECRET/m);
    expect(text.stdout).toMatch(/^ok  +App OAuth client:/m);

    const json = await doctor({ LEGACY_OAUTH_CLIENT_SECRET: "not-the-legacy-secret" }, "--json");
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(report.checks.filter((check) => check.status !== "ok")).toEqual([
      expect.objectContaining({ name: "legacy OAuth client", status: "fail", fix: expect.stringContaining("LEGACY_OAUTH_CLIENT_SECRET") }),
    ]);
    expect(json.stdout).not.toContain("not-the-legacy-secret");
  }, 120_000);

  it("reports a callback URL GitHub would refuse and an unreachable database, each with its fix", async () => {
    const { code, stdout } = await doctor({ BASE_URL: "http://elsewhere.example:8080", DATABASE_URL: "postgres://postgres@127.0.0.1:1/nowhere" });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL  callback URL: GitHub refuses http:\/\/elsewhere\.example:8080\/auth\/callback/m);
    expect(stdout).toMatch(/^FAIL  database: not reachable/m);
    expect(stdout).toMatch(/fix: Check DATABASE_URL/);
  }, 120_000);
});
