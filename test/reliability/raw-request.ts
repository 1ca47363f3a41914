// HTTP requests exactly as written: raw paths (no URL normalisation of `../`), any header, a body
// sent with or without Content-Length, and a deadline so a hanging answer fails the test.
import http from "node:http";

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** How long the answer took. */
  elapsedMs: number;
}

export function rawRequest(baseUrl: string, request: RawRequest, { timeoutMs = 10_000 } = {}): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined && !request.chunked) headers["content-length"] = String(Buffer.byteLength(request.body));
    if (request.chunked) headers["transfer-encoding"] = "chunked";
    const outgoing = http.request(
      { host: url.hostname, port: url.port, method: request.method, path: request.path, headers, timeout: timeoutMs, agent: false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => {
          answered = true;
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks).toString("utf8"), elapsedMs: Date.now() - started });
        });
        incoming.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`${request.method} ${request.path} did not answer within ${timeoutMs} ms`)));
    // The server may answer (413) and close before the whole body is sent: that is the point.
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") return reject(error);
      // A reset with no answer at all resolves as status 0, which no test accepts.
      setTimeout(() => answered || resolve({ status: 0, headers: {}, body: "", elapsedMs: Date.now() - started }), 1_000);
    });
    if (request.body === undefined) return void outgoing.end();
    if (!request.chunked) return void outgoing.end(request.body);
    const body = Buffer.from(request.body);
    const slice = 16 * 1024;
    for (let offset = 0; offset < body.length; offset += slice) outgoing.write(body.subarray(offset, offset + slice));
    outgoing.end();
  });
}
