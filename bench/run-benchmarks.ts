// `npm run bench`: each benchmark as a ratio against a floor measured in the same run, with the app
// instances, their load and the floors each in a process of their own, the GitHub simulator in this
// one, and one Postgres (DATABASE_URL when set, else an embedded one in a temporary folder), all on
// loopback. Prints a table, writes bench/results.json. Exits 0 when it ran: a MISS is reported, not
// raised. BENCH_CPU_PROFILE=<folder> writes a V8 CPU profile of instance A there; BENCH_ONLY runs
// only the phases it names (comma-separated: token-api, webhooks, storm, migration, console).
import { sign } from "@octokit/webhooks-methods";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { QueryTypes } from "sequelize";
import { examplePayload } from "../simulator/webhook-examples.js";
import { connectDatabase } from "../src/db/connection.js";
import { startEmbeddedPostgres } from "../src/db/embedded-postgres.js";
import { migrateToLatest } from "../src/db/migrator.js";
import { findFreePort } from "../src/free-port.js";
import { migrationEnv } from "../test/support/migration-fixture.js";
import { seedUser, vaultServices } from "../test/support/vault-fixture.js";
import { startTestSimulator } from "../test/support/simulator-fixture.js";
import { testEnv } from "../test/support/config.js";
import type { LoadResult } from "./closed-loop.js";
import { CONSOLE_MAINTAINER, CONSOLE_P99_TARGET_MS, measureConsole } from "./console-phase.js";
import { compileInstance, startInstanceProcess, type InstanceProcess } from "./instance-process.js";
import { runScript } from "./run-script.js";
import { startScriptServer, type ScriptServer } from "./script-server.js";

const CONCURRENCY = 8;
const MEASURE_SECONDS = 5;
/** Row 1: each side warmed up, then measured in alternating rounds (app, floor, app, floor, …). */
const TOKEN_API = { warmUpSeconds: 3, rounds: 3, roundSeconds: 3 };
const STORM = { users: 100, requests: 1_000 };
const MIGRATION = { users: 10_000, latencyMs: 50 };
/** Issue 14: refreshes kept waiting on GitHub must not take the connections fresh reads need. */
const SLOW_GITHUB = { users: 20, answerMs: 5_000, measureSeconds: 4 };
/** MigrationBatches' default GitHub concurrency per batch (src/migration/batches.ts). */
const BATCH_GITHUB_CONCURRENCY = 8;
const RSS_LIMIT_MB = 200;
/** Connections per app instance (bench/app-instance.ts); the floors get as many. */
const POOL_SIZE = 20;
/**
 * Well above the 4.5 minutes a full `npm run bench` takes on a quiet machine; past this it stops what
 * runs and prints the rows measured so far. BENCH_DEADLINE_SECONDS raises it on a busy machine.
 */
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_SECONDS ?? 400) * 1000;
const PHASES = ["token-api", "webhooks", "storm", "migration", "console"] as const;
type Phase = (typeof PHASES)[number];
/** BENCH_ONLY=webhooks (or a comma-separated list) measures only those phases: a profile of one path costs less. */
const ONLY_PHASES = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map((phase) => phase.trim())) : null;
for (const phase of ONLY_PHASES ?? []) {
  if (!PHASES.includes(phase as Phase)) throw new Error(`BENCH_ONLY: unknown phase "${phase}" (phases: ${PHASES.join(", ")})`);
}
const runs = (phase: Phase) => ONLY_PHASES === null || ONLY_PHASES.has(phase);

interface Row {
  benchmark: string;
  measured: string;
  floor: string;
  ratio: number | null;
  target: string;
  /** null for a diagnostic row, which only shows where the time goes. */
  pass: boolean | null;
}
const rows: Row[] = [];
const details: Record<string, unknown> = {};
const instances: InstanceProcess[] = [];
const floorServers: ScriptServer[] = [];
const loadSamples: number[] = [];
const mb = (bytes: number) => bytes / 1024 / 1024;
const fixed = (value: number, digits = 0) => value.toFixed(digits);

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${DEADLINE_MS / 1000} s; stopping (the rows so far follow)`);
  for (const instance of instances) instance.kill();
  for (const floor of floorServers) void floor.stop();
  report({ complete: false });
  process.exit(1);
}, DEADLINE_MS);
const loadSampler = setInterval(() => loadSamples.push(loadavg()[0]!), 5_000);

/**
 * One side's figure over its rounds: the median throughput and, separately, the median p99, so one
 * round disturbed by the shared machine moves neither. Counts and errors are summed.
 */
function medianRound(rounds: LoadResult[]): LoadResult {
  const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return {
    perSecond: median(rounds.map((round) => round.perSecond)),
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    count: rounds.reduce((sum, round) => sum + round.count, 0),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
  };
}

/** With `p99Factor`, the measured p99 must also stay within that multiple of the floor's. */
function ratioRow(benchmark: string, measured: LoadResult, floor: LoadResult, unit: string, { diagnostic = false, p99Factor = null as number | null } = {}): void {
  const ratio = measured.perSecond / floor.perSecond;
  const p99Within = p99Factor === null || measured.p99Ms <= p99Factor * floor.p99Ms;
  rows.push({
    benchmark,
    measured: `${fixed(measured.perSecond)} ${unit}/s, p50 ${fixed(measured.p50Ms, 1)} ms, p99 ${fixed(measured.p99Ms, 1)} ms`,
    floor: `${fixed(floor.perSecond)} ${unit}/s, p50 ${fixed(floor.p50Ms, 1)} ms, p99 ${fixed(floor.p99Ms, 1)} ms`,
    ratio,
    target: diagnostic ? "(diagnostic)" : `>= 0.5x${p99Factor === null ? "" : `, p99 <= ${p99Factor}x (${fixed(measured.p99Ms / floor.p99Ms, 2)}x)`}`,
    pass: diagnostic ? null : ratio >= 0.5 && p99Within && measured.errors === 0,
  });
}

const startedAt = performance.now();
const workDir = mkdtempSync(path.join(tmpdir(), "gaut-bench-"));
const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres({ directory: workDir, persistent: false });
const adminUrl = process.env.DATABASE_URL ?? embedded!.adminUrl;
const databaseName = `gaut_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${databaseName}`);
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();
const sequelize = connectDatabase({ url: databaseUrl, maxConnections: 10 });

try {
  await Promise.all([migrateToLatest(sequelize), compileInstance()]);
  const ports = await Promise.all([1, 2, 3].map(() => findFreePort()));
  // Each instance gets 20 connections, as a deployment's replica would have, and the production
  // GitHub timeout (10 s), so GitHub answering in 5 s (1c) is slow, not dead.
  const base = testEnv({
    DATA_DIR: workDir,
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: "20",
    GITHUB_REQUEST_TIMEOUT_MS: "10000",
    LOG_LEVEL: "warn",
    NODE_ENV: "test",
    ADMIN_GITHUB_LOGINS: CONSOLE_MAINTAINER,
  }) as Record<string, string>;
  const simulator = await startTestSimulator({ webhook: { url: `http://127.0.0.1:${ports[0]}/api/github/webhooks`, secret: base.WEBHOOK_SECRET! } });
  const env = migrationEnv(simulator, base);
  instances.push(
    ...(await Promise.all(
      ports.map((port, index) =>
        startInstanceProcess({
          env: { ...env, PORT: String(port), BASE_URL: `http://127.0.0.1:${port}` },
          cpuProfileDir: index === 0 ? process.env.BENCH_CPU_PROFILE : undefined,
        }),
      ),
    )),
  );
  const [instanceA] = instances as [InstanceProcess, ...InstanceProcess[]];
  // The storage row is printed last, after the memory rows; the migration phase measures it.
  let storageRow: Row | null = null;
  const services = await vaultServices(sequelize, simulator, env);
  const peakMemory: Array<{ phase: string; rssMb: number[]; heapUsedMb: number[]; liveHeapMb: Array<number | null> }> = [];
  const recordMemory = async (phase: string, { collect = false } = {}) => {
    const peaks = await Promise.all(instances.map((instance) => instance.peakMemory({ collect })));
    peakMemory.push({ phase, rssMb: peaks.map((peak) => mb(peak.rssBytes)), heapUsedMb: peaks.map((peak) => mb(peak.heapUsedBytes)), liveHeapMb: peaks.map((peak) => (peak.liveHeapBytes === null ? null : mb(peak.liveHeapBytes))) });
  };
  await recordMemory("idle");

  if (runs("token-api")) {
    // 1. Token API on a fresh token vs. a minimal token server doing the same read (same row, same
    // Postgres, same load generator), each warmed up for a second first.
    const fresh = await seedUser(services, simulator);
    const [keyId, keyBase64] = env.TOKEN_ENCRYPTION_KEYS!.split(",")[0]!.split(":") as [string, string];
    const tokenFloorServer = await startScriptServer("./token-floor-server.ts", { databaseUrl, encryptionKey: { id: keyId, key: keyBase64 }, poolSize: POOL_SIZE });
    floorServers.push(tokenFloorServer);
    const tokenLoad = (url: string, durationSeconds: number) =>
      runScript<LoadResult>("./http-load.ts", {
        url: `${url}/api/v1/users/${fresh.githubId}/token`,
        variants: [{ headers: { authorization: `Bearer ${env.SERVICE_API_TOKEN}` } }],
        connections: CONCURRENCY,
        durationSeconds,
      });
    // Both sides warmed until their code is compiled (the app has far more of it than the floor: one
    // second left its first round a third slower), then measured in alternating rounds, so a drift of
    // the shared machine (the floor alone moved 3,900–7,700 req/s between runs) falls on both sides.
    await tokenLoad(instanceA.url, TOKEN_API.warmUpSeconds);
    await tokenLoad(tokenFloorServer.url, TOKEN_API.warmUpSeconds);
    await recordMemory("warm-up");
    const appRounds: LoadResult[] = [];
    const floorRounds: LoadResult[] = [];
    for (let round = 0; round < TOKEN_API.rounds; round += 1) {
      appRounds.push(await tokenLoad(instanceA.url, TOKEN_API.roundSeconds));
      floorRounds.push(await tokenLoad(tokenFloorServer.url, TOKEN_API.roundSeconds));
    }
    await recordMemory("token API");
    const tokenApi = medianRound(appRounds);
    const tokenFloor = medianRound(floorRounds);
    await tokenFloorServer.stop();
    // Where the time goes: the app's HTTP stack with no database at all.
    const healthz = await runScript<LoadResult>("./http-load.ts", { url: `${instanceA.url}/healthz`, connections: CONCURRENCY, durationSeconds: 3 });
    ratioRow(`1. token API, fresh token (vs minimal token server; median of ${TOKEN_API.rounds} alternating rounds)`, tokenApi, tokenFloor, "req", { p99Factor: 2 });
    ratioRow("1b. GET /healthz, no database (vs the same floor)", healthz, tokenFloor, "req", { diagnostic: true });
    details.tokenApi = { tokenApi, tokenFloor, healthz, appRounds, floorRounds };

    // 1c. The same fresh-token reads while GitHub takes 5 s to answer the refreshes of 20 other users
    // on the same instance, next to the same reads with GitHub idle, measured back to back. A refresh
    // holds no connection while GitHub answers, so the slow refreshes must not starve the reads.
    const slowLoad = () => tokenLoad(instanceA.url, SLOW_GITHUB.measureSeconds);
    const readsIdle = await slowLoad();
    const waitingUsers = [];
    for (let index = 0; index < SLOW_GITHUB.users; index += 1) waitingUsers.push(await seedUser(services, simulator, { expired: true }));
    simulator.counters.reset();
    simulator.injectFault("refresh", { delayMs: SLOW_GITHUB.answerMs }, Infinity);
    const slowRefreshes = Promise.all(
      waitingUsers.map((user) =>
        fetch(`${instanceA.url}/api/v1/users/${user.githubId}/token`, { headers: { authorization: `Bearer ${env.SERVICE_API_TOKEN}` } }).then((response) => response.status),
      ),
    );
    while (simulator.counters.calls("refresh") < SLOW_GITHUB.users) await new Promise((resolve) => setTimeout(resolve, 10));
    const readsWhileSlow = await slowLoad();
    const slowStatuses = await slowRefreshes;
    simulator.clearFaults();
    const p99Ratio = readsWhileSlow.p99Ms / readsIdle.p99Ms;
    rows.push({
      benchmark: `1c. token API p99, fresh token, while GitHub takes ${SLOW_GITHUB.answerMs / 1000} s to refresh ${SLOW_GITHUB.users} other users (vs GitHub idle)`,
      measured: `p99 ${fixed(readsWhileSlow.p99Ms, 1)} ms, p50 ${fixed(readsWhileSlow.p50Ms, 1)} ms, ${fixed(readsWhileSlow.perSecond)} req/s`,
      floor: `p99 ${fixed(readsIdle.p99Ms, 1)} ms, p50 ${fixed(readsIdle.p50Ms, 1)} ms, ${fixed(readsIdle.perSecond)} req/s`,
      ratio: p99Ratio,
      target: "p99 <= 2x",
      pass: p99Ratio <= 2 && readsWhileSlow.errors === 0 && slowStatuses.every((status) => status === 200),
    });
    details.slowGitHub = { readsIdle, readsWhileSlow, slowRefreshStatuses: slowStatuses, refreshCalls: simulator.counters.calls("refresh") };
  }

  if (runs("webhooks")) {
    // 2. Signed webhook deliveries end to end vs. verify + one INSERT. Deliveries for one installation
    // queue on its row lock (they are applied in order), so the same load spread over eight
    // installations shows what that lock costs.
    const delivery = async (index: number) => {
      const installation = simulator.addInstallation({ account: { login: `bench-org-${index}`, type: "Organization" }, repositories: [{ name: "first" }] });
      const created = await simulator.sendWebhook("installation", "created", { installationId: installation.id });
      if (created.status !== 200) throw new Error(`installation.created answered ${created.status}`);
      const example = examplePayload("installation_repositories", "added") as { installation: { account: object } };
      const body = JSON.stringify({
        ...example,
        installation: { ...example.installation, id: installation.id, account: { ...example.installation.account, id: installation.account.id, login: installation.account.login } },
      });
      const signature = await sign(env.WEBHOOK_SECRET!, body);
      return { installationId: installation.id, body, signature, headers: { "content-type": "application/json", "x-github-event": "installation_repositories", "x-hub-signature-256": signature } };
    };
    const deliveries = await Promise.all(Array.from({ length: 8 }, (_, index) => delivery(index)));
    const webhookLoad = { url: `${instanceA.url}/api/github/webhooks`, method: "POST", connections: CONCURRENCY, durationSeconds: MEASURE_SECONDS, newDeliveryIdEachRequest: true };
    await runScript<LoadResult>("./http-load.ts", { ...webhookLoad, variants: deliveries.slice(0, 1), durationSeconds: 1 });
    const webhooks = await runScript<LoadResult>("./http-load.ts", { ...webhookLoad, variants: deliveries.slice(0, 1) });
    await recordMemory("webhooks");
    const webhooksSpread = await runScript<LoadResult>("./http-load.ts", { ...webhookLoad, variants: deliveries, durationSeconds: 3 });
    // Every delivery a change (a repository the installation lacks): applied one at a time on the
    // installation's lock, each waiting for the previous one's commit to be flushed.
    const webhooksWriting = await runScript<LoadResult>("./http-load.ts", {
      ...webhookLoad,
      variants: deliveries.slice(1, 2),
      newRepositoryEachRequest: { secret: env.WEBHOOK_SECRET },
      durationSeconds: 3,
    });
    const outcomes = await sequelize.query("SELECT outcome, count(*)::int AS n FROM webhook_deliveries WHERE event = 'installation_repositories' GROUP BY outcome", { type: "SELECT" });
    // 2c's deliveries each added a row: the proof they were changes, not repeats.
    const [writtenRepositories] = await sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM installation_repositories WHERE installation_id = :installationId", {
      replacements: { installationId: deliveries[1]!.installationId },
      type: QueryTypes.SELECT,
    });
    // The floor: a bare Probot app (same Probot, server and middleware) inserting one row per delivery.
    const probotFloorServer = await startScriptServer("./probot-floor-server.ts", {
      databaseUrl, secret: env.WEBHOOK_SECRET, privateKey: env.PRIVATE_KEY, appId: Number(env.APP_ID), poolSize: POOL_SIZE,
    });
    floorServers.push(probotFloorServer);
    const floorLoad = { ...webhookLoad, url: `${probotFloorServer.url}/api/github/webhooks`, variants: deliveries.slice(0, 1) };
    await runScript<LoadResult>("./http-load.ts", { ...floorLoad, durationSeconds: 1 });
    const webhookFloor = await runScript<LoadResult>("./http-load.ts", floorLoad);
    await probotFloorServer.stop();
    ratioRow("2. signed webhook deliveries, 1 installation (vs bare Probot app + INSERT)", webhooks, webhookFloor, "deliveries");
    ratioRow("2b. same, spread over 8 installations", webhooksSpread, webhookFloor, "deliveries", { diagnostic: true });
    ratioRow("2c. each delivery adding a repository (every one a change, 1 installation)", webhooksWriting, webhookFloor, "deliveries", { diagnostic: true });
    details.webhooks = { webhooks, webhooksSpread, webhooksWriting, webhooksWritingRepositories: writtenRepositories!.n, webhookFloor, outcomes };
  }

  if (runs("storm")) {
    // 3. Refresh storm: 1,000 requests at once for 100 expired users over three instances.
    simulator.setLatency(50);
    const expired = [];
    for (let index = 0; index < STORM.users; index += 1) expired.push(await seedUser(services, simulator, { expired: true }));
    simulator.counters.reset();
    const storm = await runScript<{ wallMs: number; statuses: Record<string, number> }>("./storm-load.ts", {
      instanceUrls: instances.map((instance) => instance.url),
      githubIds: expired.map((user) => user.githubId),
      requests: STORM.requests,
      serviceApiToken: env.SERVICE_API_TOKEN,
    });
    await recordMemory("refresh storm");
    const refreshes = simulator.counters.calls("refresh");
    const reauth = Object.entries(storm.statuses).filter(([key]) => key.includes("reauth_required")).reduce((sum, [, n]) => sum + n, 0);
    const refreshedOnce = expired.every((user) => simulator.counters.refreshes(user.login) === 1);
    rows.push({
      benchmark: "3. refresh storm (1,000 req, 100 expired users, 3 instances)",
      measured: `${refreshes} refreshes, ${reauth} reauth_required, ${fixed(storm.wallMs)} ms wall`,
      floor: "exactly 100 refreshes (one per user)",
      ratio: null,
      target: "100 refreshes, 0 reauth",
      pass: refreshes === STORM.users && refreshedOnce && reauth === 0 && storm.statuses["200"] === STORM.requests,
    });
    details.storm = { ...storm, refreshes, refreshedOnce, simulatorLatencyMs: 50 };
  }

  if (runs("migration")) {
    // 4. Migration: 10,000 imported users through batches against a GitHub answering in 50 ms.
    simulator.setLatency(0);
    const lines: string[] = [];
    for (let index = 0; index < MIGRATION.users; index += 1) {
      const login = `bench-legacy-${index}`;
      const { id } = simulator.addUser({ login });
      lines.push(JSON.stringify({ github_id: id, login, access_token: simulator.issueTokens(login, "legacy").accessToken }));
    }
    const file = path.join(workDir, "legacy-users.jsonl");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const imported = await services.legacyImporter.importJsonLinesFile(file);
    simulator.setLatency(MIGRATION.latencyMs);
    simulator.counters.reset();
    const migrationStarted = performance.now();
    const migrated = await instanceA.request({ kind: "migrate", size: MIGRATION.users });
    const migrationSeconds = (performance.now() - migrationStarted) / 1000;
    // The last phase: a full GC afterwards tells memory kept (a leak) from memory not yet collected.
    await recordMemory("migration", { collect: true });
    const batches = migrated.kind === "migrated" ? migrated.batches : [];
    const claimed = batches.reduce((sum, batch) => sum + (batch.counts.claimed ?? 0), 0);
    const usersPerSecond = claimed / migrationSeconds;
    const callsPerUser = simulator.counters.totalCalls() / Math.max(1, claimed);
    const bound = BATCH_GITHUB_CONCURRENCY / ((MIGRATION.latencyMs / 1000) * callsPerUser);
    rows.push({
      benchmark: `4. migration, ${MIGRATION.users} users, GitHub at ${MIGRATION.latencyMs} ms`,
      measured: `${fixed(usersPerSecond, 1)} users/s (${claimed} users in ${fixed(migrationSeconds, 1)} s)`,
      floor: `bound ${fixed(bound, 1)} users/s (${BATCH_GITHUB_CONCURRENCY} at once / ${MIGRATION.latencyMs} ms x ${fixed(callsPerUser, 2)} calls/user)`,
      ratio: usersPerSecond / bound,
      target: ">= 0.5x (within 2x)",
      pass: claimed === MIGRATION.users && usersPerSecond * 2 >= bound,
    });
    details.migration = { imported: { created: imported.created, rejected: imported.rejected }, batches, claimed, migrationSeconds, calls: simulator.counters.totalCalls() };

    // 6. Storage, for docs/scaling.md: bytes per row as stored (table, TOAST and indexes), after the
    // migration phase. Users with an App token pair and users with only a legacy token differ.
    const [storage] = await sequelize.query<Record<string, number>>(
      `SELECT (SELECT count(*) FROM users)::int AS users,
              pg_total_relation_size('users')::bigint AS users_bytes,
              (SELECT avg(pg_column_size(u.*)) FROM users u WHERE github_app_user_token IS NOT NULL)::int AS app_user_row_bytes,
              (SELECT avg(pg_column_size(u.*)) FROM users u WHERE github_app_user_token IS NULL)::int AS legacy_user_row_bytes,
              (SELECT count(*) FROM migration_events)::int AS events,
              pg_total_relation_size('migration_events')::bigint AS events_bytes,
              (SELECT count(*) FROM notifications)::int AS notifications,
              pg_total_relation_size('notifications')::bigint AS notifications_bytes,
              (SELECT count(*) FROM webhook_deliveries)::int AS deliveries,
              pg_total_relation_size('webhook_deliveries')::bigint AS deliveries_bytes`,
      { type: QueryTypes.SELECT },
    );
    const perRow = (bytes: number, count: number) => fixed(bytes / Math.max(1, count));
    storageRow = {
      benchmark: "6. storage per row (table + indexes), after the migration",
      measured: `users ${perRow(storage!.users_bytes!, storage!.users!)} B (row alone: ${storage!.app_user_row_bytes} B with App tokens, ${storage!.legacy_user_row_bytes} B legacy only); migration_events ${perRow(storage!.events_bytes!, storage!.events!)} B; notifications ${perRow(storage!.notifications_bytes!, storage!.notifications!)} B; webhook_deliveries ${perRow(storage!.deliveries_bytes!, storage!.deliveries!)} B`,
      floor: "-",
      ratio: null,
      target: "(diagnostic)",
      pass: null,
    };
    details.storage = storage;
  }

  // 7. The maintainers' console at 100,000 users and 1,000,000 audit events, after everything else
  // (the seed would change what the phases above measure). Its rows are printed last.
  const consoleRows: Row[] = [];
  if (runs("console")) {
    const { world, floor, pages } = await measureConsole({ instanceUrl: instanceA.url, databaseUrl, sessionSecret: env.SESSION_SECRET! });
    for (const page of pages) {
      const benchmark = `7. console p99, ${page.label} (${world.users} users, ${world.events} events)`;
      if (!page.load) {
        consoleRows.push({ benchmark, measured: `not measured: ${page.path} ${page.skipped}`, floor: "-", ratio: null, target: `p99 < ${CONSOLE_P99_TARGET_MS} ms`, pass: null });
        continue;
      }
      consoleRows.push({
        benchmark,
        measured: `p99 ${fixed(page.load.p99Ms, 1)} ms, p50 ${fixed(page.load.p50Ms, 1)} ms, ${fixed(page.load.perSecond)} pages/s`,
        floor: `GET /healthz: p99 ${fixed(floor.p99Ms, 1)} ms, p50 ${fixed(floor.p50Ms, 1)} ms`,
        ratio: page.load.p99Ms / floor.p99Ms,
        target: `p99 < ${CONSOLE_P99_TARGET_MS} ms`,
        pass: page.load.p99Ms < CONSOLE_P99_TARGET_MS && page.load.errors === 0,
      });
    }
    await recordMemory("console");
    details.console = { seeded: world, floor, pages };
  }

  // 5. Memory: each instance's highest RSS during each phase.
  for (const { phase, rssMb, heapUsedMb, liveHeapMb } of peakMemory) {
    const highest = Math.max(...rssMb);
    rows.push({
      benchmark: `5. peak RSS per instance, ${phase}`,
      measured: `${rssMb.map((value) => fixed(value)).join(" / ")} MB (A / B / C); heap ${heapUsedMb.map((value) => fixed(value)).join(" / ")} MB${
        liveHeapMb.every((value) => value !== null) ? `, kept after GC ${liveHeapMb.map((value) => fixed(value!)).join(" / ")} MB` : ""
      }`,
      floor: `${RSS_LIMIT_MB} MB`,
      ratio: highest / RSS_LIMIT_MB,
      target: `< ${RSS_LIMIT_MB} MB`,
      pass: highest < RSS_LIMIT_MB,
    });
  }
  details.peakMemory = peakMemory;
  if (storageRow) rows.push(storageRow);
  rows.push(...consoleRows);

  await Promise.all(instances.map((instance) => instance.stop()));
  await simulator.stop();
} finally {
  clearInterval(loadSampler);
  for (const instance of instances) instance.kill();
  await Promise.all(floorServers.map((floor) => floor.stop()));
  await sequelize.close();
  await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
  await embedded?.stop();
  rmSync(workDir, { recursive: true, force: true });
}

report({ complete: true });
clearTimeout(watchdog);

function report({ complete }: { complete: boolean }): void {
  const load = { samples: loadSamples.map((value) => Number(value.toFixed(2))), max: Math.max(...loadSamples, loadavg()[0]!) };
  console.log();
  console.table(rows.map((row) => ({ ...row, ratio: row.ratio === null ? "-" : fixed(row.ratio, 2), pass: row.pass === null ? "-" : row.pass ? "PASS" : "MISS" })));
  console.log(`total ${fixed((performance.now() - startedAt) / 1000, 1)} s, concurrency ${CONCURRENCY}, ${MEASURE_SECONDS} s per side (row 1: ${TOKEN_API.rounds} alternating rounds of ${TOKEN_API.roundSeconds} s), load average (1 min) max ${fixed(load.max, 2)}`);
  const results = { date: new Date().toISOString(), node: process.version, complete, concurrency: CONCURRENCY, load, rows, details };
  writeFileSync(new URL("./results.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
}
