// Maintainers' view of users: listing by status (keyset pages) and one user's full story — status,
// history, token expiries and validation — never a token value.
import { Op } from "sequelize";
import type { MigrationStatus, Models, RefreshFailureClass, UserRow } from "../db/models/index.js";
import { UserNotFoundError } from "../users/errors.js";
import { InvalidCursorError } from "./errors.js";

interface UserSummary {
  github_id: number;
  login: string;
  status: MigrationStatus;
  migration_error: string | null;
  migrated_at: string | null;
  last_validated_at: string | null;
}

interface UserPage {
  users: UserSummary[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
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

  async list({ status, cursor, limit = 50 }: { status?: MigrationStatus; cursor?: string; limit?: number }): Promise<UserPage> {
    const afterId = cursor === undefined ? 0 : decodeCursor(cursor);
    const rows = await this.#models.User.findAll({
      where: { id: { [Op.gt]: afterId }, ...(status ? { tokenMigrationStatus: status } : {}) },
      order: [["id", "ASC"]],
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      users: page.map(summarize),
      next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null,
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

function summarize(user: UserRow): UserSummary {
  return {
    github_id: user.githubId,
    login: user.login,
    status: user.tokenMigrationStatus,
    migration_error: user.migrationError ?? null,
    migrated_at: iso(user.migratedAt),
    last_validated_at: iso(user.lastValidatedAt),
  };
}

function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

// Opaque to callers so the paging key can change without breaking them.
function encodeCursor(id: number): string {
  return Buffer.from(`u:${id}`, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): number {
  const match = /^u:(\d{1,18})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) throw new InvalidCursorError();
  return Number(match[1]);
}
