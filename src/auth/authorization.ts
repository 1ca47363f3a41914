// Signing in with the GitHub App: starts the web flow (state + PKCE) and turns GitHub's callback
// into a stored, sealed App user token — user upserted by GitHub id, status `migrated`, installations
// the token reaches linked, the application notified — all in one transaction.
import type { Logger } from "pino";
import type { Models, OAuthStatePurpose, UserRow } from "../db/models/index.js";
import type { ReachableInstallation } from "../github/user-api.js";
import { transitionUser } from "../users/status-machine.js";
import { enqueueNotification } from "../notifications/outbox.js";
import type { ReplacedTokenRevocations } from "../tokens/replaced-token-revocations.js";
import type { IssuedUserTokens, TokenStore } from "../tokens/token-store.js";
import type { ConsentLinks } from "./consent-links.js";
import { AuthorizationDeniedError, IdentityMismatchError, MissingAuthorizationCodeError } from "./errors.js";
import type { UserAuthorizationCalls } from "../github/github-clients.js";
import type { ConsumedOAuthState, OAuthStateStore } from "./oauth-state-store.js";
import { parseReturnPath } from "./return-path.js";

/** Purposes a visitor may ask for; `consent` only comes from a signed consent link. */
export type RequestablePurpose = Exclude<OAuthStatePurpose, "consent">;

interface BeginSignIn {
  purpose: RequestablePurpose;
  /** Raw `return_to`; refused (ReturnPathError) unless it is a path of ours. */
  returnTo?: string | undefined;
  /** A signed consent reference (`consent=` of a consent link); makes the purpose `consent`. */
  consent?: string | undefined;
}

/** What GitHub put on the callback URL. */
interface AuthorizationCallback {
  state?: string | undefined;
  /** The state this browser's sign-in cookie holds. */
  browserState: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
  installationId?: string | undefined;
}

interface CompletedSignIn {
  githubId: number;
  login: string;
  returnTo: string;
}

const DEFAULT_RETURN: Record<OAuthStatePurpose, string> = {
  sign_in: "/me",
  consent: "/me",
  reauthorize: "/me",
  admin: "/admin",
};

const MIGRATION_REASON: Record<OAuthStatePurpose, string> = {
  sign_in: "authorized the GitHub App",
  consent: "authorized the GitHub App through a consent link",
  reauthorize: "re-authorized the GitHub App",
  admin: "authorized the GitHub App to sign in as a maintainer",
};

interface UserAuthorizationOptions {
  models: Models;
  states: OAuthStateStore;
  consentLinks: ConsentLinks;
  tokenStore: TokenStore;
  /** Where the pair a new authorization replaces goes to be revoked at GitHub. */
  replacedTokens: Pick<ReplacedTokenRevocations, "record" | "revokeSoon">;
  github: UserAuthorizationCalls;
  log: Logger;
}

export class UserAuthorization {
  readonly #options: UserAuthorizationOptions;

  constructor(options: UserAuthorizationOptions) {
    this.#options = options;
  }

  /** The GitHub authorize URL to redirect the browser to, and the state to bind to the browser. */
  async begin({ purpose, returnTo, consent }: BeginSignIn): Promise<{ authorizeUrl: string; state: string }> {
    const { states, consentLinks, github } = this.#options;
    const bound = consent === undefined ? null : consentLinks.verify(consent);
    const effectivePurpose: OAuthStatePurpose = bound ? "consent" : purpose;
    const issued = await states.issue({
      purpose: effectivePurpose,
      returnTo: parseReturnPath(returnTo, DEFAULT_RETURN[effectivePurpose]),
      boundGithubId: bound?.githubId ?? null,
    });
    const authorizeUrl = github.authorizeUrl({ state: issued.state, codeChallenge: issued.codeChallenge, login: bound?.login ?? null });
    return { authorizeUrl, state: issued.state };
  }

  /**
   * Checks the state first: a refused state (OAuthStateError) writes nothing. Then GitHub's own
   * error, the code exchange with the PKCE verifier, and GET /user with the new token.
   */
  async complete(callback: AuthorizationCallback): Promise<CompletedSignIn> {
    const { states, github } = this.#options;
    const state = await states.consume(callback.state, callback.browserState);
    if (callback.error) throw new AuthorizationDeniedError(callback.error, this.#retryPath(state));
    if (!callback.code) throw new MissingAuthorizationCodeError();

    const tokens = await github.exchangeCode({ code: callback.code, codeVerifier: state.codeVerifier });
    const identity = await this.#identify(tokens.accessToken);
    if (state.boundGithubId !== null && identity.id !== state.boundGithubId) {
      const revoked = await this.#discard(tokens.accessToken, "identity mismatch on a consent link");
      throw new IdentityMismatchError(identity.login, await this.#describeAccount(state.boundGithubId), revoked);
    }
    const reachable = await this.#reachableInstallations(tokens.accessToken, identity.login);
    this.#checkInstallationHint(callback.installationId, reachable, identity.login);

    const { models, tokenStore, replacedTokens } = this.#options;
    const replacedPair = await models.sequelize.transaction(async (transaction) => {
      await models.User.bulkCreate([{ githubId: identity.id, login: identity.login }], { ignoreDuplicates: true, transaction });
      const user = (await models.User.findOne({
        where: { githubId: identity.id },
        lock: transaction.LOCK.UPDATE,
        transaction,
      })) as UserRow;
      const previousStatus = user.tokenMigrationStatus;
      // The legacy token in provider_info stays: it is the fallback until the rollout is finished.
      await user.update({ login: identity.login, lastValidatedAt: new Date() }, { transaction });
      const replaced = this.#replacedPair(user, tokens.accessToken);
      const revocationId = replaced ? await replacedTokens.record(user.githubId, replaced, transaction) : null;
      await tokenStore.saveAppTokens(user, tokens, transaction);
      await transitionUser(models, {
        user,
        to: "migrated",
        reason: MIGRATION_REASON[state.purpose],
        actor: identity.login,
        transaction,
      });
      if (reachable.length > 0) {
        await models.UserInstallation.bulkCreate(
          reachable.map((installation) => ({ userId: user.id, installationId: installation.id, source: "authorization" })),
          { ignoreDuplicates: true, transaction },
        );
      }
      if (previousStatus !== "migrated") {
        // A user whose App token had died coming back is a recovery, not a first migration.
        const recovered = previousStatus === "reauth_required" || previousStatus === "revoked";
        await enqueueNotification(
          models,
          {
            eventType: recovered ? "token.recovered" : "user.migrated",
            payload: { github_id: identity.id, login: identity.login, ...(recovered ? { previous_status: previousStatus } : {}) },
          },
          transaction,
        );
      }
      return revocationId;
    });
    // After the new pair is stored; never awaited, so GitHub's answer cannot hold up the sign-in.
    if (replacedPair !== null) replacedTokens.revokeSoon(replacedPair);
    return { githubId: identity.id, login: identity.login, returnTo: state.returnTo };
  }

  /** The pair this sign-in replaces, if any. One that no longer opens (its key retired) cannot be revoked and must not stop the sign-in. */
  #replacedPair(user: UserRow, newAccessToken: string): IssuedUserTokens | null {
    try {
      const stored = this.#options.tokenStore.readAppTokens(user);
      return stored && stored.accessToken !== newAccessToken ? stored : null;
    } catch (error) {
      this.#options.log.warn({ event: "auth.replaced_token_unreadable", github_id: user.githubId, err: error }, "the replaced App token cannot be opened; it is not revoked");
      return null;
    }
  }

  async #identify(accessToken: string) {
    try {
      return await this.#options.github.getUser(accessToken);
    } catch (error) {
      // A token we cannot attribute to anyone must not stay alive at GitHub.
      await this.#discard(accessToken, "GET /user failed");
      throw error;
    }
  }

  /** Best effort: true when GitHub confirmed the token is gone. */
  async #discard(accessToken: string, why: string): Promise<boolean> {
    try {
      await this.#options.github.revokeToken(accessToken);
      return true;
    } catch (error) {
      this.#options.log.warn(
        { event: "auth.token_discard_failed", error_code: (error as { code?: unknown }).code ?? null, why },
        "could not revoke a just-issued user token at GitHub; it expires on its own",
      );
      return false;
    }
  }

  /**
   * What GET /user/installations says the new token reaches. Linking is a side benefit of signing
   * in, so a failure here is logged and links nothing rather than failing the sign-in.
   */
  async #reachableInstallations(accessToken: string, login: string): Promise<ReachableInstallation[]> {
    try {
      return await this.#options.github.listInstallations(accessToken);
    } catch (error) {
      this.#options.log.warn(
        { event: "auth.installations_unavailable", login, error_code: (error as { code?: unknown }).code ?? null },
        "could not list the installations a new user token reaches; none linked this time",
      );
      return [];
    }
  }

  /** `installation_id` on the callback is only a hint anyone can type: it is never linked by itself. */
  #checkInstallationHint(installationId: string | undefined, reachable: ReachableInstallation[], login: string): void {
    if (installationId === undefined) return;
    if (!reachable.some((installation) => String(installation.id) === installationId)) {
      this.#options.log.warn(
        { event: "auth.installation_hint_unconfirmed", login, installation_id: installationId },
        "the callback named an installation the user's token does not reach; not linked",
      );
    }
  }

  async #describeAccount(githubId: number): Promise<string> {
    const user = await this.#options.models.User.findOne({ where: { githubId }, attributes: ["login"] });
    return user ? user.login : `the GitHub account with id ${githubId}`;
  }

  #retryPath(state: ConsumedOAuthState): string {
    if (state.purpose === "consent" && state.boundGithubId !== null) {
      const link = new URL(this.#options.consentLinks.createConsentLink(state.boundGithubId, null));
      return `${link.pathname}${link.search}`;
    }
    const query = new URLSearchParams({ return_to: state.returnTo });
    if (state.purpose !== "sign_in") query.set("purpose", state.purpose);
    return `/auth/login?${query.toString()}`;
  }
}
