// The hot read of token resolution: one user row by GitHub id, as one prepared statement on a
// connection of the app's pool. Sequelize's findOne rebuilt the same SQL on every call and cost more
// CPU than the query itself; the row comes back as the same UserRow, so nothing downstream changes.
import { createHash } from "node:crypto";
import type pg from "pg";
import { DatabaseError } from "sequelize";
import type { Models, UserRow } from "../db/models/index.js";

export class UserLookup {
  readonly #models: Models;
  readonly #statement: { name: string; text: string };

  constructor({ models }: { models: Models }) {
    this.#models = models;
    // Every attribute of the model under its own name, so the row builds a UserRow as findOne would.
    const columns = Object.entries(models.User.getAttributes())
      .map(([attribute, { field }]) => `"${field ?? attribute}" AS "${attribute}"`)
      .join(", ");
    const text = `SELECT ${columns} FROM users WHERE github_id = $1`;
    // Postgres keeps a prepared statement per connection by name: the name follows the text.
    this.#statement = { name: `gaut_user_by_github_id_${createHash("sha256").update(text).digest("hex").slice(0, 12)}`, text };
  }

  async byGithubId(githubId: number): Promise<UserRow | null> {
    const { sequelize } = this.#models;
    const connection = (await sequelize.connectionManager.getConnection({ type: "read" })) as pg.Client;
    let rows: Array<Record<string, unknown>>;
    try {
      ({ rows } = await connection.query({ ...this.#statement, values: [githubId] }));
    } catch (error) {
      // As Sequelize would report it, so a lost connection still answers 503 (http/errors.ts).
      throw new DatabaseError(error as Error & { sql: string; parameters: object });
    } finally {
      sequelize.connectionManager.releaseConnection(connection);
    }
    const [row] = rows;
    return row ? this.#models.User.build(row as never, { raw: true, isNewRecord: false }) : null;
  }
}
