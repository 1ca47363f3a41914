// The per-user migration status machine (DESIGN.md "Migration status machine"). Every change of
// status goes through transitionUser, which writes the status and its migration_events row in
// the caller's transaction; an illegal transition throws instead of being silently ignored.
import { Op, type Transaction } from "sequelize";
import type { MigrationEventRow, MigrationStatus, Models, UserRow } from "../db/models/index.js";

/** For each target status, the statuses a user may come from. */
const ALLOWED_SOURCES: Record<MigrationStatus, readonly MigrationStatus[]> = {
  pending: ["rolled_back"],
  consent_required: ["pending", "failed"],
  // A successful authorization moves any state to migrated (a re-authorization included).
  migrated: ["pending", "consent_required", "migrated", "reauth_required", "revoked", "failed", "rolled_back"],
  reauth_required: ["migrated"],
  revoked: ["migrated", "reauth_required", "failed"],
  failed: ["pending", "migrated"],
  rolled_back: ["pending", "consent_required", "migrated", "reauth_required", "revoked", "failed"],
};

export function canTransition(from: MigrationStatus, to: MigrationStatus): boolean {
  return ALLOWED_SOURCES[to].includes(from);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly githubId: number,
    readonly from: MigrationStatus,
    readonly to: MigrationStatus,
  ) {
    super(`user ${githubId} cannot move from ${from} to ${to}`);
    this.name = "IllegalTransitionError";
  }
}

/** The row changed status under us (another instance moved it first). */
export class ConcurrentTransitionError extends Error {
  constructor(readonly githubId: number, readonly expected: MigrationStatus) {
    super(`user ${githubId} is no longer ${expected}; re-read and decide again`);
    this.name = "ConcurrentTransitionError";
  }
}

interface TransitionRequest {
  user: UserRow;
  to: MigrationStatus;
  reason: string;
  /** `system`, `webhook`, or a maintainer's login. */
  actor: string;
  batchId?: number | null;
  transaction: Transaction;
}

export async function transitionUser(models: Models, request: TransitionRequest): Promise<MigrationEventRow> {
  const { user, to, reason, actor, batchId = null, transaction } = request;
  const from = user.tokenMigrationStatus;
  if (!canTransition(from, to)) throw new IllegalTransitionError(user.githubId, from, to);

  const now = new Date();
  const changes: Partial<Pick<UserRow, "tokenMigrationStatus" | "migratedAt" | "migrationError" | "updatedAt">> = {
    tokenMigrationStatus: to,
    migrationError: to === "failed" || to === "reauth_required" ? reason : null,
    updatedAt: now,
  };
  if (to === "migrated") changes.migratedAt = now;

  // Compare-and-swap on the status we decided from, so two instances cannot both act on a stale read.
  const [updated] = await models.User.update(changes, {
    where: { id: user.id, tokenMigrationStatus: { [Op.eq]: from } },
    transaction,
  });
  if (updated !== 1) throw new ConcurrentTransitionError(user.githubId, from);
  user.set(changes);

  return models.MigrationEvent.create({ userId: user.id, fromStatus: from, toStatus: to, reason, actor, batchId }, { transaction });
}
