// The installations table kept as GitHub has it: every change arrives here, from a webhook or from
// reconciliation, in the caller's transaction. Changes may arrive late, twice or out of order, so
// each one is checked against what is stored before it is applied:
// - deletion is final: GitHub never reuses an installation id, so anything arriving for a deleted
//   installation is older news (a `created` after its `deleted` does not resurrect it);
// - a payload whose installation `updated_at` is older than the stored one is stale and skipped
//   (GitHub moves `updated_at` on every change, suspension included).
import { Op, QueryTypes, type Transaction } from "sequelize";
import type { DeliveryOutcome, InstallationRow, Models } from "../db/models/index.js";
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

export class InstallationService {
  readonly #models: Models;
  readonly #now: () => Date;

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
    const renamed = row.accountLogin !== "" && snapshot.accountLogin !== "" && row.accountLogin !== snapshot.accountLogin;
    await row.update(
      {
        accountId: snapshot.accountId,
        accountLogin: snapshot.accountLogin || row.accountLogin,
        accountType: snapshot.accountType,
        targetType: snapshot.targetType,
        repositorySelection: snapshot.repositorySelection,
        permissions: snapshot.permissions,
        events: snapshot.events,
        suspendedAt: snapshot.suspendedAt,
        suspendedBy: snapshot.suspendedAt ? snapshot.suspendedBy : null,
        githubCreatedAt: snapshot.githubCreatedAt ?? row.githubCreatedAt,
        githubUpdatedAt: snapshot.githubUpdatedAt ?? row.githubUpdatedAt,
        ...(renamed
          ? { previousAccountLogins: [...row.previousAccountLogins, { login: row.accountLogin, changedAt: this.#now().toISOString() }] }
          : {}),
      },
      { transaction },
    );
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

function isStale(row: InstallationRow, snapshot: InstallationSnapshot): boolean {
  return row.githubUpdatedAt !== null && snapshot.githubUpdatedAt !== null && snapshot.githubUpdatedAt < row.githubUpdatedAt;
}
