// The bar long CLI commands draw in front of their progress line.

export interface ProgressFraction {
  done: number;
  /** Unknown totals show a count instead of a bar. */
  total?: number;
}

const BAR_WIDTH = 24;

/** `[##########--------------]  42% 420/1000`, or just the count when the total is unknown. */
export function progressBar({ done, total }: ProgressFraction): string {
  if (total === undefined || total <= 0) return `[${done}]`;
  const share = Math.min(Math.max(done / total, 0), 1);
  const filled = Math.round(share * BAR_WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${done}/${total}`;
}
