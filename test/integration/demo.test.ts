// `npm run demo` is a newcomer's first look: it must start quickly and every URL it prints must answer.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { findFreePort } from "../../src/free-port.js";
import { createEmptyTestDatabase } from "../support/database.js";

describe("npm run demo", () => {
  let demo: ChildProcess | undefined;
  let database: Awaited<ReturnType<typeof createEmptyTestDatabase>> | undefined;

  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo!.once("exit", resolve));
      demo.kill("SIGINT");
      await exited;
    }
    await database?.drop();
  });

  it("starts the simulator and the app, imports legacy users, and every printed URL answers", async () => {
    const [appPort, simulatorPort] = [await findFreePort(), await findFreePort()];
    // The demo's own embedded Postgres is exercised by `npm start`'s path; here it gets an empty
    // database on the test run's server, so the test does not depend on where the clone lives.
    database = await createEmptyTestDatabase();
    const scratch = mkdtempSync(path.join(tmpdir(), "gaut-demo-"));
    const startedAt = Date.now();
    demo = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
      env: {
        ...process.env,
        NODE_OPTIONS: "",
        DATABASE_URL: "",
        DEMO_DATABASE_URL: database.url,
        DEMO_PORT: String(appPort),
        DEMO_SIMULATOR_PORT: String(simulatorPort),
        DEMO_DATA_DIR: path.join(scratch, "demo"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    demo.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    demo.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo did not start within 15 s:\n${output}`)), 15_000);
      const check = setInterval(() => {
        if (output.includes("Press Ctrl-C to stop.")) {
          clearTimeout(timer);
          clearInterval(check);
          resolve();
        }
      }, 100);
      demo!.once("exit", (code) => {
        clearTimeout(timer);
        clearInterval(check);
        reject(new Error(`demo exited with ${code}:\n${output}`));
      });
    });
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(output).toContain("Legacy users imported: 3");

    const urls = [...output.matchAll(/(http:\/\/127\.0\.0\.1:\d+\/[^\s]*)/g)].map((match) => match[1]!);
    const pageUrls = urls.filter((url) => !url.includes("/api/"));
    expect(pageUrls.length).toBeGreaterThanOrEqual(4);
    for (const url of pageUrls) {
      const response = await fetch(url, { redirect: "manual" });
      expect([200, 302]).toContain(response.status);
    }

    const [serviceKey, adminKey] = [...output.matchAll(/Bearer ([^"\s]+)/g)].map((match) => match[1]!);
    const users = (await (
      await fetch(`http://127.0.0.1:${appPort}/api/v1/admin/users`, { headers: { authorization: `Bearer ${adminKey}` } })
    ).json()) as { users: Array<{ github_id: number; login: string }> };
    expect(users.users.map((user) => user.login).sort()).toEqual(["hubot", "monalisa", "octocat"]);
    const token = await fetch(`http://127.0.0.1:${appPort}/api/v1/users/${users.users[0]!.github_id}/token`, {
      headers: { authorization: `Bearer ${serviceKey}` },
    });
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ type: "oauth", token: expect.stringMatching(/^gho_/) });
  }, 30_000);
});
