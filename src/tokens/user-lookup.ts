// The hot read of token resolution: one user row by GitHub id, as one prepared statement on a
// connection of the app's pool. It reads only the columns a resolution looks at and hands them on as
// a plain object: Sequelize's findOne rebuilt the same SQL on every call, and a model instance of the
// whole row (every column parsed, described and copied twice) cost more CPU and garbage than the
// query itself (docs/benchmarks.md, row 1). Writes never start from this object: a refresh locks and
// re-reads the row by id (tokens/refresh.ts).
import type { Models, UserRow } from "../db/models/index.js";
import { PreparedStatement } from "../db/prepared-statement.js";

const RESOLUTION_ATTRIBUTES = [
  "id",
  "githubId",
  "login",
  "tokenMigrationStatus",
  "providerInfo",
  "legacyTokenValid",
  "githubAppUserToken",
  "githubAppTokenExpiresAt",
  "githubAppRefreshToken",
  "refreshIntentId",
  "refreshIntentStartedAt",
  "refreshLeaseUntil",
  "refreshInDoubtSince",
  "nextRefreshAttemptAt",
] as const satisfies ReadonlyArray<keyof UserRow>;

/** What a token resolution reads of a user: a full UserRow is one too. */
export type ResolvableUser = Pick<UserRow, (typeof RESOLUTION_ATTRIBUTES)[number]>;

export class UserLookup {
  readonly #models: Models;
  readonly #statement: PreparedStatement<ResolvableUser>;

  constructor({ models }: { models: Models }) {
    this.#models = models;
    // Each column under its attribute's name, with the pool's type parsers (BIGINT as a number).
    const attributes = models.User.getAttributes();
    const columns = RESOLUTION_ATTRIBUTES.map((attribute) => `"${attributes[attribute].field ?? attribute}" AS "${attribute}"`).join(", ");
    this.#statement = new PreparedStatement("user_by_github_id", `SELECT ${columns} FROM users WHERE github_id = $1`);
  }

  async byGithubId(githubId: number): Promise<ResolvableUser | null> {
    const [row] = await this.#statement.run(this.#models.sequelize, [githubId]);
    return row ?? null;
  }
}
