// The token API's hot route, GET /api/v1/users/{github_id}/token, answered straight from node:http:
// the services' most frequent call skips Probot's request chain (pino-http, the webhook middleware)
// and Hono's WHATWG Request/Response adapter, which cost more CPU than the resolution itself. It
// answers byte for byte what the Hono route answers (same checks, errors, security headers,
// Cache-Control: no-store; test/integration/tokens/token-api-fast-path.test.ts compares them);
// anything unusual (another method, a body, an odd path) goes the long way through Hono.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { TokenResolver } from "../tokens/resolution.js";
import { apiKeyCheck } from "./api-key-auth.js";
import { errorBody, toHttpError, type ErrorTranslator } from "./errors.js";
import { answerTokenRequest, SERVICE_REALM } from "./token-api-routes.js";

export interface TokenApiFastPathOptions {
  resolver: TokenResolver;
  serviceApiToken: string;
  errorTranslators: ErrorTranslator[];
  /** http-app.ts's securityHeaderValues(). */
  securityHeaders: Record<string, string>;
  log: Logger;
}

const TOKEN_PATH = /^\/api\/v1\/users\/([^/]+)\/token$/;

/** What every answer uses, built once with the handler rather than per request. */
interface PreparedAnswer {
  answerHeaders: Readonly<Record<string, string>>;
  assertServiceKey: (authorization: string | undefined) => void;
}

/** A request handler that answers the token route and returns true, or returns false for anything else. */
export function tokenApiFastPath(options: TokenApiFastPathOptions): (request: IncomingMessage, response: ServerResponse) => boolean {
  const prepared: PreparedAnswer = {
    // Tokens must never sit in a cache, and neither should the answers saying why there is none.
    // Most answers send exactly these.
    answerHeaders: Object.freeze({ ...options.securityHeaders, "content-type": "application/json", "Cache-Control": "no-store" }),
    assertServiceKey: apiKeyCheck({ expectedKey: options.serviceApiToken, realm: SERVICE_REALM }),
  };
  return (request, response) => {
    if (request.method !== "GET") return false;
    const url = request.url ?? "/";
    const queryStart = url.indexOf("?");
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const match = TOKEN_PATH.exec(path);
    // A GET with a body takes the long way, where the body size limit is enforced.
    if (!match || request.headers["transfer-encoding"] !== undefined || (request.headers["content-length"] ?? "0") !== "0") return false;
    let githubId: string;
    try {
      githubId = decodeURIComponent(match[1]!);
    } catch {
      return false;
    }
    void answer(options, prepared, request, response, { path, githubId, query: queryStart === -1 ? "" : url.slice(queryStart + 1) });
    return true;
  };
}

async function answer(
  { resolver, errorTranslators, log }: TokenApiFastPathOptions,
  { answerHeaders, assertServiceKey }: PreparedAnswer,
  request: IncomingMessage,
  response: ServerResponse,
  { path, githubId, query }: { path: string; githubId: string; query: string },
): Promise<void> {
  let headers = answerHeaders;
  let status = 200;
  let body: Record<string, unknown>;
  try {
    assertServiceKey(request.headers.authorization);
    body = await answerTokenRequest(resolver, { github_id: githubId }, firstValues(query));
  } catch (error) {
    const httpError = toHttpError(error, errorTranslators, log, { path, method: "GET" });
    status = httpError.status;
    headers = { ...answerHeaders, ...httpError.headers };
    body = errorBody(httpError);
  }
  response.writeHead(status, headers).end(JSON.stringify(body));
}

/** The query as Hono's c.req.query() gives it: each name's first value. */
function firstValues(query: string): Record<string, string> {
  const values: Record<string, string> = {};
  if (query === "") return values;
  for (const [name, value] of new URLSearchParams(query)) if (!Object.hasOwn(values, name)) values[name] = value;
  return values;
}

/**
 * Puts `handler` in front of the server's own request listeners (Probot's Server has one, which
 * runs its logger, webhook middleware and the Hono app): requests it declines go on to them.
 */
export function answerFirst(server: Server, handler: (request: IncomingMessage, response: ServerResponse) => boolean): void {
  const others = server.listeners("request") as Array<(request: IncomingMessage, response: ServerResponse) => void>;
  server.removeAllListeners("request");
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    if (handler(request, response)) return;
    for (const listener of others) listener.call(server, request, response);
  });
}
