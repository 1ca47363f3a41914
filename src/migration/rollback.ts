// Rollback (DESIGN.md "Flags", "Migration status machine"): per user, the status `rolled_back`
// makes resolution serve the legacy OAuth token at once; globally, the github_app_tokens_enabled
// flag does the same for everyone. Nothing is deleted, so both are undone by re-enabling.
import type { Models, UserRow } from "../db/models/index.js";
import { UserNotFoundError } from "../users/errors.js";
import type { FeatureFlags, FlagChange } from "../users/flags.js";
import { transitionUser } from "../users/status-machine.js";

export class MigrationRollback {
  readonly #models: Models;
  readonly #flags: FeatureFlags;

  constructor({ models, flags }: { models: Models; flags: FeatureFlags }) {
    this.#models = models;
    this.#flags = flags;
  }

  /** Throws IllegalTransitionError when the user is already rolled back. */
  async rollbackUser(githubId: number, { actor, reason = "rolled back by a maintainer" }: { actor: string; reason?: string }): Promise<UserRow> {
    return this.#transition(githubId, { to: "rolled_back", actor, reason });
  }

  /** Back to `pending`, so the next batch takes the user again. Only from `rolled_back`. */
  async reenableUser(githubId: number, { actor, reason = "re-enabled by a maintainer" }: { actor: string; reason?: string }): Promise<UserRow> {
    return this.#transition(githubId, { to: "pending", actor, reason });
  }

  /** Global rollback: every resolution serves legacy OAuth tokens again, recorded as a flag change. */
  async rollbackAll({ actor }: { actor: string }): Promise<FlagChange> {
    return this.#flags.set({ name: "github_app_tokens_enabled", value: false, actor });
  }

  async reenableAll({ actor }: { actor: string }): Promise<FlagChange> {
    return this.#flags.set({ name: "github_app_tokens_enabled", value: true, actor });
  }

  async #transition(
    githubId: number,
    { to, actor, reason }: { to: "rolled_back" | "pending"; actor: string; reason: string },
  ): Promise<UserRow> {
    return this.#models.sequelize.transaction(async (transaction) => {
      const user = await this.#models.User.findOne({ where: { githubId }, transaction, lock: transaction.LOCK.UPDATE });
      if (!user) throw new UserNotFoundError(githubId);
      await transitionUser(this.#models, { user, to, reason, actor, transaction });
      return user;
    });
  }
}
