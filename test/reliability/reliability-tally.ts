// Counts what a reliability test file tried and what went wrong, and prints one line per category
// when the file ends, so a run's log says at a glance how much was exercised.
export class ReliabilityTally {
  readonly #lines = new Map<string, { tried: number; bad: number; verb: string }>();

  /** Records `tried` attempts of `category`, of which `bad` went wrong (lost, accepted, leaked…). */
  record(category: string, verb: string, { tried = 1, bad = 0 }: { tried?: number; bad?: number } = {}): void {
    const line = this.#lines.get(category) ?? { tried: 0, bad: 0, verb };
    line.tried += tried;
    line.bad += bad;
    this.#lines.set(category, line);
  }

  print(): void {
    for (const [category, { tried, bad, verb }] of this.#lines) {
      console.log(`reliability: ${category} tried ${tried}, ${verb} ${bad}`);
    }
  }
}
