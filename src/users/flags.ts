// The single definition of the rollout flags (DESIGN.md "Flags"): each flag's schema, how its value
// is stored (JSONB), read (the database row wins over the environment default) and changed (the row
// and a feature_flag_changes entry in one transaction). Reads are served from memory while a change
// feed (Postgres LISTEN/NOTIFY, fed by a trigger on feature_flags) is live, so token resolution does
// not query the flags on every call; see FLAG_STALENESS_BOUND_MS for how stale a copy may get.
import { QueryTypes, type Transaction } from "sequelize";
import { z } from "zod";
import type { FlagDefaults } from "../config.js";
import type { FeatureFlagChangeRow, Models } from "../db/models/index.js";
import { InvalidFlagValueError, UnknownFlagError } from "./errors.js";
import {
  batchSize,
  dateOrTimeText,
  githubLogin,
  ROLLOUT_GUARD_MIN_RESOLUTIONS,
  ROLLOUT_GUARD_THRESHOLD_PERCENT,
  ROLLOUT_GUARD_WINDOW_MINUTES,
  rolloutPercent,
  wholeNumberWithin,
} from "./input-rules.js";

const dateOrNull = z.union([
  z.null(),
  dateOrTimeText("must be a date such as 2027-06-30 (or an ISO 8601 time), or null").transform((value) => new Date(value)),
]);

interface FlagDefinition<T> {
  /** Validates a value as sent by a maintainer (JSON) or as stored. */
  schema: z.ZodType<T, unknown>;
  /** Parses the CLI's textual form (`flags set --name … --value …`). */
  fromText: (text: string) => unknown;
  toJson: (value: T) => unknown;
  fromDefaults: (defaults: FlagDefaults) => T;
  description: string;
  /** What the flag accepts, in words: every refusal names it. */
  accepts: string;
}

const asIs = <T>(value: T): unknown => value;

const FLAG_DEFINITIONS = {
  github_app_tokens_enabled: booleanFlag(
    (defaults) => defaults.githubAppTokensEnabled,
    "Global switch: false serves legacy OAuth tokens to everyone (the global rollback).",
  ),
  github_app_tokens_rollout_percent: {
    schema: rolloutPercent,
    fromText: (text) => (/^\d+$/.test(text) ? Number(text) : text),
    toJson: asIs,
    fromDefaults: (defaults) => defaults.githubAppTokensRolloutPercent,
    description: "Share of users (by a stable hash of the GitHub id) served App tokens.",
    accepts: "a whole number from 0 to 100",
  } satisfies FlagDefinition<number>,
  github_app_tokens_allow_list: {
    schema: z
      .array(githubLogin, {
        error: "must be a list of GitHub logins",
      })
      .max(10_000, { error: "may hold at most 10000 logins" })
      .transform((logins) => [...new Set(logins.map((login) => login.toLowerCase()))]),
    fromText: (text) =>
      text
        .split(",")
        .map((login) => login.trim())
        .filter(Boolean),
    toJson: asIs,
    fromDefaults: (defaults) => defaults.githubAppTokensAllowList,
    description: "Logins served App tokens whatever the rollout percent.",
    accepts: "a list of GitHub logins (comma-separated in the CLI and the dashboard; an empty list for nobody)",
  } satisfies FlagDefinition<string[]>,
  user_migration_batch_size: {
    schema: batchSize,
    fromText: (text) => (/^\d+$/.test(text) ? Number(text) : text),
    toJson: asIs,
    fromDefaults: (defaults) => defaults.userMigrationBatchSize,
    description: "Users claimed by a migration batch when no size is given.",
    accepts: "a whole number from 1 to 10000",
  } satisfies FlagDefinition<number>,
  oauth_token_deprecation_date: {
    schema: dateOrNull,
    fromText: (text) => (text === "null" || text === "" ? null : text),
    toJson: (value) => (value === null ? null : value.toISOString()),
    fromDefaults: (defaults) => defaults.oauthTokenDeprecationDate,
    description: "After this time legacy OAuth tokens are no longer served and cleanup may revoke them; null for never.",
    accepts: "a date such as 2027-06-30 (or an ISO 8601 time), or null for never",
  } satisfies FlagDefinition<Date | null>,
  rollout_guard_enabled: booleanFlag(
    (defaults) => defaults.rolloutGuardEnabled,
    "The rollout guard: pauses batches and refuses rollout raises while too many resolutions end in reauth_required or a failed refresh.",
  ),
  rollout_guard_threshold_percent: wholeNumberFlag(ROLLOUT_GUARD_THRESHOLD_PERCENT, (defaults) => defaults.rolloutGuardThresholdPercent, "Share of resolutions in the window (ending reauth_required or in a failed refresh) above which the guard trips."),
  rollout_guard_window_minutes: wholeNumberFlag(ROLLOUT_GUARD_WINDOW_MINUTES, (defaults) => defaults.rolloutGuardWindowMinutes, "The guard's sliding window, in minutes; it also watches this long after the rollout percent is raised."),
  rollout_guard_min_resolutions: wholeNumberFlag(ROLLOUT_GUARD_MIN_RESOLUTIONS, (defaults) => defaults.rolloutGuardMinResolutions, "Resolutions the window must hold before the guard judges the share (a few failures among few calls prove little)."),
};

function booleanFlag(fromDefaults: (defaults: FlagDefaults) => boolean, description: string): FlagDefinition<boolean> {
  return {
    schema: z.boolean({ error: "must be true or false" }),
    fromText: (text) => (text === "true" ? true : text === "false" ? false : text),
    toJson: asIs,
    fromDefaults,
    description,
    accepts: "true or false",
  };
}

function wholeNumberFlag(range: { min: number; max: number }, fromDefaults: (defaults: FlagDefaults) => number, description: string): FlagDefinition<number> {
  return {
    schema: wholeNumberWithin(range),
    fromText: (text) => (/^\d+$/.test(text) ? Number(text) : text),
    toJson: asIs,
    fromDefaults,
    description,
    accepts: `a whole number from ${range.min} to ${range.max}`,
  };
}

export type FlagName = keyof typeof FLAG_DEFINITIONS;
export const FLAG_NAMES = Object.keys(FLAG_DEFINITIONS) as FlagName[];

/** Each flag's value as the code uses it, read from its definition so the names are written once. */
export type FlagValues = { [N in FlagName]: z.output<(typeof FLAG_DEFINITIONS)[N]["schema"]> };

export interface FlagState {
  name: FlagName;
  /** The JSON form, as the API answers and the database stores it. */
  value: unknown;
  source: "database" | "default";
  updatedBy: string | null;
  updatedAt: Date | null;
  description: string;
}

export interface FlagChange {
  id: number;
  name: string;
  oldValue: unknown;
  newValue: unknown;
  changedBy: string;
  changedAt: Date;
}

export function parseFlagName(name: string): FlagName {
  if (!Object.hasOwn(FLAG_DEFINITIONS, name)) throw new UnknownFlagError(name, FLAG_NAMES);
  return name as FlagName;
}

/** The flag's value from a maintainer's JSON, validated; throws InvalidFlagValueError naming why. */
export function parseFlagValue<N extends FlagName>(name: N, value: unknown): FlagValues[N] {
  const definition = FLAG_DEFINITIONS[name];
  const parsed = (definition.schema as unknown as z.ZodType<FlagValues[N], unknown>).safeParse(value);
  if (!parsed.success) {
    throw new InvalidFlagValueError(name, definition.accepts, parsed.error.issues.map((issue) => issue.message).join("; "));
  }
  return parsed.data;
}

/** The flag's value from the CLI's text form. */
export function parseFlagText<N extends FlagName>(name: N, text: string): FlagValues[N] {
  return parseFlagValue(name, FLAG_DEFINITIONS[name].fromText(text.trim()));
}

function flagToJson<N extends FlagName>(name: N, value: FlagValues[N]): unknown {
  return (FLAG_DEFINITIONS[name].toJson as (value: FlagValues[N]) => unknown)(value);
}

/** A rule a flag change must pass inside its transaction (the rollout guard's); it throws to refuse. */
export type FlagChangeApproval = (
  change: { name: FlagName; oldValue: unknown; newValue: unknown; actor: string; override: boolean },
  transaction: Transaction,
) => Promise<void>;

/**
 * How long an instance may keep answering from its copy of the flags once it can no longer be sure
 * it hears every change (its notification connection was lost and is being reopened). While the
 * connection is live, a change reaches the copy within milliseconds of its commit.
 */
export const FLAG_STALENESS_BOUND_MS = 1_000;

/** Says whether every change committed until a moment ago has been announced (db/channel-listener.ts). */
export interface FlagChangeFeed {
  isLive(): boolean;
}

interface CachedFlags {
  values: FlagValues;
  /** When the read that produced them began: a change committed after that may be missing. */
  readAt: number;
}

export class FeatureFlags {
  readonly #models: Models;
  readonly #defaults: FlagDefaults;
  readonly #approvals: FlagChangeApproval[] = [];
  readonly #now: () => number;
  #feed: FlagChangeFeed | null = null;
  #cached: CachedFlags | null = null;
  #loading: Promise<FlagValues> | null = null;
  /** Bumped by every invalidation, so a read that began before a change is never cached after it. */
  #generation = 0;

  constructor({ models, defaults, now = () => Date.now() }: { models: Models; defaults: FlagDefaults; now?: () => number }) {
    this.#models = models;
    this.#defaults = defaults;
    this.#now = now;
  }

  /**
   * From now on reads may be served from memory, trusted while `feed` is live and for at most
   * FLAG_STALENESS_BOUND_MS otherwise. Without a feed (the CLI, one-off scripts) every read queries.
   */
  followChanges(feed: FlagChangeFeed): void {
    this.#feed = feed;
    this.invalidate();
  }

  /** A flag changed somewhere (or may have, unheard): the next read queries the database. */
  invalidate(): void {
    this.#generation += 1;
    this.#cached = null;
    this.#loading = null;
  }

  /**
   * Every flag's effective value: the stored one when valid, else the environment default. Inside a
   * transaction always read from the database (the caller may hold locks it relies on).
   */
  async read(transaction?: Transaction): Promise<FlagValues> {
    if (transaction || !this.#feed) return this.#readFromDatabase(transaction);
    const cached = this.#cached;
    if (cached && (this.#feed.isLive() || this.#now() - cached.readAt < FLAG_STALENESS_BOUND_MS)) return cached.values;
    // One read in flight per instance: a burst of resolutions after a change waits for the same query.
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async #load(): Promise<FlagValues> {
    const generation = this.#generation;
    const readAt = this.#now();
    try {
      const values = await this.#readFromDatabase();
      if (generation === this.#generation) this.#cached = { values, readAt };
      return values;
    } finally {
      if (generation === this.#generation) this.#loading = null;
    }
  }

  async #readFromDatabase(transaction?: Transaction): Promise<FlagValues> {
    const states = await this.#states(transaction);
    return Object.fromEntries(states.map((state) => [state.name, state.effective])) as unknown as FlagValues;
  }

  async list(): Promise<FlagState[]> {
    return (await this.#states()).map(({ effective: _effective, ...state }) => state);
  }

  /**
   * Validates and stores a flag's value, recording who changed it from what. `value` is the JSON
   * form (as the admin API receives it); the CLI passes parseFlagText's result through toJson first.
   */
  async set(
    { name, value, actor, override = false }: { name: string; value: unknown; actor: string; override?: boolean },
    transaction?: Transaction,
  ): Promise<FlagChange> {
    const flagName = parseFlagName(name);
    const json = flagToJson(flagName, parseFlagValue(flagName, value));
    const write = async (t: Transaction) => {
      // The row lock serialises concurrent writers, so each change records the value it replaced.
      const current = await this.#models.FeatureFlag.findByPk(flagName, { transaction: t, lock: t.LOCK.UPDATE });
      const oldValue = current ? current.value : flagToJson(flagName, FLAG_DEFINITIONS[flagName].fromDefaults(this.#defaults));
      for (const approve of this.#approvals) await approve({ name: flagName, oldValue, newValue: json, actor, override }, t);
      // Written as JSON text cast to jsonb, so a JSON null (the deprecation date's "never") is stored
      // as the value null; through the model it would become SQL NULL, which the column refuses.
      const replacements = { name: flagName, value: JSON.stringify(json), oldValue: JSON.stringify(oldValue), actor, now: new Date() };
      await this.#models.sequelize.query(
        `INSERT INTO feature_flags (name, value, updated_by, updated_at) VALUES (:name, CAST(:value AS jsonb), :actor, :now)
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
        { replacements, transaction: t },
      );
      const [change] = await this.#models.sequelize.query<{ id: string; changed_at: Date }>(
        `INSERT INTO feature_flag_changes (name, old_value, new_value, changed_by, changed_at)
         VALUES (:name, CAST(:oldValue AS jsonb), CAST(:value AS jsonb), :actor, :now) RETURNING id, changed_at`,
        { replacements, transaction: t, type: QueryTypes.SELECT },
      );
      return { id: Number(change!.id), name: flagName, oldValue, newValue: json, changedBy: actor, changedAt: change!.changed_at };
    };
    // The trigger's notification also reaches this instance, but only after the round trip: the
    // writer's own next read must already see its change.
    if (transaction) {
      transaction.afterCommit(() => this.invalidate());
      return write(transaction);
    }
    const change = await this.#models.sequelize.transaction(write);
    this.invalidate();
    return change;
  }

  /** Adds a rule every later change must pass (`override` is the maintainer's confirmation to pass it anyway). */
  requireApproval(approval: FlagChangeApproval): void {
    this.#approvals.push(approval);
  }

  /** Newest first. */
  async history({ name, limit = 100 }: { name?: string; limit?: number } = {}): Promise<FlagChange[]> {
    const rows = await this.#models.FeatureFlagChange.findAll({
      where: name === undefined ? {} : { name: parseFlagName(name) },
      order: [
        ["changedAt", "DESC"],
        ["id", "DESC"],
      ],
      limit,
    });
    return rows.map(toChange);
  }

  async #states(transaction?: Transaction) {
    const rows = await this.#models.FeatureFlag.findAll({ transaction });
    const stored = new Map(rows.map((row) => [row.name, row]));
    return FLAG_NAMES.map((name) => {
      const definition = FLAG_DEFINITIONS[name];
      const row = stored.get(name);
      // A stored value of the wrong shape (hand-edited) falls back to the default instead of
      // breaking every resolution; the list shows the source so a maintainer can see it.
      const parsed = row ? definition.schema.safeParse(row.value) : undefined;
      const fromDatabase = row !== undefined && parsed?.success === true;
      const effective = fromDatabase ? parsed.data : definition.fromDefaults(this.#defaults);
      return {
        name,
        effective,
        value: flagToJson(name, effective as never),
        source: fromDatabase ? ("database" as const) : ("default" as const),
        updatedBy: fromDatabase ? row.updatedBy : null,
        updatedAt: fromDatabase ? row.updatedAt : null,
        description: definition.description,
      };
    });
  }
}

function toChange(row: FeatureFlagChangeRow): FlagChange {
  return {
    id: row.id,
    name: row.name,
    oldValue: row.oldValue,
    newValue: row.newValue,
    changedBy: row.changedBy,
    changedAt: row.changedAt,
  };
}
