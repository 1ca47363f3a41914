// Checks real HTTP answers against docs/api/openapi.json: the schema the document gives for the
// route, status and media type must accept the body. OpenAPI 3.1 schemas are JSON Schema 2020-12.
import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export interface ApiDocumentShape {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  components: { schemas: Record<string, object> };
}

export function committedApiDocument(): ApiDocumentShape {
  return JSON.parse(readFileSync(new URL("../../docs/api/openapi.json", import.meta.url), "utf8")) as ApiDocumentShape;
}

export interface AnsweredRequest {
  method: string;
  /** The path as requested, query string included or not. */
  path: string;
  status: number;
  body: unknown;
}

/** What the document says about one answer, and whether the body fits. */
export interface AnswerCheck {
  route: string;
  status: number;
  /** null when the body fits the documented schema; else what does not. */
  errors: string | null;
}

export class DocumentedAnswers {
  readonly #document: ApiDocumentShape;
  readonly #ajv: Ajv2020;
  readonly #validators = new Map<string, ValidateFunction>();
  /** Every documented "METHOD path" with a checked answer, for coverage assertions. */
  readonly covered = new Set<string>();

  constructor(document: ApiDocumentShape = committedApiDocument()) {
    this.#document = document;
    // strict off: OpenAPI adds keywords of its own (description on every schema is fine, but also example…).
    this.#ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema({ $id: "api", components: document.components });
  }

  /** The documented route ("GET /api/v1/users/{github_id}/token") a concrete request matched. */
  routeOf(method: string, path: string): string {
    const bare = path.split("?")[0]!;
    for (const [template, operations] of Object.entries(this.#document.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      if (pattern.test(bare) && operations[method.toLowerCase()]) return `${method.toUpperCase()} ${template}`;
    }
    throw new Error(`the API document has no route for ${method} ${bare}`);
  }

  check({ method, path, status, body }: AnsweredRequest): AnswerCheck {
    const route = this.routeOf(method, path);
    const [verb, template] = route.split(" ") as [string, string];
    const answer = this.#document.paths[template]![verb.toLowerCase()]!.responses[String(status)];
    if (!answer) return { route, status, errors: `status ${status} is not documented` };
    const schema = answer.content?.["application/json"]?.schema;
    if (!schema) return { route, status, errors: "no application/json body is documented for this status" };
    const key = `${route} ${status}`;
    let validate = this.#validators.get(key);
    if (!validate) {
      // Rebase the document's local references onto the registered components.
      validate = this.#ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"api#/components/')) as object);
      this.#validators.set(key, validate);
    }
    this.covered.add(route);
    return { route, status, errors: validate(body) ? null : this.#ajv.errorsText(validate.errors, { dataVar: "body" }) };
  }
}
