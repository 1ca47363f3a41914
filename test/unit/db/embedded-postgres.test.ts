// As root, the embedded Postgres runs as the "postgres" user; a private folder above its data or its
// binaries used to kill the process with an unhandled spawn EACCES. It must refuse with a message
// naming the folder, before any server is started.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../../../src/db/embedded-postgres.js";

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
