// HTTP load in a process of its own: autocannon against one URL. With `variants`, each request takes
// the next body and headers in turn (several installations' deliveries); with
// `newDeliveryIdEachRequest`, each carries a new X-GitHub-Delivery id (each is a new delivery); with
// `newRepositoryEachRequest`, each `installation_repositories` body adds a repository no request
// added before, signed here with the webhook secret (every delivery is then a change to apply).
import { createHmac, randomUUID } from "node:crypto";
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
  newRepositoryEachRequest?: { secret: string };
}

const { url, method = "GET", variants = [{ headers: {} }], connections, durationSeconds, newDeliveryIdEachRequest = false, newRepositoryEachRequest } =
  scriptInput<Input>();
let sent = 0;

/** The variant's delivery, adding repository number `sequence` of this run instead of its own. */
function withNewRepository(variant: Variant, sequence: number, secret: string): Variant {
  const payload = JSON.parse(variant.body!) as { repositories_added: Array<{ id: number; name: string; full_name: string }> };
  const [template] = payload.repositories_added;
  const name = `bench-repository-${sequence}`;
  payload.repositories_added = [{ ...template!, id: 900_000_000 + sequence, name, full_name: `${template!.full_name.split("/")[0]}/${name}` }];
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return { headers: { ...variant.headers, "x-hub-signature-256": signature }, body };
}

const result = await autocannon({
  url,
  connections,
  duration: durationSeconds,
  requests: [
    {
      method,
      setupRequest: (request) => {
        const sequence = sent++;
        const next = variants[sequence % variants.length]!;
        const variant = newRepositoryEachRequest ? withNewRepository(next, sequence, newRepositoryEachRequest.secret) : next;
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
