// Phase 6, cleanup: once the OAuth deprecation date has passed, revoke the legacy OAuth App's grant
// at GitHub and drop the stored legacy token — only for users who are `migrated` and whose App token
// validated recently, and only once GitHub confirmed the grant is gone (revoked now, or already
// dead under credentials GitHub confirmed). A dry run (the default) reports what would happen to
// whom; acting needs an explicit confirmation. The report says per user what was done, what was
// not and why; a user whose revocation failed keeps the token and is tried again by the next run.
import { Op, type Transaction } from "sequelize";
import type { Models, UserRow } from "../db/models/index.js";
import { ClientCredentialsError } from "../github/errors.js";
import type { DeleteOutcome } from "../github/oauth-app-credentials.js";
import type { TokenStore } from "../tokens/token-store.js";
import { CleanupRefusedError, MigrationNotConfiguredError } from "./errors.js";
import type { FeatureFlags } from "../users/flags.js";

export const CLEANUP_CONFIRMATION = "revoke-legacy-grants";
const MAX_LISTED = 1_000;
const PAGE_SIZE = 200;

interface CleanupOptions {
  dryRun: boolean;
  /** Must equal CLEANUP_CONFIRMATION to act. */
  confirm?: string;
  actor: string;
  /** Only users whose App token validated within this many days are cleaned up. */
  validatedWithinDays?: number;
}

type CleanupOutcome = "would_revoke" | DeleteOutcome;

interface CleanupEntry {
  github_id: number;
  login: string;
  /** In `cleaned`: would_revoke (dry run), revoked (GitHub revoked the grant now) or already_dead. */
  outcome?: CleanupOutcome;
  reason?: string;
}

interface CleanupReport {
  dry_run: boolean;
  requested_by: string;
  deprecation_date: string;
  validated_since: string;
  /** Dry run: would be revoked and dropped. Acting: were, each with its outcome. */
  cleaned: CleanupEntry[];
  cleaned_count: number;
  /** Acting: grants GitHub revoked now. */
  revoked_count: number;
  /** Acting: grants GitHub no longer had (404 under credentials it had just confirmed). */
  already_dead_count: number;
  /** Users holding a legacy token who were left alone, each with why. */
  not_cleaned: CleanupEntry[];
  not_cleaned_count: number;
  /** Acting only: GitHub or the database failed for these; their legacy token is kept. */
  failed: CleanupEntry[];
  failed_count: number;
  /** Why the run stopped before the end (the credentials went bad midway); null when it ran through. */
  stopped: string | null;
}

interface LegacyCleanupOptions {
  models: Models;
  tokenStore: TokenStore;
  flags: FeatureFlags;
  /** DELETE /applications/{legacy_client_id}/grant; null when the legacy credentials are not configured. */
  revokeLegacyGrant: ((token: string) => Promise<DeleteOutcome>) | null;
  /** Asks GitHub whether the legacy client's credentials are good; throws ClientCredentialsError naming the variable. */
  credentialsGood?: () => Promise<void>;
  now?: () => Date;
}

export class LegacyCleanup {
  readonly #options: LegacyCleanupOptions;

  constructor(options: LegacyCleanupOptions) {
    this.#options = options;
  }

  async run({ dryRun, confirm, actor, validatedWithinDays = 7 }: CleanupOptions): Promise<CleanupReport> {
    const now = this.#now();
    const { oauth_token_deprecation_date: deprecationDate } = await this.#options.flags.read();
    if (deprecationDate === null) {
      throw new CleanupRefusedError("oauth_token_deprecation_date is not set: legacy tokens are still in use, nothing may be revoked.");
    }
    if (now < deprecationDate) {
      throw new CleanupRefusedError(
        `Legacy tokens are served until ${deprecationDate.toISOString()} (oauth_token_deprecation_date); cleanup may run only after it.`,
      );
    }
    if (!dryRun && confirm !== CLEANUP_CONFIRMATION) {
      throw new CleanupRefusedError(`Revoking legacy grants needs the confirmation "${CLEANUP_CONFIRMATION}".`);
    }
    const revoke = this.#options.revokeLegacyGrant;
    if (!dryRun && revoke === null) {
      throw new MigrationNotConfiguredError("LEGACY_OAUTH_CLIENT_ID and LEGACY_OAUTH_CLIENT_SECRET are needed to revoke legacy grants.");
    }
    if (!dryRun) await this.#options.credentialsGood?.();
    const validatedSince = new Date(now.getTime() - validatedWithinDays * 86_400_000);
    const report: CleanupReport = {
      dry_run: dryRun,
      requested_by: actor,
      deprecation_date: deprecationDate.toISOString(),
      validated_since: validatedSince.toISOString(),
      cleaned: [],
      cleaned_count: 0,
      revoked_count: 0,
      already_dead_count: 0,
      not_cleaned: [],
      not_cleaned_count: 0,
      failed: [],
      failed_count: 0,
      stopped: null,
    };
    for await (const user of this.#usersWithLegacyTokens()) {
      const refusal = whyNotEligible(user, validatedSince);
      if (refusal) {
        record(report, "not_cleaned", user, { reason: refusal });
      } else if (dryRun) {
        record(report, "cleaned", user, { outcome: "would_revoke" });
      } else {
        await this.#clean(user, validatedSince, revoke!, report);
        if (report.stopped) break;
      }
    }
    return report;
  }

  /**
   * Re-checks on the locked row, revokes at GitHub, then drops the token in the same transaction —
   * only when GitHub's answer confirmed the grant is gone; any other answer keeps the token.
   */
  async #clean(user: UserRow, validatedSince: Date, revoke: (token: string) => Promise<DeleteOutcome>, report: CleanupReport): Promise<void> {
    const { models, tokenStore } = this.#options;
    try {
      await models.sequelize.transaction(async (transaction: Transaction) => {
        const row = await models.User.findByPk(user.id, { transaction, lock: transaction.LOCK.UPDATE });
        const legacy = row ? tokenStore.readLegacyToken(row) : null;
        if (!row || !legacy) {
          record(report, "not_cleaned", user, { reason: "the legacy token was removed meanwhile" });
          return;
        }
        const refusal = whyNotEligible(row, validatedSince);
        if (refusal) {
          record(report, "not_cleaned", row, { reason: refusal });
          return;
        }
        const outcome = await revoke(legacy.accessToken);
        await tokenStore.wipeLegacyToken(row, transaction);
        await row.update({ legacyTokenValid: false, legacyTokenCheckedAt: this.#now() }, { transaction });
        record(report, "cleaned", row, { outcome });
        report[outcome === "revoked" ? "revoked_count" : "already_dead_count"] += 1;
      });
    } catch (error) {
      record(report, "failed", user, { reason: (error as Error).message });
      if (error instanceof ClientCredentialsError) report.stopped = error.message;
    }
  }

  async *#usersWithLegacyTokens(): AsyncIterable<UserRow> {
    let afterId = 0;
    for (;;) {
      const page = await this.#options.models.User.findAll({
        where: { id: { [Op.gt]: afterId }, providerInfo: { access_token: { [Op.ne]: null } } },
        order: [["id", "ASC"]],
        limit: PAGE_SIZE,
      });
      yield* page;
      if (page.length < PAGE_SIZE) return;
      afterId = page[page.length - 1]!.id;
    }
  }

  #now(): Date {
    return (this.#options.now ?? (() => new Date()))();
  }
}

function whyNotEligible(user: UserRow, validatedSince: Date): string | null {
  if (user.tokenMigrationStatus !== "migrated") return `status is ${user.tokenMigrationStatus}, not migrated`;
  if (user.lastValidatedAt === null || user.lastValidatedAt === undefined) return "the App token was never validated";
  if (user.lastValidatedAt < validatedSince) return `the App token was last validated ${user.lastValidatedAt.toISOString()}, too long ago`;
  const result = user.lastValidationResult as { ok?: boolean } | null;
  if (result?.ok !== true) return "the last validation failed";
  return null;
}

function record(
  report: CleanupReport,
  list: "cleaned" | "not_cleaned" | "failed",
  user: UserRow,
  detail: Pick<CleanupEntry, "outcome" | "reason">,
): void {
  report[`${list}_count`] += 1;
  if (report[list].length < MAX_LISTED) report[list].push({ github_id: user.githubId, login: user.login, ...detail });
}
