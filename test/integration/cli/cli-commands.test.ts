// Every CLI command as a maintainer meets it: its text output, its --json document, and one input it
// refuses (one line on stderr, or {"error","message"} on stdout under --json; a non-zero exit).
// Run in-process (runCli with captured streams) over a real database and the GitHub simulator.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { runCli } from "../../../src/cli/run-cli.js";
import { loadConfig } from "../../../src/config.js";
import { defineModels } from "../../../src/db/models/index.js";
import { composeApp, type Services } from "../../../src/services.js";
import { startTestSimulator } from "../../support/simulator-fixture.js";
import { captureLog } from "../../support/app.js";
import { testEnv } from "../../support/config.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { migrationEnv } from "../../support/migration-fixture.js";
import { seedUser, type SeededUser } from "../../support/vault-fixture.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe("every CLI command", () => {
  let database: TestDatabase;
  let simulator: GitHubSimulator;
  let env: Record<string, string | undefined>;
  let services: Services;
  let withAppToken: SeededUser;
  let importFile: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    simulator = await startTestSimulator();
    env = testEnv({ ...migrationEnv(simulator), DATABASE_URL: database.url, LOG_LEVEL: "error" });
    ({ services } = composeApp({ config: loadConfig({ env }), models: defineModels(database.sequelize), log: (await captureLog()).log }));
    withAppToken = await seedUser(services, simulator, { legacy: true, status: "pending" });
    const legacyUsers = ["cli-ada", "cli-grace"].map((login) => simulator.addUser({ login }));
    importFile = path.join(mkdtempSync(path.join(tmpdir(), "gaut-cli-")), "users.jsonl");
    writeFileSync(
      importFile,
      legacyUsers.map((user) => JSON.stringify({ github_id: user.id, login: user.login, access_token: simulator.issueTokens(user.login, "legacy").accessToken })).join("\n"),
    );
  });
  afterAll(async () => {
    await simulator.stop();
    await database.drop();
  });

  async function cli(...argv: string[]): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const code = await runCli(argv, {
      env,
      streams: { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text), isTTY: false } },
    });
    return { code, stdout, stderr };
  }

  /** The command's text, its JSON, and a refused input, as the three runs a maintainer would see. */
  async function expectCommand(
    argv: string[],
    { text, json, bad, badMessage }: { text: RegExp; json: (value: unknown) => void; bad: string[]; badMessage: RegExp },
  ): Promise<void> {
    const asText = await cli(...argv);
    expect(asText).toMatchObject({ code: 0, stdout: expect.stringMatching(text) });
    // The embedded Postgres of a plain `npm test` has a password: the line masks it.
    expect(asText.stderr).toMatch(/using postgres:\/\/postgres(:\*\*\*)?@/);
    const asJson = await cli(...argv, "--json");
    expect(asJson.code).toBe(0);
    json(JSON.parse(asJson.stdout));

    const refused = await cli(...bad);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    const errorLines = refused.stderr.split("\n").filter((line) => line.startsWith("error: "));
    expect(errorLines).toEqual([expect.stringMatching(badMessage)]);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const refusedAsJson = await cli(...bad, "--json");
    expect(refusedAsJson.code).toBe(2);
    expect(JSON.parse(refusedAsJson.stdout)).toEqual({ error: expect.any(String), message: expect.stringMatching(badMessage) });
  }

  it("users import", async () => {
    await expectCommand(["users", "import", "--file", importFile], {
      text: /imported: 2 created, 0 updated, 0 skipped of 2 read/,
      json: (report) => expect(report).toMatchObject({ read: 2, created: 0, updated: 2, rejected: 0 }),
      bad: ["users", "import", "--file", "/nonexistent/users.jsonl"],
      badMessage: /no such file/,
    });
  });

  it("users show", async () => {
    await expectCommand(["users", "show", "--login", withAppToken.login], {
      text: new RegExp(`^${withAppToken.login} \\(${withAppToken.githubId}\\): pending`),
      json: (detail) => expect(detail).toMatchObject({ github_id: withAppToken.githubId, status: "pending" }),
      bad: ["users", "show", "--login", "nobody-here"],
      badMessage: /No user with the GitHub login nobody-here/,
    });
    expect((await cli("users", "show", "--github-id", String(withAppToken.githubId))).code).toBe(0);
  });

  it("users list", async () => {
    // cli-ada and cli-grace came in through `users import` above.
    await expectCommand(["users", "list", "--query", "CLI-"], {
      text: /^cli-ada \(\d+\): pending, last change .*\ncli-grace \(\d+\): pending/,
      json: (page) =>
        expect(page).toEqual({ users: [expect.objectContaining({ login: "cli-ada" }), expect.objectContaining({ login: "cli-grace" })], next_cursor: null }),
      bad: ["users", "list", "--status", "frozen"],
      badMessage: /--status must be one of pending, /,
    });
    const first = await cli("users", "list", "--query", "cli-", "--sort", "oldest", "--limit", "1");
    const cursor = /More: --cursor (\S+)/.exec(first.stdout)?.[1];
    expect(cursor).toBeDefined();
    const next = await cli("users", "list", "--query", "cli-", "--sort", "oldest", "--limit", "1", "--cursor", cursor!);
    expect(next.code).toBe(0);
    expect(next.stdout.split("\n")[0]).not.toBe(first.stdout.split("\n")[0]);
    // A cursor read in another order would skip or repeat users: refused, naming the option.
    const otherOrder = await cli("users", "list", "--query", "cli-", "--cursor", cursor!);
    expect(otherOrder).toMatchObject({ code: 2, stderr: expect.stringContaining("--cursor belongs to another sort") });
  });

  it("users validate", async () => {
    await expectCommand(["users", "validate", "--login", withAppToken.login, "--actor", "octo-maintainer"], {
      text: /: valid; status migrated/,
      json: (answer) => expect(answer).toMatchObject({ github_id: withAppToken.githubId, status: "migrated", result: { ok: true } }),
      bad: ["users", "validate", "--github-id", "three"],
      badMessage: /--github-id must be a GitHub user id/,
    });
  });

  it("flags set", async () => {
    await expectCommand(["flags", "set", "--name", "oauth_token_deprecation_date", "--value", "null", "--yes"], {
      text: /oauth_token_deprecation_date: null → null/,
      json: (change) => expect(change).toMatchObject({ name: "oauth_token_deprecation_date", newValue: null }),
      bad: ["flags", "set", "--name", "github_app_tokens_rollout_percent", "--value", "150"],
      badMessage: /Flag github_app_tokens_rollout_percent accepts a whole number from 0 to 100/,
    });
  });

  it("flags list", async () => {
    await expectCommand(["flags", "list"], {
      text: /oauth_token_deprecation_date = null {2}\(database, set by cli/,
      json: (flags) => expect(flags).toEqual(expect.arrayContaining([expect.objectContaining({ name: "oauth_token_deprecation_date", value: null, source: "database" })])),
      bad: ["flags", "list", "--verbose"],
      badMessage: /Unknown option '--verbose'/,
    });
  });

  it("flags history", async () => {
    await expectCommand(["flags", "history"], {
      text: /oauth_token_deprecation_date: null → null by cli/,
      json: (changes) => expect(changes).toEqual(expect.arrayContaining([expect.objectContaining({ name: "oauth_token_deprecation_date" })])),
      bad: ["flags", "history", "--name", "no_such_flag"],
      badMessage: /There is no flag named "no_such_flag"/,
    });
  });

  it("migration batch", async () => {
    await expectCommand(["migration", "batch", "--size", "1"], {
      text: /^batch #\d+ finished: claimed 1/m,
      json: (batches) => expect(batches).toEqual([expect.objectContaining({ state: "finished", counts: expect.objectContaining({ claimed: 1 }) })]),
      bad: ["migration", "batch", "--size", "0"],
      badMessage: /--size must be a whole number from 1 to 10000/,
    });
    expect((await cli("migration", "batch", "--dry-run")).stdout).toMatch(/^dry run #\d+ \(nothing changed\)/);
  });

  it("migration status", async () => {
    await expectCommand(["migration", "status"], {
      text: /^users: 3, migrated: 33\.3%/,
      json: (overview) => expect(overview).toMatchObject({ total_users: 3 }),
      bad: ["migration", "statsu"],
      badMessage: /unknown command: migration statsu; did you mean "migration status"\?/,
    });
  });

  it("migration rollback", async () => {
    const text = await cli("migration", "rollback", "--login", withAppToken.login, "--reason", "checking");
    expect(text).toMatchObject({ code: 0, stdout: expect.stringMatching(/is rolled_back; resolution serves the OAuth token/) });
    await cli("migration", "reenable", "--login", withAppToken.login);
    const json = await cli("migration", "rollback", "--github-id", String(withAppToken.githubId), "--json");
    expect(JSON.parse(json.stdout)).toMatchObject({ github_id: withAppToken.githubId, status: "rolled_back" });
    const refused = await cli("migration", "rollback", "--login", withAppToken.login, "--all");
    expect(refused).toMatchObject({ code: 2, stdout: "", stderr: expect.stringMatching(/^error: give exactly one of --github-id <id>, --login <login> or --all$/m) });
    expect(JSON.parse((await cli("migration", "rollback", "--all", "--login", "x", "--json")).stdout)).toMatchObject({ error: "invalid_input" });
  });

  it("migration reenable", async () => {
    const text = await cli("migration", "reenable", "--login", withAppToken.login);
    expect(text).toMatchObject({ code: 0, stdout: expect.stringMatching(/is pending again/) });
    await cli("migration", "rollback", "--login", withAppToken.login);
    const json = await cli("migration", "reenable", "--github-id", String(withAppToken.githubId), "--json");
    expect(JSON.parse(json.stdout)).toMatchObject({ status: "pending" });
    // Re-enabling a user who is not rolled back is an illegal transition: refused, in one line.
    const refused = await cli("migration", "reenable", "--login", withAppToken.login);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: .*pending/m);
    expect(JSON.parse((await cli("migration", "reenable", "--login", withAppToken.login, "--json")).stdout)).toMatchObject({ error: "illegal_transition" });
  });

  it("migration cleanup", async () => {
    const early = await cli("migration", "cleanup");
    expect(early).toMatchObject({ code: 2, stdout: "", stderr: expect.stringMatching(/^error: .*deprecation/im) });
    await cli("flags", "set", "--name", "oauth_token_deprecation_date", "--value", "2020-01-01", "--yes");
    await expectCommand(["migration", "cleanup"], {
      text: /^dry run — would revoke: \d+/,
      json: (report) => expect(report).toMatchObject({ dry_run: true }),
      bad: ["migration", "cleanup", "--validated-within-days", "0"],
      badMessage: /--validated-within-days must be 1 to 365/,
    });
  });

  it("tokens keep-alive", async () => {
    await expectCommand(["tokens", "keep-alive"], {
      text: /^due: \d+, refreshed: \d+/,
      json: (counts) => expect(counts).toMatchObject({ due: expect.any(Number), refreshed: expect.any(Number) }),
      bad: ["tokens", "keepalive"],
      badMessage: /unknown command: tokens keepalive; did you mean "tokens keep-alive"\?/,
    });
  });

  it("keys check", async () => {
    await expectCommand(["keys", "check"], {
      text: /Every sealed value uses the primary key\./,
      json: (usage) => expect(usage).toMatchObject({ primaryKeyId: "test1", underOtherKeys: 0 }),
      bad: ["keys", "check", "--key", "x"],
      badMessage: /Unknown option '--key'/,
    });
  });

  it("keys rotate", async () => {
    await expectCommand(["keys", "rotate"], {
      text: /^Done: 0 values re-sealed/m,
      json: (counts) => expect(counts).toMatchObject({ primaryKeyId: "test1", userValues: 0 }),
      bad: ["keys", "rotate", "--batch-size", "lots"],
      badMessage: /--batch-size must be a whole number from 1 to 10000/,
    });
  });

  it("installations sync", async () => {
    simulator.addInstallation({ account: { login: "cli-org", type: "Organization" } });
    await expectCommand(["installations", "sync"], {
      text: /^listed: 1, updated: \d+/m,
      json: (counts) => expect(counts).toMatchObject({ ran: true, listed: 1 }),
      bad: ["installations", "synch"],
      badMessage: /did you mean "installations sync"\?/,
    });
  });

  it("installations list", async () => {
    await expectCommand(["installations", "list"], {
      text: /cli-org[\s\S]*1 installation\(s\)/,
      json: (installations) => expect(installations).toEqual([expect.objectContaining({ account: expect.objectContaining({ login: "cli-org" }) })]),
      bad: ["installations", "list", "--include-deleted=maybe"],
      badMessage: /--include-deleted/,
    });
  });

  it("webhooks redeliver", async () => {
    await expectCommand(["webhooks", "redeliver", "--dry-run"], {
      text: /^scanned: \d+, failed: \d+/m,
      json: (report) => expect(report).toMatchObject({ ran: true, dryRun: true }),
      bad: ["webhooks", "redeliver", "--hours", "100"],
      badMessage: /--hours must be a whole number from 1 to 72/,
    });
  });

  it("says which command was meant, and prints usage only when asked", async () => {
    const unknown = await cli("migrate", "everything");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe('error: unknown command: migrate everything; did you mean "migration <status|batch|rollback|reenable|cleanup|readiness>"? (--help lists the commands)');
    const help = await cli("--help");
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining("users show") });
  });
});
