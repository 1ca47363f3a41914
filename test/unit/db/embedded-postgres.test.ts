// As root, the embedded Postgres runs as the "postgres" user; a private folder above its data or its
// binaries used to kill the process with an unhandled spawn EACCES. It must refuse with a message
// naming the folder, before any server is started; binaries in such a folder (a clone under
// `mktemp -d`) are run from a copy under the temporary folder instead.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { reachableEmbeddedPostgres } from "../../../src/db/embedded-postgres-binaries.js";
import { startEmbeddedPostgres } from "../../../src/db/embedded-postgres.js";
import { findFreePort } from "../../../src/free-port.js";

const runsAsRoot = process.getuid?.() === 0;

describe("startEmbeddedPostgres in a folder the postgres user cannot enter", () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "embedded-pg-"));
  });

  afterEach(() => {
    chmodSync(root, 0o755);
    rmSync(root, { recursive: true, force: true });
  });

  (runsAsRoot ? it : it.skip)("refuses with a message naming the private folder and what to do", async () => {
    const privateFolder = path.join(root, "private");
    mkdirSync(privateFolder, { mode: 0o700 });
    chmodSync(privateFolder, 0o700);

    await expect(startEmbeddedPostgres({ directory: path.join(privateFolder, "data"), persistent: false })).rejects.toThrow(
      new RegExp(`could not use ${privateFolder}: .*"postgres" user.*DATABASE_URL`),
    );
  });
});

describe("the embedded Postgres binaries copied where the postgres user can reach them", () => {
  (runsAsRoot ? it : it.skip)(
    "a copy under the temporary folder, root's alone, made once, runs a server",
    async () => {
      const first = await reachableEmbeddedPostgres();
      const again = await reachableEmbeddedPostgres();
      expect(again.copy).toBe(first.copy);
      expect(path.dirname(first.copy)).toBe(tmpdir());
      const { uid, mode } = statSync(first.copy);
      expect({ uid, othersMayWrite: (mode & 0o022) !== 0 }).toEqual({ uid: 0, othersMayWrite: false });

      const data = mkdtempSync(path.join(tmpdir(), "embedded-pg-copy-"));
      chmodSync(data, 0o755);
      const port = await findFreePort();
      const server = new first.EmbeddedPostgres({ databaseDir: path.join(data, "cluster"), port, user: "postgres", password: "copy-test", persistent: false, createPostgresUser: true });
      try {
        await server.initialise();
        await server.start();
        const client = new pg.Client({ connectionString: `postgres://postgres:copy-test@127.0.0.1:${port}/postgres` });
        await client.connect();
        const { rows } = await client.query<{ answer: number }>("SELECT 6 * 7 AS answer");
        await client.end();
        expect(rows).toEqual([{ answer: 42 }]);
      } finally {
        await server.stop();
        rmSync(data, { recursive: true, force: true });
      }
    },
    120_000,
  );

  (runsAsRoot ? it : it.skip)("refuses a copy others may write to, which the postgres user would run", async () => {
    const { copy } = await reachableEmbeddedPostgres();
    chmodSync(copy, 0o777);
    try {
      await expect(reachableEmbeddedPostgres()).rejects.toThrow(/is not root's alone .*mode 777/);
    } finally {
      chmodSync(copy, 0o755);
    }
  });
});
