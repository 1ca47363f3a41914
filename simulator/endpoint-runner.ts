// Wraps every simulated endpoint: counts the call, waits the configured latency, then either answers
// normally or suffers the next injected fault.
import type { Context } from "hono";
import { setTimeout as sleep } from "node:timers/promises";
import { basicErrorBody } from "./response-shapes.js";
import type { SimulatorEnv, SimulatorRuntime } from "./runtime.js";
import type { SimulatorEndpoint } from "./types.js";

/** Long enough that any client timeout fires first; stop() lets the connection go sooner. */
const HOLD_OPEN_MS = 10 * 60 * 1000;

export async function runEndpoint(
  c: Context<SimulatorEnv>,
  runtime: SimulatorRuntime,
  endpoint: SimulatorEndpoint,
  answer: () => Response | Promise<Response>,
): Promise<Response> {
  runtime.counters.countCall(endpoint);
  if (runtime.settings.latencyMs > 0) await pause(runtime.settings.latencyMs, runtime.stopping);
  const fault = runtime.faults.take(endpoint);
  if (!fault) return answer();
  if ("rotateThenDrop" in fault) {
    // The operation happens (for a refresh: the old pair dies, the new one is remembered), but the
    // answer is lost on the way, which is what a client sees when a connection breaks mid-response.
    await answer();
    return dropConnection(c);
  }
  if ("rotateThenHold" in fault) {
    const response = await answer();
    await runtime.held.hold(runtime.stopping);
    return clientGone(c) ? dropConnection(c) : response;
  }
  if ("holdBeforeRotation" in fault) {
    await runtime.held.hold(runtime.stopping);
    // A request whose client died before GitHub got to it is never carried out.
    return clientGone(c) ? dropConnection(c) : answer();
  }
  if ("delayMs" in fault) {
    await pause(fault.delayMs, runtime.stopping);
    return answer();
  }
  if ("drop" in fault) return dropConnection(c);
  if ("oauthError" in fault) return c.json({ error: fault.oauthError, error_description: `Simulated: ${fault.oauthError}` }, 200);
  if ("timeout" in fault) {
    await pause(HOLD_OPEN_MS, runtime.stopping);
    return dropConnection(c);
  }
  if ("rateLimited403" in fault) {
    const resetAt = Math.floor(runtime.now().getTime() / 1000) + fault.resetInSeconds;
    return c.json(basicErrorBody("API rate limit exceeded for this user.", "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"), 403, {
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(resetAt),
      "x-ratelimit-used": "5000",
      "x-ratelimit-resource": "core",
    });
  }
  if (fault.status === 429) {
    return c.json(basicErrorBody("You have exceeded a secondary rate limit. Please wait a few minutes before you try again."), 429, {
      "retry-after": String(fault.retryAfterSeconds),
    });
  }
  return c.json(basicErrorBody(fault.status === 500 ? "Server Error" : fault.status === 502 ? "Bad Gateway" : "Service Unavailable"), fault.status);
}

function clientGone(c: Context<SimulatorEnv>): boolean {
  return c.env.incoming.socket.destroyed || c.env.incoming.socket.readyState !== "open";
}

function dropConnection(c: Context<SimulatorEnv>): Response {
  c.env.incoming.socket.destroy();
  return new Response(null, { status: 204 });
}

async function pause(ms: number, stopping: AbortSignal) {
  await sleep(ms, undefined, { signal: stopping }).catch(() => undefined);
}
