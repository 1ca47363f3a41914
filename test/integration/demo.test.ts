// `npm run demo` is a newcomer's first look: it must start quickly, on a free port when 3000 is
// taken, and every URL and command it prints must work as pasted.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { findFreePort } from "../../src/free-port.js";
import { createEmptyTestDatabase } from "../support/database.js";

const run = promisify(execFile);

/** Holds 127.0.0.1:3000 for the test, unless something else already does (the same situation for the demo). */
async function occupyPort3000(): Promise<Server | null> {
  const blocker = createServer();
  return new Promise((resolve) => {
    blocker.once("error", () => resolve(null));
    blocker.listen(3000, "127.0.0.1", () => resolve(blocker));
  });
}

function startDemo(env: Record<string, string>): { demo: ChildProcess; output: () => string; ready: Promise<void> } {
  const demo = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
    env: { ...process.env, NODE_OPTIONS: "", DATABASE_URL: "", DEMO_PORT: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  demo.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  demo.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start within 30 s:\n${output}`)), 30_000);
    const check = setInterval(() => {
      if (output.includes("Press Ctrl-C to stop.")) {
        clearTimeout(timer);
        clearInterval(check);
        resolve();
      }
    }, 100);
    demo.once("exit", (code) => {
      clearTimeout(timer);
      clearInterval(check);
      reject(new Error(`demo exited with ${code}:\n${output}`));
    });
  });
  return { demo, output: () => output, ready };
}

describe("npm run demo", () => {
  let blocker: Server | null;
  let demo: ChildProcess | undefined;
  let database: Awaited<ReturnType<typeof createEmptyTestDatabase>> | undefined;

  beforeAll(async () => {
    blocker = await occupyPort3000();
  });
  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo!.once("exit", resolve));
      demo.kill("SIGINT");
      await exited;
    }
    await database?.drop();
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  });

  it("refuses a taken DEMO_PORT in one line naming the port and the variable", async () => {
    const refused = startDemo({ DEMO_PORT: "3000" });
    refused.ready.catch(() => {}); // it never becomes ready: that is the point
    const code = await new Promise((resolve) => refused.demo.once("exit", resolve));
    expect(code).toBe(1);
    expect(refused.output().trim()).toBe("demo: Port 3000 (DEMO_PORT) is taken; set DEMO_PORT to a free port, or leave it unset to pick one.");
  });

  it("starts on a free port with 3000 taken, seeds hundreds of users, and every printed URL and command works as pasted", async () => {
    // The demo's own embedded Postgres is exercised by `npm start`'s path; here it gets an empty
    // database on the test run's server, so the test does not depend on where the clone lives.
    database = await createEmptyTestDatabase();
    const scratch = mkdtempSync(path.join(tmpdir(), "gaut-demo-"));
    const started = startDemo({
      DEMO_DATABASE_URL: database.url,
      DEMO_SIMULATOR_PORT: String(await findFreePort()),
      DEMO_DATA_DIR: path.join(scratch, "demo"),
    });
    demo = started.demo;
    await started.ready;
    const output = started.output();

    const moved = /Port 3000 is taken, so this runs on (\d+) \(set DEMO_PORT to choose\)\./.exec(output);
    expect(moved).not.toBeNull();
    const appPort = Number(moved![1]);
    expect(output).toContain("Legacy users imported: 303");
    expect(output).toMatch(/octo-org \(120 developers, App installed\).*initech \(60 developers, App not installed\)/);
    const octocatId = /GitHub ids: octocat (\d+)/.exec(output)![1];

    const urls = [...output.matchAll(/(http:\/\/127\.0\.0\.1:\d+\/[^\s]*)/g)].map((match) => match[1]!);
    const pageUrls = urls.filter((url) => !url.includes("/api/"));
    expect(pageUrls.length).toBeGreaterThanOrEqual(4);
    expect(pageUrls.some((url) => url.startsWith(`http://127.0.0.1:${appPort}/`))).toBe(true);
    for (const url of pageUrls) {
      const response = await fetch(url, { redirect: "manual" });
      expect([200, 302]).toContain(response.status);
    }

    // The curl lines, as pasted: the token API for octocat's printed id, and the admin API.
    const curls = [...output.matchAll(/curl -H "Authorization: Bearer ([^"]+)" (\S+)/g)].map((match) => ({ key: match[1]!, url: match[2]! }));
    expect(curls).toHaveLength(2);
    expect(curls[0]!.url).toBe(`http://127.0.0.1:${appPort}/api/v1/users/${octocatId}/token`);
    const token = await fetch(curls[0]!.url, { headers: { authorization: `Bearer ${curls[0]!.key}` } });
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ type: "oauth", fallback_reason: "no_app_token", login: "octocat", token: expect.stringMatching(/^gho_/) });
    const overview = await fetch(curls[1]!.url, { headers: { authorization: `Bearer ${curls[1]!.key}` } });
    expect(await overview.json()).toMatchObject({ total_users: 303 });

    // The CLI line, as pasted (with --json added to read its answer).
    const cliLine = /npm run cli -- (migration status .*)$/m.exec(output)![1]!;
    const cli = await run("npm", ["run", "--silent", "cli", "--", ...cliLine.split(" "), "--json"], {
      env: { ...process.env, NODE_OPTIONS: "", DATABASE_URL: "" },
      timeout: 60_000,
    });
    expect(JSON.parse(cli.stdout)).toMatchObject({ total_users: 303, by_status: { pending: 303 } });
    expect(cli.stderr).toContain("using postgres://");
  }, 120_000);
});
