// The rollout guard (opt-in through the rollout_guard_* flags): while a batch runs, or for a window
// after the rollout percent was raised, it watches the share of token resolutions (every instance's,
// from token_resolution_outcomes) ending reauth_required or in a failed refresh. Past the threshold
// it trips: an event records why, running batches pause, and raising the rollout percent is refused
// unless confirmed as an override. A maintainer clears it; the batches then resume.
import { QueryTypes, type Transaction } from "sequelize";
import type { Models } from "../db/models/index.js";
import { runAsSingleton } from "../jobs/singleton.js";
import { RolloutGuardTrippedError } from "./errors.js";
import type { FeatureFlags, FlagValues } from "../users/flags.js";

export interface GuardWindowFigures {
  window_minutes: number;
  resolutions: number;
  reauth_required: number;
  refresh_failed: number;
  /** (reauth_required + refresh_failed) / resolutions × 100, one decimal; 0 without resolutions. */
  failure_percent: number;
  threshold_percent: number;
  min_resolutions: number;
}

export interface GuardEvent {
  kind: "tripped" | "cleared" | "override";
  reason: string;
  actor: string;
  figures: Record<string, unknown>;
  at: Date;
}

export interface GuardState {
  enabled: boolean;
  /** `off` (flag), `idle` (nothing to watch), `watching` (a batch runs or the rollout was raised lately), `tripped`. */
  state: "off" | "idle" | "watching" | "tripped";
  window: GuardWindowFigures;
  /** Why it is watching: running batches, and the last raise of the rollout percent within the window. */
  watching: { running_batches: number; rollout_raised_at: Date | null };
  last_event: GuardEvent | null;
}

export interface FlagChangeProposal {
  name: string;
  oldValue: unknown;
  newValue: unknown;
  actor: string;
  override: boolean;
}

const GUARD_JOB = "rollout-guard";
const ROLLOUT_FLAG = "github_app_tokens_rollout_percent";

export class RolloutGuard {
  readonly #models: Models;
  readonly #flags: Pick<FeatureFlags, "read">;

  constructor({ models, flags }: { models: Models; flags: Pick<FeatureFlags, "read"> }) {
    this.#models = models;
    this.#flags = flags;
  }

  async state(): Promise<GuardState> {
    const flags = await this.#flags.read();
    const [window, watching, lastEvent, tripped] = await Promise.all([this.#window(flags), this.#watching(flags), this.#lastEvent(), this.isTripped()]);
    const watched = watching.running_batches > 0 || watching.rollout_raised_at !== null;
    return {
      enabled: flags.rollout_guard_enabled,
      state: tripped ? "tripped" : !flags.rollout_guard_enabled ? "off" : watched ? "watching" : "idle",
      window,
      watching,
      last_event: lastEvent,
    };
  }

  /** True while the guard is tripped (whatever the flag says now: clearing is a maintainer's act). */
  async isTripped(transaction?: Transaction): Promise<boolean> {
    return (await this.#lastEvent(transaction, ["tripped", "cleared"]))?.kind === "tripped";
  }

  /**
   * One judgement (every instance's job calls it; one at a time). Trips when enabled, watching,
   * the window holds enough resolutions and their failure share passes the threshold.
   */
  async evaluate(): Promise<GuardState> {
    await runAsSingleton(this.#models.sequelize, GUARD_JOB, async (transaction) => {
      const current = await this.state();
      if (current.state !== "watching") return;
      const { window } = current;
      if (window.resolutions < window.min_resolutions || window.failure_percent <= window.threshold_percent) return;
      const why = current.watching.running_batches > 0 ? `${current.watching.running_batches} batch(es) running` : "the rollout percent was raised";
      await this.#record(
        {
          kind: "tripped",
          reason: `${window.failure_percent}% of ${window.resolutions} token resolutions in the last ${window.window_minutes} min ended reauth_required (${window.reauth_required}) or in a failed refresh (${window.refresh_failed}), above the ${window.threshold_percent}% threshold, while ${why}`,
          actor: "system",
          figures: { ...window },
        },
        transaction,
      );
    });
    return this.state();
  }

  /** A maintainer clears a tripped guard; paused batches resume. Returns false when it was not tripped. */
  async clear({ actor, reason }: { actor: string; reason?: string }): Promise<boolean> {
    return this.#models.sequelize.transaction(async (transaction) => {
      await this.#lockEvents(transaction);
      if (!(await this.isTripped(transaction))) return false;
      const flags = await this.#flags.read(transaction);
      await this.#record({ kind: "cleared", reason: reason ?? "cleared by a maintainer", actor, figures: { ...(await this.#window(flags)) } }, transaction);
      return true;
    });
  }

  /**
   * Called inside the flag change's transaction: a raise of the rollout percent while tripped is
   * refused (RolloutGuardTrippedError) unless confirmed as an override, which is recorded.
   */
  async approveFlagChange(change: FlagChangeProposal, transaction: Transaction): Promise<void> {
    if (change.name !== ROLLOUT_FLAG || !(Number(change.newValue) > Number(change.oldValue))) return;
    await this.#lockEvents(transaction);
    const trip = await this.#lastEvent(transaction, ["tripped", "cleared"]);
    if (trip?.kind !== "tripped") return;
    if (!change.override) throw new RolloutGuardTrippedError(trip.reason);
    // The override lets this one raise through; the guard stays tripped until cleared.
    await this.#record(
      { kind: "override", reason: `rollout percent raised from ${String(change.oldValue)} to ${String(change.newValue)} while tripped`, actor: change.actor, figures: {} },
      transaction,
    );
  }

  /** Serialises writers of guard events (trip, clear, override) across instances. */
  async #lockEvents(transaction: Transaction): Promise<void> {
    await this.#models.sequelize.query("SELECT pg_advisory_xact_lock(hashtext('github-app-user-tokens:rollout-guard-events'))", { transaction });
  }

  async #record(event: Omit<GuardEvent, "at">, transaction: Transaction): Promise<void> {
    await this.#models.sequelize.query(
      "INSERT INTO rollout_guard_events (kind, reason, actor, figures) VALUES (:kind, :reason, :actor, CAST(:figures AS jsonb))",
      { replacements: { ...event, figures: JSON.stringify(event.figures) }, transaction },
    );
  }

  /** The latest event of those kinds (tripped and cleared decide the state; overrides are only recorded). */
  async #lastEvent(transaction?: Transaction, kinds: GuardEvent["kind"][] = ["tripped", "cleared", "override"]): Promise<GuardEvent | null> {
    const [row] = await this.#models.sequelize.query<{ kind: GuardEvent["kind"]; reason: string; actor: string; figures: Record<string, unknown>; created_at: Date }>(
      "SELECT kind, reason, actor, figures, created_at FROM rollout_guard_events WHERE kind IN (:kinds) ORDER BY id DESC LIMIT 1",
      { replacements: { kinds }, type: QueryTypes.SELECT, transaction },
    );
    return row ? { kind: row.kind, reason: row.reason, actor: row.actor, figures: row.figures, at: new Date(row.created_at) } : null;
  }

  async #window(flags: FlagValues): Promise<GuardWindowFigures> {
    const minutes = flags.rollout_guard_window_minutes;
    const [row] = await this.#models.sequelize.query<{ served: number; reauth: number; failed: number }>(
      `SELECT COALESCE(sum(count) FILTER (WHERE outcome = 'served'), 0)::int AS served,
              COALESCE(sum(count) FILTER (WHERE outcome = 'reauth_required'), 0)::int AS reauth,
              COALESCE(sum(count) FILTER (WHERE outcome = 'refresh_failed'), 0)::int AS failed
         FROM token_resolution_outcomes
        WHERE minute >= date_trunc('minute', now()) - make_interval(mins => :minutes)`,
      { replacements: { minutes }, type: QueryTypes.SELECT },
    );
    const served = row?.served ?? 0;
    const reauth = row?.reauth ?? 0;
    const failed = row?.failed ?? 0;
    const resolutions = served + reauth + failed;
    return {
      window_minutes: minutes,
      resolutions,
      reauth_required: reauth,
      refresh_failed: failed,
      failure_percent: resolutions === 0 ? 0 : Math.round(((reauth + failed) / resolutions) * 1000) / 10,
      threshold_percent: flags.rollout_guard_threshold_percent,
      min_resolutions: flags.rollout_guard_min_resolutions,
    };
  }

  async #watching(flags: FlagValues): Promise<GuardState["watching"]> {
    const [row] = await this.#models.sequelize.query<{ running: number; raised_at: Date | null }>(
      `SELECT (SELECT count(*)::int FROM migration_batches WHERE state IN ('running', 'paused') AND NOT dry_run
                  AND heartbeat_at > now() - interval '2 minutes') AS running,
              (SELECT max(changed_at) FROM feature_flag_changes
                WHERE name = :flag AND jsonb_typeof(new_value) = 'number' AND jsonb_typeof(old_value) = 'number'
                  AND new_value::text::numeric > old_value::text::numeric
                  AND changed_at > now() - make_interval(mins => :minutes)) AS raised_at`,
      { replacements: { flag: ROLLOUT_FLAG, minutes: flags.rollout_guard_window_minutes }, type: QueryTypes.SELECT },
    );
    return { running_batches: row?.running ?? 0, rollout_raised_at: row?.raised_at ? new Date(row.raised_at) : null };
  }
}
