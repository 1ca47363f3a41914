// The rules for every value a maintainer or a service sends us (a GitHub id, a login, a batch size, a
// rollout percent, a deprecation date), defined once and used by the API, the dashboard, the CLI, the
// flags and the configuration, so the same value is never accepted by one and refused by another.
import { z } from "zod";

/** Letters, digits and single inner hyphens, at most 39 characters: GitHub's own login rule. */
export const GITHUB_LOGIN_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

export const githubLogin = z.string().regex(GITHUB_LOGIN_PATTERN, { error: "must be a GitHub login" });

/** The digits of a database or GitHub id (1 and up, at most 16 digits), for ids inside larger texts. */
export const POSITIVE_ID_DIGITS = "[1-9]\\d{0,15}";
const POSITIVE_ID_TEXT = new RegExp(`^${POSITIVE_ID_DIGITS}$`);

/** An id written as text (a path segment, a query parameter, a CLI option), read as a number. */
export function positiveIdText(name: string) {
  return z
    .string()
    .regex(POSITIVE_ID_TEXT, { error: `${name} must be a positive whole number` })
    .transform(Number)
    .refine(Number.isSafeInteger, { error: `${name} is too large` });
}

/** A GitHub user id inside a JSON document (the legacy import's lines). */
export const githubIdNumber = z
  .number({ error: "must be a number" })
  .int({ error: "must be a whole number" })
  .positive({ error: "must be positive" })
  .max(Number.MAX_SAFE_INTEGER, { error: "is too large" });

/** Users one migration batch claims: the admin API, the dashboard, the CLI, the flag and its env default. */
export const BATCH_SIZE = { min: 1, max: 10_000 } as const;
/** Share of users (by a stable hash of their GitHub id) served App tokens. */
export const ROLLOUT_PERCENT = { min: 0, max: 100 } as const;
/** The rollout guard's flags (users/flags.ts) and their env defaults. */
export const ROLLOUT_GUARD_THRESHOLD_PERCENT = { min: 1, max: 100 } as const;
export const ROLLOUT_GUARD_WINDOW_MINUTES = { min: 1, max: 1440 } as const;
export const ROLLOUT_GUARD_MIN_RESOLUTIONS = { min: 1, max: 1_000_000 } as const;

export function wholeNumberWithin({ min, max }: { min: number; max: number }) {
  const range = `must be a whole number from ${min} to ${max}`;
  return z
    .number({ error: range })
    .int({ error: range })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
}

export const batchSize = wholeNumberWithin(BATCH_SIZE);
export const rolloutPercent = wholeNumberWithin(ROLLOUT_PERCENT);

/** A batch size typed by a person (a form field, a CLI option); empty means "the flag's size". */
export const batchSizeText = z
  .string()
  .trim()
  .regex(/^\d{0,5}$/, { error: `must be a whole number from ${BATCH_SIZE.min} to ${BATCH_SIZE.max}, or empty` })
  .optional()
  .transform((text) => (text ? Number(text) : undefined))
  .pipe(batchSize.optional());

/** A day such as 2027-06-30, or an ISO 8601 time: the legacy tokens' deprecation date. */
export function dateOrTimeText(message: string) {
  return z.string().refine((value) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value) && !Number.isNaN(Date.parse(value)), { error: message });
}
