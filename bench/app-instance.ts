// One app instance in a process of its own, started by `npm run bench`: configuration from the
// environment (DATABASE_URL names the shared database), and a small IPC protocol so the bench can
// ask this process for its peak memory or have it run migration batches, work the instance must do
// itself to be measured. No background jobs run, so only the benchmark's load is measured.
import { loadConfig } from "../src/config.js";
import { startAppServer } from "../src/app-server.js";
import { connectDatabase } from "../src/db/connection.js";
import { createLogger } from "../src/observability/logger.js";
import type { InstanceReply, InstanceRequest } from "./instance-process.js";

const RSS_SAMPLE_MS = 25;

const config = loadConfig({ env: process.env });
if (!config.databaseUrl) throw new Error("app-instance: DATABASE_URL is required");
const sequelize = connectDatabase({ url: config.databaseUrl, maxConnections: config.databasePoolMax });
const app = await startAppServer({ config, sequelize, log: await createLogger({ level: config.logLevel }) });

// The heap's share tells live objects from memory V8 has simply not given back yet.
let peak = { rss: 0, heapUsed: 0 };
const sample = () => {
  const { rss, heapUsed } = process.memoryUsage();
  peak = { rss: Math.max(peak.rss, rss), heapUsed: Math.max(peak.heapUsed, heapUsed) };
};
sample();
const sampler = setInterval(sample, RSS_SAMPLE_MS);

async function answer(request: InstanceRequest): Promise<InstanceReply> {
  switch (request.kind) {
    case "peak-memory": {
      sample();
      // What is really kept, after a full collection (instances run with --expose-gc). Only when
      // asked: a collection between phases would lower the peaks that follow.
      if (request.collect) globalThis.gc?.();
      const liveHeapBytes = request.collect ? process.memoryUsage().heapUsed : null;
      const reply: InstanceReply = { id: request.id, kind: "peak-memory", rssBytes: peak.rss, heapUsedBytes: peak.heapUsed, liveHeapBytes };
      peak = { rss: 0, heapUsed: 0 };
      sample();
      return reply;
    }
    case "migrate": {
      const batches = await app.services.migrationBatches.runToCompletion({ size: request.size, actor: "bench" });
      return { id: request.id, kind: "migrated", batches: batches.map((batch) => ({ state: batch.state, counts: batch.counts })) };
    }
    case "stop":
      clearInterval(sampler);
      await app.stop();
      await sequelize.close();
      return { id: request.id, kind: "stopped" };
  }
}

process.on("message", (request: InstanceRequest) => {
  void answer(request)
    .catch((error: unknown): InstanceReply => ({ id: request.id, kind: "failed", message: String(error) }))
    .then((reply) => process.send!(reply, () => reply.kind === "stopped" && process.disconnect()));
});
process.send!({ id: 0, kind: "ready", url: app.url } satisfies InstanceReply);
