// A user revoked the App's authorization on GitHub (`github_app_authorization.revoked`): their App
// token pair is dead, so it is wiped, the user is marked revoked when the status machine allows it,
// and the application is told, all in the caller's transaction. The legacy OAuth token is another
// grant and stays.
import type { Logger } from "pino";
import type { Transaction } from "sequelize";
import type { Models } from "../db/models/index.js";
import { canTransition, transitionUser } from "../users/status-machine.js";
import { enqueueNotification } from "../notifications/outbox.js";
import type { TokenStore } from "../tokens/token-store.js";
import type { ChangeOutcome } from "./installation-service.js";

const REASON = "the user revoked the GitHub App's authorization (github_app_authorization.revoked)";

export class GrantRevocations {
  readonly #models: Models;
  readonly #tokenStore: Pick<TokenStore, "wipeAppTokens">;
  readonly #log: Logger;

  constructor({ models, tokenStore, log }: { models: Models; tokenStore: Pick<TokenStore, "wipeAppTokens">; log: Logger }) {
    this.#models = models;
    this.#tokenStore = tokenStore;
    this.#log = log;
  }

  /** The payload has no installation: the user is matched on `sender.id`. */
  async recordAppAuthorizationRevoked({ githubId, login }: { githubId: number; login: string }, transaction: Transaction): Promise<ChangeOutcome> {
    // Locked like a refresh locks it, so a refresh in flight cannot write a pair back after the wipe.
    const user = await this.#models.User.findOne({ where: { githubId }, lock: transaction.LOCK.UPDATE, transaction });
    if (!user) {
      this.#log.info({ githubId, login }, "App authorization revoked by a user we do not know; nothing to do");
      return "ignored";
    }
    const from = user.tokenMigrationStatus;
    // A second revocation (GitHub sends one per grant, and may redeliver under a new id) finds nothing left to do.
    if (from === "revoked" && user.githubAppUserToken === null && user.githubAppRefreshToken === null) return "ignored";

    await this.#tokenStore.wipeAppTokens(user, transaction);
    this.#log.warn({ event: "user.revoked", github_id: user.githubId, login: user.login, from }, "a user revoked the GitHub App's authorization; App tokens wiped");
    if (canTransition(from, "revoked")) {
      await transitionUser(this.#models, { user, to: "revoked", reason: REASON, actor: "webhook", transaction });
    } else {
      // Revoked is not reachable from here (e.g. pending, rolled_back): the status stays, the audit trail still says what happened.
      await this.#models.MigrationEvent.create(
        { userId: user.id, fromStatus: from, toStatus: from, reason: `${REASON}; App tokens wiped, status kept`, actor: "webhook" },
        { transaction },
      );
    }
    await enqueueNotification(
      this.#models,
      { eventType: "token.revoked", payload: { github_id: user.githubId, login: user.login, status: user.tokenMigrationStatus } },
      transaction,
    );
    return "processed";
  }
}
