// Injected failures, per endpoint, each for a number of calls; consumed in the order injected.
import type { FaultKind, SimulatorEndpoint } from "./types.js";

interface PendingFault {
  fault: FaultKind;
  remaining: number;
}

export class FaultBook {
  private readonly pending = new Map<SimulatorEndpoint, PendingFault[]>();

  inject(endpoint: SimulatorEndpoint, fault: FaultKind, times = 1) {
    if (!(times > 0)) throw new Error(`Simulator: a fault needs times > 0 (got ${times})`);
    const queue = this.pending.get(endpoint) ?? [];
    queue.push({ fault, remaining: times });
    this.pending.set(endpoint, queue);
  }

  /** The fault this call suffers, if any (and one use of it is spent). */
  take(endpoint: SimulatorEndpoint): FaultKind | undefined {
    const queue = this.pending.get(endpoint);
    const next = queue?.[0];
    if (!queue || !next) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) queue.shift();
    return next.fault;
  }

  clear() {
    this.pending.clear();
  }
}
