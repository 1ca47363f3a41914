// Concurrent callers for the same key share one piece of work and its answer: in one process, fifty
// requests for one user's expiring token make one refresh, and wait for it holding nothing.

export class SingleFlight<Key, Value> {
  readonly #inFlight = new Map<Key, Promise<Value>>();

  /** Runs `work` unless work for `key` is already running, in which case its answer is shared. */
  run(key: Key, work: () => Promise<Value>): Promise<Value> {
    const running = this.#inFlight.get(key);
    if (running) return running;
    const started = work().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, started);
    return started;
  }

  isRunning(key: Key): boolean {
    return this.#inFlight.has(key);
  }
}
