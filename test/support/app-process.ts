// The app as production runs it — `src/main.ts` in a process of its own, jobs included — for tests
// that must kill it at a precise instant (SIGKILL leaves no chance to clean up, as an OOM kill).
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { findFreePort } from "../../src/free-port.js";
import { testEnv } from "./config.js";

const REPOSITORY_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const STARTUP_LIMIT_MS = 30_000;

export interface AppProcess {
  url: string;
  /** Everything the process wrote, one JSON log line per entry where it was JSON. */
  output(): string;
  /** SIGKILL, and resolves once the process is gone. */
  kill(): Promise<void>;
}

/** Starts `src/main.ts` with a complete test environment plus `env`, and waits until /healthz answers. */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const port = await findFreePort();
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: REPOSITORY_ROOT,
    env: {
      PATH: process.env.PATH,
      ...testEnv({ LOG_LEVEL: "info", LOG_FORMAT: "json", PORT: String(port), BASE_URL: `http://127.0.0.1:${port}`, ...env }),
    } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app process exited with ${child.exitCode} before it was ready:\n${output}`);
    const healthy = await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
    if (healthy) break;
    if (Date.now() - started > STARTUP_LIMIT_MS) {
      child.kill("SIGKILL");
      throw new Error(`the app process was not ready within ${STARTUP_LIMIT_MS} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
