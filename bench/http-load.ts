// HTTP load in a process of its own: autocannon against one URL. With `variants`, each request takes
// the next body and headers in turn (several installations' deliveries); with
// `newDeliveryIdEachRequest`, each carries a new X-GitHub-Delivery id (each is a new delivery).
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";
import { printResult, scriptInput } from "./closed-loop.js";

interface Variant {
  headers: Record<string, string>;
  body?: string;
}

interface Input {
  url: string;
  method?: "GET" | "POST";
  variants?: Variant[];
  connections: number;
  durationSeconds: number;
  newDeliveryIdEachRequest?: boolean;
}

const { url, method = "GET", variants = [{ headers: {} }], connections, durationSeconds, newDeliveryIdEachRequest = false } = scriptInput<Input>();
let sent = 0;
const result = await autocannon({
  url,
  connections,
  duration: durationSeconds,
  requests: [
    {
      method,
      setupRequest: (request) => {
        const variant = variants[sent++ % variants.length]!;
        const headers = { ...variant.headers, ...(newDeliveryIdEachRequest ? { "x-github-delivery": randomUUID() } : {}) };
        return { ...request, headers, body: variant.body };
      },
    },
  ],
});
const ok = result["2xx"];
printResult({
  perSecond: ok / result.duration,
  count: ok,
  errors: result.non2xx + result.errors + result.timeouts,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
});
