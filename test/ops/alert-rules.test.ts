// The Prometheus alerting rules shipped in ops/prometheus: valid, their unit tests pass under
// promtool, and every metric they read is one this app exports. promtool comes with Debian's
// `prometheus` package; .ci/run installs it and sets REQUIRE_PROMTOOL=1, so there this test never
// skips. On a machine without it, `npm test` says so and skips the promtool checks only.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";

const ROOT = path.resolve(import.meta.dirname, "../..");
const RULES_DIR = path.join(ROOT, "ops", "prometheus");
const RULES = path.join(RULES_DIR, "alerts.yml");

function promtoolPath(): string | null {
  const found = spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : null;
}

const promtool = promtoolPath();
if (!promtool) {
  if (process.env.REQUIRE_PROMTOOL === "1") throw new Error("promtool is required here (REQUIRE_PROMTOOL=1): apt-get install -y prometheus");
  console.warn("promtool not found: the alert rules' promtool checks are skipped (apt-get install -y prometheus, or run .ci/run)");
}
const withPromtool = promtool ? it : it.skip;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith(".ts") ? [full] : [];
  });
}

describe("the Prometheus alerting rules", () => {
  withPromtool("are valid rules", () => {
    expect(execFileSync(promtool!, ["check", "rules", RULES], { encoding: "utf8" })).toContain("SUCCESS: 6 rules found");
  });

  withPromtool("pass their unit tests (promtool test rules)", () => {
    const run = spawnSync(promtool!, ["test", "rules", "alerts.test.yml"], { cwd: RULES_DIR, encoding: "utf8" });
    expect({ status: run.status, output: `${run.stdout}${run.stderr}` }).toEqual({ status: 0, output: expect.stringContaining("SUCCESS") });
  });

  it("read only metrics the app registers, and each alert has a runbook section", () => {
    const rules = readFileSync(RULES, "utf8");
    const exprs = [...rules.matchAll(/expr: (\|\n(?:\s{10,}.*\n)+|.*\n)/g)].map((match) => match[1]!).join("\n");
    const functions = new Set(["sum", "max", "min", "by", "and", "increase", "avg_over_time", "offset", "instance", "outcome", "reason", "success"]);
    const read = new Set([...exprs.matchAll(/\b([a-z_]+)(?=[{[\s)]|$)/gm)].map((match) => match[1]!).filter((name) => name.includes("_") && !functions.has(name)));
    const source = sourceFiles(path.join(ROOT, "src")).map((file) => readFileSync(file, "utf8")).join("\n");
    const registered = new Set([...source.matchAll(/name: "([a-z_]+)"/g)].map((match) => match[1]!));
    expect([...read].filter((name) => !registered.has(name))).toEqual([]);
    expect(read.size).toBeGreaterThanOrEqual(6);

    const runbook = readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8");
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((match) => match[1]!);
    expect(alerts.filter((alert) => !runbook.includes(`### ${alert}`))).toEqual([]);
  });
});
