// Checks a webhook delivery's signature before Probot sees it. Probot's own middleware logs each
// forged or unsigned delivery twice at error level with stack traces, so anyone who can reach the
// webhook URL could flood the error log; here such a delivery gets one warn line, no stack, a
// metric, and GitHub's 400. A signed delivery goes on to Probot with its raw body untouched.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { Counter } from "prom-client";
import { metricsRegistry } from "../observability/metrics.js";

/** GitHub caps webhook payloads at 25 MB. */
const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

const rejectedDeliveries = new Counter({
  name: "webhook_signature_rejections_total",
  help: "Webhook deliveries refused before processing, by reason (missing or invalid signature, too large).",
  labelNames: ["reason"] as const,
  registers: [metricsRegistry],
});

type Rejection = "missing_signature" | "invalid_signature" | "too_large";

const MESSAGES: Record<Rejection, string> = {
  missing_signature: "The delivery carries no X-Hub-Signature-256 header.",
  invalid_signature: "The delivery's X-Hub-Signature-256 does not match its body under the webhook secret.",
  too_large: `Webhook payloads are limited to ${MAX_PAYLOAD_BYTES} bytes.`,
};

export interface WebhookSignatureGateOptions {
  secret: string;
  webhookPath: string;
  log: Logger;
}

/** A request handler: true when it answered (a refused delivery), false to pass the request on. */
export function webhookSignatureGate({ secret, webhookPath, log }: WebhookSignatureGateOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "POST" || (req.url ?? "/").split("?")[0] !== webhookPath) return false;
    const body = await readBody(req);
    const signature = req.headers["x-hub-signature-256"];
    const rejection: Rejection | null =
      body === null ? "too_large" : typeof signature !== "string" ? "missing_signature" : signatureMatches(secret, body, signature) ? null : "invalid_signature";
    if (rejection === null) {
      // @octokit/webhooks reads a raw body left here instead of the (consumed) stream.
      Object.assign(req, { rawBody: body, body: {} });
      return false;
    }
    rejectedDeliveries.inc({ reason: rejection });
    log.warn(
      {
        event: "webhook.refused",
        reason: rejection,
        delivery: headerText(req.headers["x-github-delivery"]),
        github_event: headerText(req.headers["x-github-event"]),
        remote_address: req.socket.remoteAddress ?? null,
      },
      rejection === "too_large" ? "webhook refused: payload too large" : "webhook refused: the signature does not match WEBHOOK_SECRET",
    );
    res.writeHead(rejection === "too_large" ? 413 : 400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: rejection, message: MESSAGES[rejection] }));
    return true;
  };
}

function signatureMatches(secret: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The whole body, or null once it passes the limit (the rest is drained, not kept). */
async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_PAYLOAD_BYTES ? null : Buffer.concat(chunks);
}

/** Header values are the sender's words: kept short and printable before they reach a log line. */
function headerText(value: string | string[] | undefined): string | null {
  if (typeof value !== "string") return null;
  return value.replace(/[^\x20-\x7e]/g, "?").slice(0, 100);
}
