// Calls a test asked the simulator to hold (the `holdBeforeRotation` and `rotateThenHold` faults):
// each waits at its hold point until the test releases it, so the test can act — SIGKILL the app —
// at exactly that instant: before GitHub did anything, or after it rotated a pair but before the
// client read the answer.

export class HeldCalls {
  private readonly held = new Set<() => void>();
  private readonly watchers: Array<{ count: number; notify: () => void }> = [];

  /** Waits until release() (or the simulator stops). */
  async hold(stopping: AbortSignal): Promise<void> {
    if (stopping.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.held.delete(done);
        stopping.removeEventListener("abort", done);
        resolve();
      };
      this.held.add(done);
      stopping.addEventListener("abort", done, { once: true });
      this.notifyWatchers();
    });
  }

  /** Lets every held call go on; returns how many there were. */
  release(): number {
    const waiting = [...this.held];
    for (const done of waiting) done();
    return waiting.length;
  }

  get count(): number {
    return this.held.size;
  }

  /** Resolves once at least `count` calls are held at the same time. */
  whenHeld(count = 1): Promise<void> {
    if (this.held.size >= count) return Promise.resolve();
    return new Promise((notify) => this.watchers.push({ count, notify }));
  }

  private notifyWatchers() {
    for (const watcher of [...this.watchers]) {
      if (this.held.size >= watcher.count) {
        this.watchers.splice(this.watchers.indexOf(watcher), 1);
        watcher.notify();
      }
    }
  }
}
