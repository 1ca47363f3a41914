// The one retry rule of the app: wait `firstSeconds` after the first failure, twice as long after
// each further one, never longer than `maxSeconds`. Callers add what is theirs on top (jitter,
// GitHub's Retry-After).

export interface Backoff {
  firstSeconds: number;
  maxSeconds: number;
}

/** Seconds to wait after the `failures`-th failure in a row (1 for the first). */
export function backoffSeconds(failures: number, { firstSeconds, maxSeconds }: Backoff): number {
  // The exponent is bounded so that a long run of failures cannot overflow before the cap applies.
  return Math.min(maxSeconds, firstSeconds * 2 ** Math.min(Math.max(0, failures - 1), 20));
}
