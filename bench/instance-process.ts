// The bench's side of bench/app-instance.ts: compiles it with the app (as production runs compiled
// JavaScript, not tsx), starts instances as child processes (optionally with --cpu-prof) and speaks
// their IPC protocol.
import { execFile, fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

export type InstanceRequest =
  | { id: number; kind: "peak-memory"; collect: boolean }
  | { id: number; kind: "migrate"; size: number }
  | { id: number; kind: "stop" };

export type InstanceReply =
  | { id: number; kind: "ready"; url: string }
  | { id: number; kind: "peak-memory"; rssBytes: number; heapUsedBytes: number; liveHeapBytes: number | null }
  | { id: number; kind: "migrated"; batches: Array<{ state: string; counts: Record<string, number> }> }
  | { id: number; kind: "stopped" }
  | { id: number; kind: "failed"; message: string };

type Distribute<T> = T extends unknown ? Omit<T, "id"> : never;

export interface InstanceProcess {
  url: string;
  /** The highest RSS and heap use sampled since the previous call (or since start); with `collect`, also the heap kept after a full GC. */
  peakMemory(options: { collect: boolean }): Promise<{ rssBytes: number; heapUsedBytes: number; liveHeapBytes: number | null }>;
  request(request: Distribute<InstanceRequest>): Promise<InstanceReply>;
  stop(): Promise<void>;
  /** Last resort when the bench runs out of time. */
  kill(): void;
}

/**
 * The production start command's heap bound (Dockerfile CMD): instances are measured as they run.
 * Without it V8 on a large machine lets garbage grow to ~150 MB of heap before a full collection,
 * while the app keeps ~32 MB live (docs/benchmarks.md, row 5).
 */
export const PRODUCTION_NODE_FLAGS = ["--max-old-space-size=96"];

const TSCONFIG = fileURLToPath(new URL("./tsconfig.instance.json", import.meta.url));
const ENTRY = fileURLToPath(new URL("../node_modules/.cache/gaut-bench-build/bench/app-instance.js", import.meta.url));

/** Incremental: only the first run after a change pays the full compile. */
export async function compileInstance(): Promise<void> {
  await promisify(execFile)(process.execPath, [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", TSCONFIG]);
}

export async function startInstanceProcess({ env, cpuProfileDir }: { env: Record<string, string>; cpuProfileDir?: string }): Promise<InstanceProcess> {
  const child: ChildProcess = fork(ENTRY, [], {
    execArgv: [...PRODUCTION_NODE_FLAGS, "--expose-gc", ...(cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : [])],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map<number, (reply: InstanceReply) => void>();
  let nextId = 1;
  child.on("message", (reply: InstanceReply) => {
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  const ready = await new Promise<InstanceReply>((resolve, reject) => {
    waiting.set(0, resolve);
    child.once("exit", (code) => reject(new Error(`app instance exited with ${code} before it was ready`)));
  });
  if (ready.kind !== "ready") throw new Error("app instance did not start");
  const request = (message: Distribute<InstanceRequest>) =>
    new Promise<InstanceReply>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (reply) => (reply.kind === "failed" ? reject(new Error(reply.message)) : resolve(reply)));
      child.send({ ...message, id });
    });
  return {
    url: ready.url,
    request,
    async peakMemory({ collect }) {
      const reply = await request({ kind: "peak-memory", collect });
      if (reply.kind !== "peak-memory") throw new Error(`app instance answered ${reply.kind}`);
      return { rssBytes: reply.rssBytes, heapUsedBytes: reply.heapUsedBytes, liveHeapBytes: reply.liveHeapBytes };
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await request({ kind: "stop" });
      await exited;
    },
    kill: () => void child.kill("SIGKILL"),
  };
}
