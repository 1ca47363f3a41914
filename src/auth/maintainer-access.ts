// Who may use the maintainers' dashboard: a signed-in user whose current GitHub login (as stored at
// their latest sign-in) is listed in ADMIN_GITHUB_LOGINS.
import type { Models } from "../db/models/index.js";

type MaintainerCheck =
  | { kind: "maintainer"; login: string }
  | { kind: "not_maintainer"; login: string }
  /** The session names a user we no longer have. */
  | { kind: "unknown_user" };

export class MaintainerAccess {
  readonly #models: Models;
  readonly #logins: ReadonlySet<string>;

  constructor({ models, logins }: { models: Models; logins: readonly string[] }) {
    this.#models = models;
    this.#logins = new Set(logins.map((login) => login.toLowerCase()));
  }

  /**
   * Decided on the login GitHub reported at sign-in, looked up on every request: removing a login
   * from the configuration (and restarting) shuts its sessions out at once.
   */
  async check(githubId: number): Promise<MaintainerCheck> {
    const user = await this.#models.User.findOne({ where: { githubId }, attributes: ["login"] });
    if (!user) return { kind: "unknown_user" };
    return this.#logins.has(user.login.toLowerCase()) ? { kind: "maintainer", login: user.login } : { kind: "not_maintainer", login: user.login };
  }
}
