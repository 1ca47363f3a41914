// The hot read of token resolution: one user row by GitHub id, as one prepared statement on a
// connection of the app's pool. Sequelize's findOne rebuilt the same SQL on every call and cost more
// CPU than the query itself; the row comes back as the same UserRow, so nothing downstream changes.
import type { Models, UserRow } from "../db/models/index.js";
import { PreparedStatement } from "../db/prepared-statement.js";

export class UserLookup {
  readonly #models: Models;
  readonly #statement: PreparedStatement<Record<string, unknown>>;

  constructor({ models }: { models: Models }) {
    this.#models = models;
    // Every attribute of the model under its own name, so the row builds a UserRow as findOne would.
    const columns = Object.entries(models.User.getAttributes())
      .map(([attribute, { field }]) => `"${field ?? attribute}" AS "${attribute}"`)
      .join(", ");
    this.#statement = new PreparedStatement("user_by_github_id", `SELECT ${columns} FROM users WHERE github_id = $1`);
  }

  async byGithubId(githubId: number): Promise<UserRow | null> {
    const [row] = await this.#statement.run(this.#models.sequelize, [githubId]);
    return row ? this.#models.User.build(row as never, { raw: true, isNewRecord: false }) : null;
  }
}
