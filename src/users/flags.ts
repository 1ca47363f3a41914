// The single definition of the rollout flags (DESIGN.md "Flags"): each flag's schema, how its value
// is stored (JSONB), read (the database row wins over the environment default) and changed (the row
// and a feature_flag_changes entry in one transaction).
import type { Transaction } from "sequelize";
import { z } from "zod";
import type { FlagDefaults } from "../config.js";
import type { FeatureFlagChangeRow, Models } from "../db/models/index.js";
import { InvalidFlagValueError, UnknownFlagError } from "./errors.js";
import { githubLogin } from "./github-login.js";

const dateOrNull = z.union([
  z.null(),
  z
    .string()
    .refine((value) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value) && !Number.isNaN(Date.parse(value)), {
      error: "must be a date such as 2027-06-30 (or an ISO 8601 time), or null",
    })
    .transform((value) => new Date(value)),
]);

interface FlagDefinition<T> {
  /** Validates a value as sent by a maintainer (JSON) or as stored. */
  schema: z.ZodType<T, unknown>;
  /** Parses the CLI's textual form (`flags set --name … --value …`). */
  fromText: (text: string) => unknown;
  toJson: (value: T) => unknown;
  fromDefaults: (defaults: FlagDefaults) => T;
  description: string;
}

const asIs = <T>(value: T): unknown => value;

const FLAG_DEFINITIONS = {
  github_app_tokens_enabled: booleanFlag(
    (defaults) => defaults.githubAppTokensEnabled,
    "Global switch: false serves legacy OAuth tokens to everyone (the global rollback).",
  ),
  github_app_tokens_rollout_percent: {
    schema: z
      .number({ error: "must be a whole number from 0 to 100" })
      .int({ error: "must be a whole number from 0 to 100" })
      .min(0, { error: "must be at least 0" })
      .max(100, { error: "must be at most 100" }),
    fromText: (text) => (/^\d+$/.test(text) ? Number(text) : text),
    toJson: asIs,
    fromDefaults: (defaults) => defaults.githubAppTokensRolloutPercent,
    description: "Share of users (by a stable hash of the GitHub id) served App tokens.",
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
  } satisfies FlagDefinition<string[]>,
  user_migration_batch_size: {
    schema: z
      .number({ error: "must be a whole number from 1 to 10000" })
      .int({ error: "must be a whole number from 1 to 10000" })
      .min(1, { error: "must be at least 1" })
      .max(10_000, { error: "must be at most 10000" }),
    fromText: (text) => (/^\d+$/.test(text) ? Number(text) : text),
    toJson: asIs,
    fromDefaults: (defaults) => defaults.userMigrationBatchSize,
    description: "Users claimed by a migration batch when no size is given.",
  } satisfies FlagDefinition<number>,
  oauth_token_deprecation_date: {
    schema: dateOrNull,
    fromText: (text) => (text === "null" || text === "" ? null : text),
    toJson: (value) => (value === null ? null : value.toISOString()),
    fromDefaults: (defaults) => defaults.oauthTokenDeprecationDate,
    description: "After this time legacy OAuth tokens are no longer served and cleanup may revoke them; null for never.",
  } satisfies FlagDefinition<Date | null>,
  rollout_guard_enabled: booleanFlag(
    (defaults) => defaults.rolloutGuardEnabled,
    "The rollout guard: pauses batches and refuses rollout raises while too many resolutions end in reauth_required or a failed refresh.",
  ),
  rollout_guard_threshold_percent: wholeNumberFlag(1, 100, (defaults) => defaults.rolloutGuardThresholdPercent, "Share of resolutions in the window (ending reauth_required or in a failed refresh) above which the guard trips."),
  rollout_guard_window_minutes: wholeNumberFlag(1, 1440, (defaults) => defaults.rolloutGuardWindowMinutes, "The guard's sliding window, in minutes; it also watches this long after the rollout percent is raised."),
  rollout_guard_min_resolutions: wholeNumberFlag(1, 1_000_000, (defaults) => defaults.rolloutGuardMinResolutions, "Resolutions the window must hold before the guard judges the share (a few failures among few calls prove little)."),
};

function booleanFlag(fromDefaults: (defaults: FlagDefaults) => boolean, description: string): FlagDefinition<boolean> {
  return {
    schema: z.boolean({ error: "must be true or false" }),
    fromText: (text) => (text === "true" ? true : text === "false" ? false : text),
    toJson: asIs,
    fromDefaults,
    description,
  };
}

function wholeNumberFlag(min: number, max: number, fromDefaults: (defaults: FlagDefaults) => number, description: string): FlagDefinition<number> {
  const message = `must be a whole number from ${min} to ${max}`;
  return {
    schema: z.number({ error: message }).int({ error: message }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }),
    fromText: (text) => (/^\d+$/.test(text) ? Number(text) : text),
    toJson: asIs,
    fromDefaults,
    description,
  };
}

export type FlagName = keyof typeof FLAG_DEFINITIONS;
export const FLAG_NAMES = Object.keys(FLAG_DEFINITIONS) as FlagName[];

export interface FlagValues {
  github_app_tokens_enabled: boolean;
  github_app_tokens_rollout_percent: number;
  github_app_tokens_allow_list: string[];
  user_migration_batch_size: number;
  oauth_token_deprecation_date: Date | null;
  rollout_guard_enabled: boolean;
  rollout_guard_threshold_percent: number;
  rollout_guard_window_minutes: number;
  rollout_guard_min_resolutions: number;
}

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
  const parsed = (FLAG_DEFINITIONS[name].schema as unknown as z.ZodType<FlagValues[N], unknown>).safeParse(value);
  if (!parsed.success) throw new InvalidFlagValueError(name, parsed.error.issues.map((issue) => issue.message).join("; "));
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

export class FeatureFlags {
  readonly #models: Models;
  readonly #defaults: FlagDefaults;
  readonly #approvals: FlagChangeApproval[] = [];

  constructor({ models, defaults }: { models: Models; defaults: FlagDefaults }) {
    this.#models = models;
    this.#defaults = defaults;
  }

  /** Every flag's effective value: the stored one when valid, else the environment default. */
  async read(transaction?: Transaction): Promise<FlagValues> {
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
      const now = new Date();
      if (current) await current.update({ value: json, updatedBy: actor, updatedAt: now }, { transaction: t });
      else await this.#models.FeatureFlag.create({ name: flagName, value: json, updatedBy: actor, updatedAt: now }, { transaction: t });
      const change = await this.#models.FeatureFlagChange.create(
        { name: flagName, oldValue, newValue: json, changedBy: actor, changedAt: now },
        { transaction: t },
      );
      return toChange(change);
    };
    return transaction ? write(transaction) : this.#models.sequelize.transaction(write);
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
