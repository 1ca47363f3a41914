// `npm run openapi`: regenerates docs/api/openapi.json from the routes' descriptions and zod schemas.
import { writeFileSync } from "node:fs";
import { API_DOCUMENT_FILE, apiDocumentText, generateApiDocument } from "./api-document.js";

writeFileSync(API_DOCUMENT_FILE, apiDocumentText(await generateApiDocument()));
console.log(`wrote ${API_DOCUMENT_FILE}`);
