// A counting semaphore over pool connections: work of one kind (refreshes) may hold at most `limit`
// connections at once, always fewer than the pool, so a slow GitHub can never leave other requests
// without a connection.

export class ConnectionBudget {
  readonly #limit: number;
  #inUse = 0;
  readonly #queue: Array<() => void> = [];

  constructor(limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new Error(`ConnectionBudget: limit must be a whole number >= 1 (got ${limit})`);
    this.#limit = limit;
  }

  /** Runs `work` once a slot is free; the slot is given back however `work` ends. */
  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.#inUse >= this.#limit) await new Promise<void>((resolve) => this.#queue.push(resolve));
    else this.#inUse += 1;
    try {
      return await work();
    } finally {
      const next = this.#queue.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot jump the queue.
      if (next) next();
      else this.#inUse -= 1;
    }
  }

  get inUse(): number {
    return this.#inUse;
  }
}
