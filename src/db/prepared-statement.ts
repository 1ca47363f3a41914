// A statement of a hot path, run on a connection of the app's Sequelize pool as a named prepared
// statement: Postgres parses and plans it once per connection, and no ORM rebuilds its SQL (or
// builds model instances from its rows) on every call.
import { createHash } from "node:crypto";
import type pg from "pg";
import { DatabaseError, type Sequelize } from "sequelize";

export class PreparedStatement<Row> {
  readonly #statement: { name: string; text: string };

  /** `purpose` names the statement in pg_prepared_statements; the text's hash keeps two versions apart. */
  constructor(purpose: string, text: string) {
    this.#statement = { name: `gaut_${purpose}_${createHash("sha256").update(text).digest("hex").slice(0, 12)}`, text };
  }

  /** Runs outside any transaction (autocommit): one round trip. */
  async run(sequelize: Sequelize, values: unknown[]): Promise<Row[]> {
    const connection = (await sequelize.connectionManager.getConnection({ type: "write" })) as pg.Client;
    try {
      const { rows } = await connection.query({ ...this.#statement, values });
      return rows as Row[];
    } catch (error) {
      // As Sequelize would report it, so a lost connection still answers 503 (http/errors.ts).
      throw new DatabaseError(error as Error & { sql: string; parameters: object });
    } finally {
      sequelize.connectionManager.releaseConnection(connection);
    }
  }
}
