// The installations table kept as GitHub has it: every change arrives here, from a webhook or from
// reconciliation, in the caller's transaction. Changes may arrive late, twice or out of order, so
// each one is checked against what is stored before it is applied:
// - deletion is final: GitHub never reuses an installation id, so anything arriving for a deleted
//   installation is older news (a `created` after its `deleted` does not resurrect it);
// - a payload whose installation `updated_at` is older than the stored one is stale and skipped
//   (GitHub moves `updated_at` on every change, suspension included).
import { isDeepStrictEqual } from "node:util";
import { Op, QueryTypes, type Transaction } from "sequelize";
import type { DeliveryOutcome, InstallationRow, Models } from "../db/models/index.js";
import { PreparedStatement } from "../db/prepared-statement.js";
import type { InstallationSnapshot, RepositorySnapshot } from "./installation-snapshot.js";

/** What a change did: applied, or left alone because it was already applied, stale or moot. */
export type ChangeOutcome = Exclude<DeliveryOutcome, "failed">;

export interface InstallationSummary {
  id: number;
  account: { id: number; login: string; type: string };
  targetType: string;
  repositorySelection: "all" | "selected";
  repositoriesCount: number;
  permissions: Record<string, string>;
  events: string[];
  previousAccountLogins: Array<{ login: string; changedAt: string }>;
  suspendedAt: Date | null;
  suspendedBy: string | null;
  deletedAt: Date | null;
  githubCreatedAt: Date | null;
  githubUpdatedAt: Date | null;
  updatedAt: Date;
}

interface ListInstallationsOptions {
  includeDeleted: boolean;
  /** Installation ids greater than this (keyset pagination). */
  afterId?: number;
  limit: number;
}

/**
 * The installation and those of the given repositories it holds, in one statement, so both come from
 * one snapshot of the database.
 */
const STORED_WITH_REPOSITORIES = `
  SELECT i.account_id AS "accountId", i.account_login AS "accountLogin", i.account_type AS "accountType",
         i.target_type AS "targetType", i.repository_selection AS "repositorySelection", i.permissions, i.events,
         i.previous_account_logins AS "previousAccountLogins", i.suspended_at AS "suspendedAt",
         i.suspended_by AS "suspendedBy", i.deleted_at AS "deletedAt", i.github_created_at AS "githubCreatedAt",
         i.github_updated_at AS "githubUpdatedAt",
         (SELECT coalesce(json_agg(json_build_object('id', r.repository_id, 'fullName', r.full_name, 'private', r.private)), '[]')
            FROM installation_repositories r
           WHERE r.installation_id = i.id AND r.repository_id = ANY($2::bigint[])) AS repositories
    FROM installations i
   WHERE i.id = $1`;

export class InstallationService {
  readonly #models: Models;
  readonly #now: () => Date;
  readonly #storedWithRepositories = new PreparedStatement<StoredInstallation & { repositories: RepositorySnapshot[] }>(
    "installation_with_repositories",
    STORED_WITH_REPOSITORIES,
  );

  constructor({ models, now = () => new Date() }: { models: Models; now?: () => Date }) {
    this.#models = models;
    this.#now = now;
  }

  /**
   * `installation.created`: the installation, the repositories it was given, and links to the
   * users who installed or requested it when we know them.
   */
  async recordCreated(
    snapshot: InstallationSnapshot,
    { repositories, installedByGithubId, knownGithubIds }: { repositories: RepositorySnapshot[]; installedByGithubId: number | null; knownGithubIds: number[] },
    transaction: Transaction,
  ): Promise<ChangeOutcome> {
    const { row, stale } = await this.#lockOrInsert(snapshot, transaction);
    if (row.deletedAt || stale) return "ignored";
    await this.#applySnapshot(row, snapshot, transaction);
    if (installedByGithubId !== null) await row.update({ installedByGithubId }, { transaction });
    // Added, never replaced: an `installation_repositories.added` may have arrived first.
    await this.#addRepositories(snapshot.id, repositories, transaction);
    await this.#linkUsers(snapshot.id, knownGithubIds, "installation.created", transaction);
    return "processed";
  }

  /** `installation.deleted`: a soft delete that keeps the row and its repositories as history. */
  async recordDeleted(snapshot: InstallationSnapshot, repositories: RepositorySnapshot[], transaction: Transaction): Promise<ChangeOutcome> {
    const { row, inserted } = await this.#lockOrInsert(snapshot, transaction);
    if (row.deletedAt) return "ignored";
    // Deleted before we ever heard of it (its `created` is late or lost): keep a tombstone so
    // the late `created` finds it deleted.
    if (inserted) {
      await this.#applySnapshot(row, snapshot, transaction);
      await this.#addRepositories(snapshot.id, repositories, transaction);
    }
    await row.update({ deletedAt: this.#now() }, { transaction });
    return "processed";
  }

  /**
   * `installation.suspend`, `unsuspend` and `new_permissions_accepted`: the payload carries the
   * whole installation as it now is, suspension and permissions included.
   */
  async recordInstallationState(
    snapshot: InstallationSnapshot,
    { suspendedByFallback }: { suspendedByFallback: string | null },
    transaction: Transaction,
  ): Promise<ChangeOutcome> {
    const { row, stale } = await this.#lockOrInsert(snapshot, transaction);
    if (row.deletedAt || stale) return "ignored";
    await this.#applySnapshot(row, snapshot, transaction);
    if (row.suspendedAt && !row.suspendedBy) await row.update({ suspendedBy: suspendedByFallback }, { transaction });
    return "processed";
  }

  /** `installation_repositories.added` / `removed`, with the repository selection it now has. */
  async recordRepositoriesChanged(
    snapshot: InstallationSnapshot,
    { added, removedIds }: { added: RepositorySnapshot[]; removedIds: number[] },
    transaction: Transaction,
  ): Promise<ChangeOutcome> {
    const { row, stale } = await this.#lockOrInsert(snapshot, transaction);
    if (row.deletedAt) return "ignored";
    if (!stale) await this.#applySnapshot(row, snapshot, transaction);
    await this.#addRepositories(snapshot.id, added, transaction);
    if (removedIds.length > 0) {
      await this.#models.InstallationRepository.destroy({
        where: { installationId: snapshot.id, repositoryId: { [Op.in]: removedIds } },
        transaction,
      });
    }
    return "processed";
  }

  /**
   * What `recordRepositoriesChanged` would record if the change is already in the database, read in
   * one statement without a lock or a transaction; null when it would write something (or the
   * installation is new to us). Most deliveries are such repeats: the same change in an
   * `installation` event and an `installation_repositories` one, reconciliation having seen it first.
   * The snapshot read is taken after the delivery arrived, so it holds every delivery acknowledged
   * before it; the delivery records only its own ledger row, so it is ordered before any delivery
   * still being applied meanwhile, as if applied alone (docs/architecture.md, "Webhooks").
   */
  async repositoriesChangeAlreadyApplied(
    snapshot: InstallationSnapshot,
    { added, removedIds }: { added: RepositorySnapshot[]; removedIds: number[] },
  ): Promise<ChangeOutcome | null> {
    const [stored] = await this.#storedWithRepositories.run(this.#models.sequelize, [snapshot.id, [...added.map((repository) => repository.id), ...removedIds]]);
    if (!stored) return null;
    if (stored.deletedAt) return "ignored";
    if (!isStale(stored, snapshot) && Object.keys(installationChanges(stored, snapshot, this.#now())).length > 0) return null;
    const held = new Map(stored.repositories.map((repository) => [repository.id, repository]));
    const addsNothing = added.every((repository) => {
      const kept = held.get(repository.id);
      return kept !== undefined && kept.fullName === repository.fullName && kept.private === repository.private;
    });
    return addsNothing && removedIds.every((id) => !held.has(id)) ? "processed" : null;
  }

  /**
   * `installation_target.renamed`: the account's new login; the old one joins
   * previous_account_logins. Unknown installations are left to reconciliation.
   */
  async recordAccountRenamed(
    { installationId, accountId, login, previousLogin }: { installationId: number; accountId: number; login: string; previousLogin: string },
    transaction: Transaction,
  ): Promise<ChangeOutcome> {
    const row = await this.#models.Installation.findByPk(installationId, { lock: transaction.LOCK.UPDATE, transaction });
    if (!row || row.accountId !== accountId) return "ignored";
    // Already under the new name: a duplicate, or another payload carried the new login first.
    if (row.accountLogin === login) return "ignored";
    // We hold a later name and have seen this old one go: an older rename, arriving late.
    if (row.accountLogin !== previousLogin && row.previousAccountLogins.some((entry) => entry.login === previousLogin)) {
      return "ignored";
    }
    await row.update(
      { accountLogin: login, previousAccountLogins: [...row.previousAccountLogins, { login: previousLogin, changedAt: this.#now().toISOString() }] },
      { transaction },
    );
    return "processed";
  }

  /**
   * Reconciliation's view of one installation, as GET /app/installations lists it now.
   * `repositories` is null when they could not be listed (a suspended installation gets no
   * token); rows added after `listedAt` came from a webhook newer than the listing and stay.
   */
  async recordListed(
    snapshot: InstallationSnapshot,
    repositories: RepositorySnapshot[] | null,
    listedAt: Date,
    transaction: Transaction,
  ): Promise<ChangeOutcome> {
    const { row, stale } = await this.#lockOrInsert(snapshot, transaction);
    if (row.deletedAt) return "ignored";
    if (!stale) await this.#applySnapshot(row, snapshot, transaction);
    if (repositories !== null) {
      await this.#addRepositories(snapshot.id, repositories, transaction);
      await this.#models.InstallationRepository.destroy({
        where: {
          installationId: snapshot.id,
          createdAt: { [Op.lt]: listedAt },
          ...(repositories.length > 0 ? { repositoryId: { [Op.notIn]: repositories.map((repository) => repository.id) } } : {}),
        },
        transaction,
      });
    }
    return "processed";
  }

  /**
   * Marks deleted every installation GitHub no longer lists. Rows created after `listedAt` were
   * installed after the listing began and are left alone. Returns the ids marked.
   */
  async markVanished(listedIds: number[], listedAt: Date): Promise<number[]> {
    const [, rows] = (await this.#models.Installation.update(
      { deletedAt: this.#now() },
      {
        where: {
          deletedAt: null,
          createdAt: { [Op.lt]: listedAt },
          ...(listedIds.length > 0 ? { id: { [Op.notIn]: listedIds } } : {}),
        },
        returning: true,
      },
    )) as unknown as [number, InstallationRow[]];
    return rows.map((row) => row.id);
  }

  /** Which of these installations we hold as deleted: final, so reconciliation need not ask GitHub about them. */
  async deletedAmong(installationIds: number[]): Promise<Set<number>> {
    if (installationIds.length === 0) return new Set();
    const rows = await this.#models.Installation.findAll({
      attributes: ["id"],
      where: { id: { [Op.in]: installationIds }, deletedAt: { [Op.ne]: null } },
    });
    return new Set(rows.map((row) => row.id));
  }

  async listInstallations({ includeDeleted, afterId = 0, limit }: ListInstallationsOptions): Promise<InstallationSummary[]> {
    const rows = await this.#models.Installation.findAll({
      where: { id: { [Op.gt]: afterId }, ...(includeDeleted ? {} : { deletedAt: null }) },
      order: [["id", "ASC"]],
      limit,
    });
    const counts = await this.#repositoryCounts(rows.map((row) => row.id));
    return rows.map((row) => ({
      id: row.id,
      account: { id: row.accountId, login: row.accountLogin, type: row.accountType },
      targetType: row.targetType,
      repositorySelection: row.repositorySelection,
      repositoriesCount: counts.get(row.id) ?? 0,
      permissions: row.permissions,
      events: row.events,
      previousAccountLogins: row.previousAccountLogins,
      suspendedAt: row.suspendedAt,
      suspendedBy: row.suspendedBy,
      deletedAt: row.deletedAt,
      githubCreatedAt: row.githubCreatedAt,
      githubUpdatedAt: row.githubUpdatedAt,
      updatedAt: row.updatedAt,
    }));
  }

  /** Writes the installation as the snapshot has it; a changed login joins the account's previous logins. */
  async #applySnapshot(row: InstallationRow, snapshot: InstallationSnapshot, transaction: Transaction): Promise<void> {
    const changes = installationChanges(row, snapshot, this.#now());
    if (Object.keys(changes).length > 0) await row.update(changes, { transaction });
  }

  /**
   * The installation's row, locked for this transaction, inserted first from the snapshot when
   * missing (concurrent first deliveries for one installation meet on the primary key); `stale`
   * when the stored row is newer than the snapshot.
   */
  async #lockOrInsert(
    snapshot: InstallationSnapshot,
    transaction: Transaction,
  ): Promise<{ row: InstallationRow; inserted: boolean; stale: boolean }> {
    const lock = () => this.#models.Installation.findByPk(snapshot.id, { lock: transaction.LOCK.UPDATE, transaction });
    // Every delivery but an installation's first finds the row: lock it in one round trip.
    const existing = await lock();
    if (existing) return { row: existing, inserted: false, stale: isStale(existing, snapshot) };
    const now = this.#now();
    const insertedRows = await this.#models.sequelize.query<{ id: number }>(
      `INSERT INTO installations (id, account_id, account_login, account_type, target_type, repository_selection, created_at, updated_at)
       VALUES (:id, :accountId, :accountLogin, :accountType, :targetType, :repositorySelection, :now, :now)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      { replacements: { ...snapshot, now }, type: QueryTypes.SELECT, transaction },
    );
    const row = await lock();
    if (!row) throw new Error(`installation ${snapshot.id} vanished between insert and lock`);
    const inserted = insertedRows.length === 1;
    return { row, inserted, stale: !inserted && isStale(row, snapshot) };
  }

  async #addRepositories(installationId: number, repositories: RepositorySnapshot[], transaction: Transaction): Promise<void> {
    if (repositories.length === 0) return;
    await this.#models.InstallationRepository.bulkCreate(
      repositories.map((repository) => ({
        installationId,
        repositoryId: repository.id,
        fullName: repository.fullName,
        private: repository.private,
        createdAt: this.#now(),
      })),
      // A repository renamed or made private since keeps its row and takes the new facts.
      { updateOnDuplicate: ["fullName", "private"], transaction },
    );
  }

  async #linkUsers(installationId: number, githubIds: number[], source: string, transaction: Transaction): Promise<void> {
    if (githubIds.length === 0) return;
    const users = await this.#models.User.findAll({ attributes: ["id"], where: { githubId: { [Op.in]: githubIds } }, transaction });
    if (users.length === 0) return;
    await this.#models.UserInstallation.bulkCreate(
      users.map((user) => ({ userId: user.id, installationId, source })),
      { ignoreDuplicates: true, transaction },
    );
  }

  async #repositoryCounts(installationIds: number[]): Promise<Map<number, number>> {
    if (installationIds.length === 0) return new Map();
    const rows = await this.#models.sequelize.query<{ installation_id: number; count: number }>(
      `SELECT installation_id, count(*)::int AS count FROM installation_repositories
        WHERE installation_id IN (:installationIds) GROUP BY installation_id`,
      { replacements: { installationIds }, type: QueryTypes.SELECT },
    );
    return new Map(rows.map((row) => [row.installation_id, row.count]));
  }
}

/** The stored installation as the ordering rules read it. */
type StoredInstallation = Pick<
  InstallationRow,
  | "accountId"
  | "accountLogin"
  | "accountType"
  | "targetType"
  | "repositorySelection"
  | "permissions"
  | "events"
  | "previousAccountLogins"
  | "suspendedAt"
  | "suspendedBy"
  | "deletedAt"
  | "githubCreatedAt"
  | "githubUpdatedAt"
>;

type InstallationChanges = Partial<Omit<StoredInstallation, "deletedAt">>;

/**
 * The fields applying the snapshot would change (none when the row already says what it says). A
 * login GitHub did not send keeps the stored one; a changed login joins the previous logins.
 */
function installationChanges(stored: StoredInstallation, snapshot: InstallationSnapshot, now: Date): InstallationChanges {
  const target: InstallationChanges = {
    accountId: snapshot.accountId,
    accountLogin: snapshot.accountLogin || stored.accountLogin,
    accountType: snapshot.accountType,
    targetType: snapshot.targetType,
    repositorySelection: snapshot.repositorySelection,
    permissions: snapshot.permissions,
    events: snapshot.events,
    suspendedAt: snapshot.suspendedAt,
    suspendedBy: snapshot.suspendedAt ? snapshot.suspendedBy : null,
    githubCreatedAt: snapshot.githubCreatedAt ?? stored.githubCreatedAt,
    githubUpdatedAt: snapshot.githubUpdatedAt ?? stored.githubUpdatedAt,
  };
  const changes = Object.fromEntries(
    Object.entries(target).filter(([field, value]) => !sameValue(stored[field as keyof InstallationChanges], value)),
  ) as InstallationChanges;
  const renamed = stored.accountLogin !== "" && snapshot.accountLogin !== "" && stored.accountLogin !== snapshot.accountLogin;
  if (renamed) changes.previousAccountLogins = [...stored.previousAccountLogins, { login: stored.accountLogin, changedAt: now.toISOString() }];
  return changes;
}

/** Dates by instant, JSON by content (a JSONB object comes back with its keys in another order). */
function sameValue(stored: unknown, target: unknown): boolean {
  if (stored instanceof Date || target instanceof Date) {
    return stored instanceof Date && target instanceof Date ? stored.getTime() === target.getTime() : stored === target;
  }
  return isDeepStrictEqual(stored, target);
}

function isStale(row: StoredInstallation, snapshot: InstallationSnapshot): boolean {
  return row.githubUpdatedAt !== null && snapshot.githubUpdatedAt !== null && snapshot.githubUpdatedAt < row.githubUpdatedAt;
}
