// Maintainers' view of users: finding them (a login prefix or a GitHub id, a status, a refresh
// failure class; keyset pages in id order or by last change) and one user's full story — status,
// history, token expiries and validation — never a token value.
import { QueryTypes } from "sequelize";
import type { MigrationStatus, Models, RefreshFailureClass, UserRow } from "../db/models/index.js";
import { UserNotFoundError } from "../users/errors.js";

interface UserSummary {
  github_id: number;
  login: string;
  status: MigrationStatus;
  migration_error: string | null;
  migrated_at: string | null;
  last_validated_at: string | null;
  /** Why the last refresh failed for good, when one did. */
  refresh_failure_class: RefreshFailureClass | null;
  /** The row's last change (a status move, a refresh, a sign-in): what the change orders sort by. */
  updated_at: string;
}

export interface UserPage {
  users: UserSummary[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}

/** Registration order (`id`, the admin API's default), or by last change, newest or oldest first. */
export const USER_ORDERS = ["id", "newest", "oldest"] as const;
export type UserOrder = (typeof USER_ORDERS)[number];

/** Where the previous page ended, in the order it was read in (decodeUserCursor). */
export interface UserCursor {
  order: UserOrder;
  id: number;
  /** The last row's updated_at in microseconds since the epoch (Postgres' own precision); absent in id order. */
  updatedMicros?: number;
}

export interface UserSearch {
  /** The start of a login (case-insensitive), or a GitHub id when all digits (logins starting with them match too). */
  q?: string;
  status?: MigrationStatus;
  failure?: RefreshFailureClass;
  sort?: UserOrder;
  /** Decoded from the previous page's next_cursor. */
  cursor?: UserCursor;
  limit?: number;
}

interface UserHistoryEntry {
  at: string;
  from: MigrationStatus | null;
  to: MigrationStatus;
  reason: string;
  actor: string;
  batch_id: number | null;
}

export interface UserDetail extends UserSummary {
  app_token: {
    stored: boolean;
    expires_at: string | null;
    refresh_token_expires_at: string | null;
    refreshed_at: string | null;
    refresh_failure_count: number;
    next_refresh_attempt_at: string | null;
    last_refresh_error: string | null;
    /** The class of the last refresh that failed for good (issue 14's forensics), and when. */
    refresh_failure_class: RefreshFailureClass | null;
    refresh_failed_at: string | null;
    /** Since when a refresh may have rotated the pair unseen: the token is not served until settled. */
    in_doubt_since: string | null;
    /** A refresh committed and not yet ended: which instance, since when, and until when the others wait. */
    refresh_in_flight: { instance: string | null; started_at: string | null; lease_until: string | null } | null;
  };
  legacy_token: {
    stored: boolean;
    has_refresh_token: boolean;
    expires_at: string | null;
    checked_at: string | null;
    valid: boolean | null;
  };
  last_validation_result: Record<string, unknown> | null;
  installation_ids: number[];
  history: UserHistoryEntry[];
  created_at: string;
  updated_at: string;
}

export class UserDirectory {
  readonly #models: Models;

  constructor({ models }: { models: Models }) {
    this.#models = models;
  }

  /**
   * One page of users matching every filter given. Each order reads an index in key order (migration
   * 0023): nothing is counted or skipped, so the hundredth page costs what the first does.
   */
  async search({ q, status, failure, sort: order = "id", cursor: after, limit = 50 }: UserSearch): Promise<UserPage> {
    const conditions: string[] = [];
    const replacements: Record<string, unknown> = { limit: limit + 1 };
    if (q !== undefined) {
      // q holds only letters, digits and hyphens (the route's rule), so it carries no LIKE wildcard.
      replacements.prefix = `${q.toLowerCase()}%`;
      if (/^\d+$/.test(q) && Number.isSafeInteger(Number(q))) {
        replacements.githubId = Number(q);
        conditions.push("(lower(login) LIKE :prefix OR github_id = :githubId)");
      } else {
        conditions.push("lower(login) LIKE :prefix");
      }
    }
    if (status !== undefined) {
      conditions.push("token_migration_status = :status");
      replacements.status = status;
    }
    if (failure !== undefined) {
      conditions.push("refresh_failure_class = :failure");
      replacements.failure = failure;
    }
    if (after !== undefined) {
      replacements.afterId = after.id;
      replacements.afterMicros = after.updatedMicros ?? 0;
      conditions.push(KEYSET_AFTER[order]);
    }
    const rows = await this.#models.sequelize.query<SummaryRow>(
      // Columns under the model's attribute names, so one summarize() serves this page and show().
      `SELECT id, github_id AS "githubId", login, token_migration_status AS "tokenMigrationStatus",
              migration_error AS "migrationError", migrated_at AS "migratedAt", last_validated_at AS "lastValidatedAt",
              refresh_failure_class AS "refreshFailureClass", updated_at AS "updatedAt",
              (extract(epoch FROM updated_at) * 1000000)::bigint AS "updatedMicros"
         FROM users
        ${conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`}
        ORDER BY ${ORDER_BY[order]}
        LIMIT :limit`,
      { replacements, type: QueryTypes.SELECT },
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      users: page.map(summarize),
      next_cursor: rows.length > limit && last ? encodeUserCursor({ order, id: last.id, updatedMicros: last.updatedMicros }) : null,
    };
  }

  async detail(githubId: number): Promise<UserDetail> {
    const user = await this.#models.User.findOne({ where: { githubId } });
    if (!user) throw new UserNotFoundError(githubId);
    const [events, links] = await Promise.all([
      this.#models.MigrationEvent.findAll({
        where: { userId: user.id },
        order: [
          ["createdAt", "ASC"],
          ["id", "ASC"],
        ],
      }),
      this.#models.UserInstallation.findAll({ where: { userId: user.id }, order: [["installationId", "ASC"]] }),
    ]);
    const info = user.providerInfo ?? {};
    return {
      ...summarize(user),
      app_token: {
        stored: user.githubAppUserToken !== null,
        expires_at: iso(user.githubAppTokenExpiresAt),
        refresh_token_expires_at: iso(user.githubAppRefreshTokenExpiresAt),
        refreshed_at: iso(user.githubAppTokenRefreshedAt),
        refresh_failure_count: user.refreshFailureCount,
        next_refresh_attempt_at: iso(user.nextRefreshAttemptAt),
        last_refresh_error: user.lastRefreshError ?? null,
        refresh_failure_class: user.refreshFailureClass ?? null,
        refresh_failed_at: iso(user.refreshFailedAt),
        in_doubt_since: iso(user.refreshInDoubtSince),
        refresh_in_flight: user.refreshIntentId
          ? { instance: user.refreshIntentInstance ?? null, started_at: iso(user.refreshIntentStartedAt), lease_until: iso(user.refreshLeaseUntil) }
          : null,
      },
      legacy_token: {
        stored: typeof info.access_token === "string",
        has_refresh_token: typeof info.refresh_token === "string",
        expires_at: typeof info.expires_at === "string" ? info.expires_at : null,
        checked_at: iso(user.legacyTokenCheckedAt),
        valid: user.legacyTokenValid ?? null,
      },
      last_validation_result: user.lastValidationResult ?? null,
      installation_ids: links.map((link) => link.installationId),
      history: events.map((event) => ({
        at: event.createdAt.toISOString(),
        from: event.fromStatus,
        to: event.toStatus,
        reason: event.reason,
        actor: event.actor,
        batch_id: event.batchId ?? null,
      })),
      created_at: user.createdAt.toISOString(),
      updated_at: user.updatedAt.toISOString(),
    };
  }
}

const ORDER_BY: Record<UserOrder, string> = {
  id: "id ASC",
  newest: "updated_at DESC, id DESC",
  oldest: "updated_at ASC, id ASC",
};

/** Rows after the cursor's: a row comparison, so rows sharing one updated_at are neither skipped nor repeated. */
const KEYSET_AFTER: Record<UserOrder, string> = {
  id: "id > :afterId",
  newest: "(updated_at, id) < (timestamptz 'epoch' + :afterMicros * interval '1 microsecond', :afterId)",
  oldest: "(updated_at, id) > (timestamptz 'epoch' + :afterMicros * interval '1 microsecond', :afterId)",
};

/** A page's row: what summarize() reads, and where the row stands in the change orders. */
type SummaryRow = SummarizedUser & { id: number; updatedMicros: number };

type SummarizedUser = Pick<
  UserRow,
  "githubId" | "login" | "tokenMigrationStatus" | "migrationError" | "migratedAt" | "lastValidatedAt" | "refreshFailureClass" | "updatedAt"
>;

function summarize(user: SummarizedUser): UserSummary {
  return {
    github_id: user.githubId,
    login: user.login,
    status: user.tokenMigrationStatus,
    migration_error: user.migrationError ?? null,
    migrated_at: iso(user.migratedAt),
    last_validated_at: iso(user.lastValidatedAt),
    refresh_failure_class: user.refreshFailureClass ?? null,
    updated_at: user.updatedAt.toISOString(),
  };
}

function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

// Opaque to callers so the paging key can change without breaking them. Id order keeps the form
// cursors had before the other orders existed, so a cursor handed out then still works.
const CURSOR_PREFIX: Record<UserOrder, string> = { id: "u", newest: "n", oldest: "o" };

export function encodeUserCursor({ order, id, updatedMicros }: UserCursor): string {
  const text = order === "id" ? `u:${id}` : `${CURSOR_PREFIX[order]}:${updatedMicros}:${id}`;
  return Buffer.from(text, "utf8").toString("base64url");
}

/** The position a cursor of ours names, or null when it is not one (garbled, forged, truncated). */
export function decodeUserCursor(cursor: string): UserCursor | null {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const byId = /^u:([1-9]\d{0,15})$/.exec(text);
  if (byId) return safeCursor({ order: "id", id: Number(byId[1]) });
  const byChange = /^([no]):(\d{1,17}):([1-9]\d{0,15})$/.exec(text);
  if (!byChange) return null;
  return safeCursor({ order: byChange[1] === "n" ? "newest" : "oldest", updatedMicros: Number(byChange[2]), id: Number(byChange[3]) });
}

function safeCursor(cursor: UserCursor): UserCursor | null {
  const numbers = [cursor.id, cursor.updatedMicros ?? 0];
  return numbers.every(Number.isSafeInteger) ? cursor : null;
}
