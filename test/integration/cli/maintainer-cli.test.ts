// The maintainer CLI as a maintainer runs it: the real bin/ entry in its own process, over the same
// services and database as the server.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { runCli } from "../../support/cli.js";
import { testEnv } from "../../support/config.js";
import { createEmptyTestDatabase } from "../../support/database.js";

// Each step starts the real CLI (tsx compiling it) in its own process; on a busy machine that is seconds.
jest.setTimeout(120_000);

describe("the maintainer CLI", () => {
  let database: Awaited<ReturnType<typeof createEmptyTestDatabase>>;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    database = await createEmptyTestDatabase();
    env = { ...process.env, ...testEnv({ DATABASE_URL: database.url }), NODE_OPTIONS: "" };
  });
  afterAll(async () => {
    await database.drop();
  });

  const cli = (...args: string[]) => runCli(env, ...args);

  it("lists its commands, and refuses an unknown one in one line naming the closest, with exit code 2", async () => {
    const help = await cli("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("migration batch");
    const unknown = await cli("migration", "stauts");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe('error: unknown command: migration stauts; did you mean "migration status"? (--help lists the commands)');
  });

  it("reports migration readiness, and runs a scan in the foreground with --scan", async () => {
    const scanned = await cli("migration", "readiness", "--scan", "--json");
    expect(scanned.code).toBe(0);
    const report = JSON.parse(scanned.stdout) as Record<string, unknown>;
    // Before any user is imported: nobody is due, so the scan finishes without calling GitHub.
    expect(report).toMatchObject({ scan: { state: "finished" }, accounts_missing_installation: [], rate_limit_drops: { users: 0, drops: [] } });
    const text = await cli("migration", "readiness");
    expect(text.stdout).toContain("users checked:");
    const wrong = await cli("migration", "readiness", "--scna");
    expect(wrong.code).toBe(2);
  });

  it("keeps a refusal's exit code 2 on the embedded Postgres, whose exit hook ends the process with 0", async () => {
    // No DATABASE_URL: the CLI starts (and stops) an embedded Postgres of its own in DATA_DIR.
    const dataDir = mkdtempSync(path.join(tmpdir(), "gaut-cli-embedded-"));
    chmodSync(dataDir, 0o755); // the postgres user walks into it
    const embedded = { ...env, DATABASE_URL: "", DATA_DIR: dataDir };
    const refused = await runCli(embedded, "users", "show", "--login", "nobody-here");
    expect(refused.stderr).toMatch(/embedded PostgreSQL/);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining("No user with the GitHub login nobody-here") });
    expect((await runCli(embedded, "users", "list", "--json")).code).toBe(0);
  });

  it("says on stderr which database it uses, keeping --json output one document", async () => {
    const status = await cli("migration", "status", "--json");
    expect(status.stderr).toMatch(/^using postgres:\/\/postgres(:\*\*\*)?@127\.0\.0\.1:\d+\/\w+ \(DATABASE_URL\)$/m);
  });

  it("prints a progress bar on a terminal and plain lines otherwise", async () => {
    const { createCliOutput, progressBar } = await import("../../../src/cli/output.js");
    expect(progressBar({ done: 42, total: 100 })).toBe(`[${"#".repeat(10)}${"-".repeat(14)}]  42% 42/100`);
    const written: string[] = [];
    const terminal = createCliOutput({ json: false, streams: { stdout: { write: (text) => written.push(`out:${text}`) }, stderr: { isTTY: true, columns: 100, write: (text) => written.push(`err:${text}`) } } });
    terminal.progress("importing", { done: 1, total: 4 });
    terminal.line("done");
    expect(written).toEqual([`err:\r\x1b[2K[${"#".repeat(6)}${"-".repeat(18)}]  25% 1/4 importing`, "err:\n", "out:done\n"]);
    written.length = 0;
    const pipe = createCliOutput({ json: false, streams: { stdout: { write: (text) => written.push(`out:${text}`) }, stderr: { write: (text) => written.push(`err:${text}`) } } });
    pipe.progress("importing", { done: 1, total: 4 });
    expect(written).toEqual(["err:importing (1/4)\n"]);
  });

  it("refuses a file with a bad line (exit 2, nothing written), imports the rest with --skip-invalid (exit 1), then shows the counts", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "gaut-cli-")), "users.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({ github_id: 501, login: "ada", access_token: "gho_cliimport000000000000000000000000001" }),
        "{ not json",
        JSON.stringify({ github_id: 502, login: "grace", access_token: "gho_cliimport000000000000000000000000002" }),
      ].join("\n"),
    );
    const refused = await cli("users", "import", "--file", file);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain("nothing imported: 1 of 3 lines refused; fix them, or pass --skip-invalid to import the rest");
    expect(refused.stdout).toContain("line 2: not valid JSON");

    const imported = await cli("users", "import", "--file", file, "--skip-invalid", "--json");
    // The good lines are imported; the exit code tells a script that one needs attention.
    expect(imported.code).toBe(1);
    const report = JSON.parse(imported.stdout) as { created: number; rejected: number; rejections: Array<{ line: number }> };
    expect(report).toMatchObject({ created: 2, rejected: 1, written: true, skipped_invalid: true });
    expect(report.rejections.map((rejection) => rejection.line)).toEqual([2]);
    expect(imported.stdout + imported.stderr).not.toContain("gho_cliimport");

    const status = await cli("migration", "status", "--json");
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ total_users: 2, by_status: { pending: 2 } });
  }, 180_000);

  it("changes a flag with the maintainer named, shows it in the list and the history, and refuses a bad value", async () => {
    // Without a terminal to ask on, nothing changes unless --yes confirms it.
    const unconfirmed = await cli("flags", "set", "--name", "github_app_tokens_rollout_percent", "--value", "10");
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toContain("served the App token instead of OAuth:");
    expect(unconfirmed.stderr).toContain("confirm with --yes");
    const set = await cli("flags", "set", "--name", "github_app_tokens_rollout_percent", "--value", "10", "--actor", "octo-maintainer", "--yes");
    expect(set.code).toBe(0);
    const list = JSON.parse((await cli("flags", "list", "--json")).stdout) as Array<{ name: string; value: unknown; source: string }>;
    expect(list.find((flag) => flag.name === "github_app_tokens_rollout_percent")).toMatchObject({ value: 10, source: "database" });
    const history = JSON.parse((await cli("flags", "history", "--json")).stdout) as Array<{ changedBy: string; newValue: unknown }>;
    expect(history[0]).toMatchObject({ changedBy: "octo-maintainer", newValue: 10 });

    const refused = await cli("flags", "set", "--name", "github_app_tokens_rollout_percent", "--value", "150", "--yes");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toContain("at most 100");
  }, 120_000);
});
