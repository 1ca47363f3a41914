// The keep-alive pass: refreshes App tokens about to expire, and refresh tokens idle long enough to
// near their ~6-month end, before any caller needs them, and settles rows left in doubt by a refresh
// that died or lost its answer. Several instances may run it at once: each user is claimed with
// FOR UPDATE SKIP LOCKED and re-checked under the lock; a row with a live refresh lease is skipped.
import { QueryTypes } from "sequelize";
import type { Models, UserRow } from "../db/models/index.js";
import type { TokenRefresher } from "./refresh.js";
import type { IssuedUserTokens } from "./token-store.js";

interface KeepAliveCounts {
  /** Users found due when the pass looked. */
  due: number;
  refreshed: number;
  /** Held or already refreshed by another instance. */
  skipped: number;
  /** GitHub failed for now, or the row is still in doubt; a backoff is recorded. */
  failed: number;
  reauthRequired: number;
}

interface TokenKeepAliveOptions {
  models: Models;
  refresher: TokenRefresher;
  marginSeconds: number;
  intervalSeconds: number;
  /** Refresh tokens expiring within this many days are used (and so renewed) now. */
  refreshTokenHorizonDays?: number;
  batchSize?: number;
  now?: () => Date;
}

export class TokenKeepAlive {
  readonly #options: Required<TokenKeepAliveOptions>;

  constructor(options: TokenKeepAliveOptions) {
    this.#options = { refreshTokenHorizonDays: 14, batchSize: 25, now: () => new Date(), ...options };
  }

  async runPass({ maxUsers = 10_000 }: { maxUsers?: number } = {}): Promise<KeepAliveCounts> {
    const counts: KeepAliveCounts = { due: 0, refreshed: 0, skipped: 0, failed: 0, reauthRequired: 0 };
    const { accessBefore, refreshBefore } = this.#horizons();
    const isDue = (_row: UserRow, tokens: IssuedUserTokens) =>
      (tokens.accessTokenExpiresAt !== null && tokens.accessTokenExpiresAt < accessBefore) ||
      (tokens.refreshTokenExpiresAt !== null && tokens.refreshTokenExpiresAt < refreshBefore);
    let afterId = 0;
    while (counts.due < maxUsers) {
      const ids = await this.#dueUserIds(afterId, Math.min(this.#options.batchSize, maxUsers - counts.due), accessBefore, refreshBefore);
      if (ids.length === 0) break;
      afterId = ids[ids.length - 1] as number;
      counts.due += ids.length;
      for (const id of ids) {
        const result = await this.#options.refresher.refreshIfDue(id, isDue);
        if (result.kind === "refreshed") counts.refreshed += 1;
        else if (result.kind === "transient" || result.kind === "in_doubt") counts.failed += 1;
        else if (result.kind === "reauth_required") counts.reauthRequired += 1;
        else counts.skipped += 1;
      }
    }
    return counts;
  }

  #horizons() {
    const { marginSeconds, intervalSeconds, refreshTokenHorizonDays, now } = this.#options;
    const at = now().getTime();
    return {
      // A token that would expire before the next pass plus the margin is refreshed now.
      accessBefore: new Date(at + (marginSeconds + intervalSeconds) * 1000),
      refreshBefore: new Date(at + refreshTokenHorizonDays * 86_400_000),
    };
  }

  /** Candidates only, without locks; each is claimed and re-checked by the refresher. */
  async #dueUserIds(afterId: number, limit: number, accessBefore: Date, refreshBefore: Date): Promise<number[]> {
    const rows = await this.#options.models.sequelize.query<{ id: number }>(
      `SELECT id FROM users
        WHERE id > :afterId
          AND github_app_refresh_token IS NOT NULL
          AND token_migration_status NOT IN ('reauth_required', 'revoked', 'failed')
          AND (next_refresh_attempt_at IS NULL OR next_refresh_attempt_at <= :now)
          AND (github_app_token_expires_at < :accessBefore OR github_app_refresh_token_expires_at < :refreshBefore
               OR refresh_in_doubt_since IS NOT NULL
               OR (refresh_intent_id IS NOT NULL AND refresh_lease_until <= :now))
        ORDER BY id
        LIMIT :limit`,
      {
        replacements: { afterId, limit, now: this.#options.now(), accessBefore, refreshBefore },
        type: QueryTypes.SELECT,
      },
    );
    return rows.map((row) => row.id);
  }
}
