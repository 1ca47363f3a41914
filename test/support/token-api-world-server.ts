// A token API world (token-api-world.ts) for tests written in other languages (clients/python):
// prints `{"ready": {...}}` as one JSON line, then answers one JSON command per stdin line with one
// JSON line, and stops everything when stdin closes. Postgres: DATABASE_URL (the machine's by default).
import { createInterface } from "node:readline";
import { startTokenApiWorld } from "./token-api-world.js";

process.env.TEST_POSTGRES_ADMIN_URL ??= process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

type Command =
  | { command: "seed_user"; app?: boolean; legacy?: boolean; expired?: boolean; expires_in_seconds?: number }
  | { command: "requests"; path_prefix?: string }
  | { command: "answer_next"; status: number; headers?: Record<string, string>; body?: unknown; times?: number }
  | { command: "fail_github_refresh" }
  | { command: "reset" };

const world = await startTokenApiWorld();
const reply = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function run(command: Command): Promise<unknown> {
  switch (command.command) {
    case "seed_user": {
      const seeded = await world.seedUser({
        app: command.app,
        legacy: command.legacy,
        expired: command.expired,
        expiresInSeconds: command.expires_in_seconds,
      });
      return { github_id: seeded.githubId, login: seeded.login, app_token: seeded.app?.accessToken ?? null, legacy_token: seeded.legacy?.accessToken ?? null };
    }
    case "requests":
      return world.proxy.requests(command.path_prefix);
    case "answer_next":
      world.proxy.answerNext({ status: command.status, headers: command.headers, body: command.body }, command.times);
      return null;
    case "fail_github_refresh":
      world.simulator.injectFault("refresh", { status: 500 });
      return null;
    case "reset":
      world.proxy.reset();
      world.simulator.clearFaults();
      world.simulator.counters.reset();
      return null;
  }
}

reply({ ready: { url: world.proxy.url, service_token: world.serviceToken, github_api_url: world.githubApiUrl } });
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue;
  try {
    reply({ result: await run(JSON.parse(line) as Command) });
  } catch (error) {
    reply({ error: error instanceof Error ? error.message : String(error) });
  }
}
await world.stop();
