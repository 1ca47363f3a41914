// Heals missed installation webhooks: rebuilds installations and their repositories from
// GET /app/installations (+ GET /installation/repositories per installation) and marks deleted
// those GitHub no longer lists. One instance at a time; webhooks keep flowing meanwhile, and the
// installation service's rules keep a webhook newer than the listing from being overwritten.
import type { Logger } from "pino";
import type { Models } from "../db/models/index.js";
import type { GitHubAppApi, GitHubInstallation } from "../github/app-api.js";
import { GitHubError, TransientGitHubError } from "../github/errors.js";
import { runAsSingleton, type SingletonOutcome } from "../jobs/singleton.js";
import type { InstallationService } from "./installation-service.js";
import { installationSnapshot, repositorySnapshot, type RepositorySnapshot } from "./installation-snapshot.js";

export const RECONCILIATION_JOB = "installation-reconciliation";

interface ReconciliationCounts {
  /** Installations GitHub listed. */
  listed: number;
  /** Listed installations written (inserted or brought up to date). */
  updated: number;
  /** Listed installations left as they were (deleted here already, or a newer webhook won). */
  unchanged: number;
  /** Installations we held that GitHub no longer lists, now marked deleted. */
  markedDeleted: number;
  /** Installations whose repositories could not be listed; their stored repositories were kept. */
  repositoriesSkipped: number;
}

export class InstallationReconciliation {
  readonly #models: Models;
  readonly #installations: InstallationService;
  readonly #github: GitHubAppApi;
  readonly #log: Logger;
  readonly #now: () => Date;

  constructor(options: { models: Models; installations: InstallationService; github: GitHubAppApi; log: Logger; now?: () => Date }) {
    this.#models = options.models;
    this.#installations = options.installations;
    this.#github = options.github;
    this.#log = options.log;
    this.#now = options.now ?? (() => new Date());
  }

  /** One pass, unless another instance is running one (then `{ ran: false }`). */
  async runPass(): Promise<SingletonOutcome<ReconciliationCounts>> {
    return runAsSingleton(this.#models.sequelize, RECONCILIATION_JOB, () => this.#reconcile());
  }

  async #reconcile(): Promise<ReconciliationCounts> {
    const listedAt = this.#now();
    const listed = await this.#github.listInstallations();
    const counts: ReconciliationCounts = { listed: listed.length, updated: 0, unchanged: 0, markedDeleted: 0, repositoriesSkipped: 0 };
    const deleted = await this.#installations.deletedAmong(listed.map((installation) => installation.id));
    for (const installation of listed) {
      if (deleted.has(installation.id)) {
        counts.unchanged += 1;
        continue;
      }
      // Listed before the transaction opens: no row lock is held while GitHub answers.
      const repositories = await this.#repositoriesOf(installation);
      if (repositories === null) counts.repositoriesSkipped += 1;
      const outcome = await this.#models.sequelize.transaction((transaction) =>
        this.#installations.recordListed(installationSnapshot(installation), repositories, listedAt, transaction),
      );
      if (outcome === "processed") counts.updated += 1;
      else counts.unchanged += 1;
    }
    const vanished = await this.#installations.markVanished(listed.map((installation) => installation.id), listedAt);
    counts.markedDeleted = vanished.length;
    if (vanished.length > 0) this.#log.info({ installationIds: vanished }, "installations GitHub no longer lists marked deleted");
    return counts;
  }

  /** Null when GitHub will not say: a suspended installation gets no token, and one may vanish mid-pass. */
  async #repositoriesOf(installation: GitHubInstallation): Promise<RepositorySnapshot[] | null> {
    if (installation.suspended_at) return null;
    try {
      return (await this.#github.listInstallationRepositories(installation.id)).map(repositorySnapshot);
    } catch (error) {
      // Transient trouble fails the pass (it runs again on schedule); a refusal concerns this installation only.
      if (!(error instanceof GitHubError) || error instanceof TransientGitHubError) throw error;
      this.#log.warn({ err: error, installationId: installation.id }, "could not list an installation's repositories; keeping the stored ones");
      return null;
    }
  }
}
