// The API document as the current code describes it, built offline (no database is opened): what
// `npm run openapi` writes to docs/api/openapi.json and what the test compares that file with.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config.js";
import { connectDatabase } from "../src/db/connection.js";
import { defineModels } from "../src/db/models/index.js";
import { describeApi, type ApiDocument } from "../src/http/api-document.js";
import { createHttpApp, WEBHOOK_PATH } from "../src/index.js";
import { createLogger } from "../src/observability/logger.js";
import { composeApp } from "../src/services.js";

export const API_DOCUMENT_FILE = fileURLToPath(new URL("../docs/api/openapi.json", import.meta.url));

export async function generateApiDocument(): Promise<ApiDocument> {
  // Throwaway development secrets: the routes need services to be built, the document holds no setting.
  const dataDir = mkdtempSync(path.join(tmpdir(), "gaut-openapi-"));
  const sequelize = connectDatabase({ url: "postgres://unused@127.0.0.1:1/unused" });
  try {
    const config = loadConfig({ env: { NODE_ENV: "development", DATA_DIR: dataDir, LOG_LEVEL: "silent" } });
    const { services } = composeApp({ config, models: defineModels(sequelize), log: await createLogger({ level: "silent" }) });
    return await describeApi(createHttpApp(services), { webhookPath: WEBHOOK_PATH });
  } finally {
    await sequelize.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The file's exact text: two-space JSON and a final newline. */
export function apiDocumentText(document: ApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
