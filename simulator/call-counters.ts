// What tests read back: calls per endpoint and successful refresh-token rotations per user.
import type { SimulatorEndpoint } from "./types.js";

export class CallCounters {
  private readonly callsByEndpoint = new Map<SimulatorEndpoint, number>();
  private readonly refreshesByLogin = new Map<string, number>();
  private total = 0;

  countCall(endpoint: SimulatorEndpoint) {
    this.total += 1;
    this.callsByEndpoint.set(endpoint, (this.callsByEndpoint.get(endpoint) ?? 0) + 1);
  }

  countRefresh(login: string) {
    const key = login.toLowerCase();
    this.refreshesByLogin.set(key, (this.refreshesByLogin.get(key) ?? 0) + 1);
  }

  refreshes(login: string): number {
    return this.refreshesByLogin.get(login.toLowerCase()) ?? 0;
  }

  calls(endpoint: SimulatorEndpoint): number {
    return this.callsByEndpoint.get(endpoint) ?? 0;
  }

  totalCalls(): number {
    return this.total;
  }

  reset() {
    this.callsByEndpoint.clear();
    this.refreshesByLogin.clear();
    this.total = 0;
  }
}
