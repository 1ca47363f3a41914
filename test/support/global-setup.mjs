// One Postgres server for the whole jest run: the machine's (DATABASE_URL) when set, otherwise an
// embedded one in a temporary folder. Each test file then creates its own database on it.
// Plain ESM because jest loads global setup outside its transform pipeline; tsx loads our TS.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { tsImport } from "tsx/esm/api";

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.TEST_POSTGRES_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const { startEmbeddedPostgres } = await tsImport("../../src/db/embedded-postgres.ts", import.meta.url);
  const directory = mkdtempSync(path.join(tmpdir(), "gaut-test-postgres-"));
  const server = await startEmbeddedPostgres({ directory, persistent: false });
  globalThis.embeddedTestPostgres = server;
  process.env.TEST_POSTGRES_ADMIN_URL = server.adminUrl;
}
