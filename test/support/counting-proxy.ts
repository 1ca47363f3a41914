// An HTTP proxy in front of a real app instance that counts the requests reaching it and can answer
// the next few itself (a 503 with Retry-After, say), so client tests see exactly what crossed the wire.
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface CountingProxy {
  url: string;
  /** Requests received (answered by the proxy or passed on) whose path starts with `pathPrefix`. */
  requests(pathPrefix?: string): number;
  /** The next `times` requests are answered with `answer` instead of reaching the app. */
  answerNext(answer: CannedAnswer, times?: number): void;
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(targetUrl: string): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  const seen: string[] = [];
  const canned: CannedAnswer[] = [];
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    seen.push(incoming.url ?? "/");
    const answer = canned.shift();
    if (answer) {
      outgoing.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      outgoing.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
      return;
    }
    const upstream = forward(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on("error", () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: (pathPrefix = "/") => seen.filter((path) => path.startsWith(pathPrefix)).length,
    answerNext(answer, times = 1) {
      for (let index = 0; index < times; index += 1) canned.push(answer);
    },
    reset() {
      seen.length = 0;
      canned.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
