// `keys rotate` and `keys check`: re-seals every sealed value under the primary key, in batches and
// resumably (only values under another key are touched, so a rerun continues where one stopped).
import { QueryTypes, type Transaction } from "sequelize";
import type { Models } from "../db/models/index.js";
import type { TokenSealer } from "./sealing.js";
import type { TokenStore } from "./token-store.js";

interface RotationCounts {
  userRows: number;
  userValues: number;
  oauthStateRows: number;
}

/** Sealed values per place and key id, e.g. `{ "users.github_app_user_token": { k2: 10 } }`. */
type KeyUsage = Record<string, Record<string, number>>;

const SEALED_PLACES: Array<{ place: string; table: string; expression: string }> = [
  { place: "users.github_app_user_token", table: "users", expression: "github_app_user_token" },
  { place: "users.github_app_refresh_token", table: "users", expression: "github_app_refresh_token" },
  { place: "users.provider_info.access_token", table: "users", expression: "provider_info->>'access_token'" },
  { place: "users.provider_info.refresh_token", table: "users", expression: "provider_info->>'refresh_token'" },
  { place: "oauth_states.code_verifier", table: "oauth_states", expression: "code_verifier" },
];

interface KeyRotationOptions {
  models: Models;
  store: TokenStore;
  sealer: TokenSealer;
}

export class KeyRotation {
  readonly #options: KeyRotationOptions;

  constructor(options: KeyRotationOptions) {
    this.#options = options;
  }

  async rotate({ batchSize = 100, onProgress = () => {} }: { batchSize?: number; onProgress?: (counts: RotationCounts) => void } = {}) {
    const counts: RotationCounts = { userRows: 0, userValues: 0, oauthStateRows: 0 };
    const userCondition = SEALED_PLACES.filter((place) => place.table === "users")
      .map((place) => `split_part(${place.expression}, '.', 2) <> :kid`)
      .join(" OR ");
    await this.#inBatches("users", userCondition, batchSize, async (ids, transaction) => {
      const users = await this.#options.models.User.findAll({ where: { id: ids }, lock: transaction.LOCK.UPDATE, transaction });
      for (const user of users) {
        const values = await this.#options.store.resealUnderPrimaryKey(user, transaction);
        counts.userValues += values;
        if (values > 0) counts.userRows += 1;
      }
      onProgress(counts);
    });
    await this.#inBatches("oauth_states", "split_part(code_verifier, '.', 2) <> :kid", batchSize, async (ids, transaction) => {
      const { models, sealer } = this.#options;
      const states = await models.OAuthState.findAll({ where: { id: ids }, lock: transaction.LOCK.UPDATE, transaction });
      for (const state of states) {
        if (!sealer.isSealedWithOldKey(state.codeVerifier)) continue;
        const binding = { table: "oauth_states", column: "code_verifier", rowId: state.stateHash };
        await state.update({ codeVerifier: sealer.seal(sealer.open(state.codeVerifier, binding), binding) }, { transaction });
        counts.oauthStateRows += 1;
      }
      onProgress(counts);
    });
    return counts;
  }

  async keyUsage(): Promise<KeyUsage> {
    const usage: KeyUsage = {};
    for (const { place, table, expression } of SEALED_PLACES) {
      const rows = await this.#options.models.sequelize.query<{ kid: string; values: number }>(
        `SELECT split_part(${expression}, '.', 2) AS kid, count(*)::int AS values
           FROM ${table} WHERE ${expression} IS NOT NULL GROUP BY 1 ORDER BY 1`,
        { type: QueryTypes.SELECT },
      );
      usage[place] = Object.fromEntries(rows.map((row) => [row.kid, row.values]));
    }
    return usage;
  }

  /** Keyset batches of rows matching `condition`, each re-sealed and committed in its own transaction. */
  async #inBatches(table: string, condition: string, batchSize: number, work: (ids: number[], transaction: Transaction) => Promise<void>) {
    const { sequelize } = this.#options.models;
    let afterId = 0;
    for (;;) {
      const rows = await sequelize.query<{ id: number }>(
        `SELECT id FROM ${table} WHERE id > :afterId AND (${condition}) ORDER BY id LIMIT :batchSize`,
        { replacements: { afterId, batchSize, kid: this.#options.sealer.primaryKeyId }, type: QueryTypes.SELECT },
      );
      if (rows.length === 0) return;
      afterId = rows[rows.length - 1]!.id;
      await sequelize.transaction((transaction) => work(rows.map((row) => row.id), transaction));
    }
  }
}
