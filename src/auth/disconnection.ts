// A user disconnecting the GitHub App from their account: the App token is revoked at GitHub
// first, and only then wiped here, so a failure never leaves a live token we no longer know about.
import type { Logger } from "pino";
import type { Models, UserRow } from "../db/models/index.js";
import { TransientGitHubError } from "../github/errors.js";
import { canTransition, transitionUser } from "../users/status-machine.js";
import { enqueueNotification } from "../notifications/outbox.js";
import type { TokenRefresher } from "../tokens/refresh.js";
import type { TokenStore } from "../tokens/token-store.js";
import type { UserAuthorizationCalls } from "../github/github-clients.js";

interface DisconnectionOptions {
  models: Models;
  tokenStore: TokenStore;
  refresher: TokenRefresher;
  github: Pick<UserAuthorizationCalls, "revokeToken">;
  log: Logger;
}

type DisconnectOutcome = "revoked" | "nothing_to_revoke";

const REASON = "disconnected by the user";

export class Disconnection {
  readonly #options: DisconnectionOptions;

  constructor(options: DisconnectionOptions) {
    this.#options = options;
  }

  /** Throws classified GitHub errors when GitHub could not be told; nothing is wiped then. */
  async disconnect(githubId: number): Promise<DisconnectOutcome> {
    const { models, tokenStore, github } = this.#options;
    const user = await models.User.findOne({ where: { githubId } });
    if (!user || !user.githubAppUserToken) return "nothing_to_revoke";
    await github.revokeToken(await this.#liveAccessToken(user));

    await models.sequelize.transaction(async (transaction) => {
      const locked = (await models.User.findOne({ where: { id: user.id }, lock: transaction.LOCK.UPDATE, transaction })) as UserRow;
      await tokenStore.wipeAppTokens(locked, transaction);
      // A rolled-back or pending user has no `revoked` to go to; the tokens are gone all the same.
      if (canTransition(locked.tokenMigrationStatus, "revoked")) {
        this.#options.log.warn(
          { event: "user.revoked", github_id: locked.githubId, login: locked.login, from: locked.tokenMigrationStatus },
          "a user disconnected the GitHub App; App token revoked at GitHub and wiped",
        );
        await transitionUser(models, { user: locked, to: "revoked", reason: REASON, actor: locked.login, transaction });
      } else {
        this.#options.log.info(
          { event: "account.disconnected", login: locked.login, status: locked.tokenMigrationStatus },
          "App token wiped; status kept, it has no transition to revoked",
        );
      }
      await enqueueNotification(
        models,
        { eventType: "token.revoked", payload: { github_id: locked.githubId, login: locked.login, reason: REASON } },
        transaction,
      );
    });
    return "revoked";
  }

  /**
   * Revoking an expired access token answers 404 and leaves its refresh token alive for months, so
   * a token due for refresh is refreshed first and the fresh one revoked.
   */
  async #liveAccessToken(user: UserRow): Promise<string> {
    const freshness = await this.#options.refresher.ensureFresh(user);
    if (freshness.ok) return freshness.tokens.accessToken;
    if (freshness.kind === "unavailable") {
      throw new TransientGitHubError("disconnect: GitHub could not refresh the token before revoking it", null, "unavailable", freshness.retryAfterSeconds, "not_done");
    }
    // Retired or dead: revoke what is stored; GitHub answers 404 for a dead one, which counts as done.
    return (this.#options.tokenStore.readAppTokens(user) as { accessToken: string }).accessToken;
  }
}
