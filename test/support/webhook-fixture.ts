// Shared by the webhook integration tests: a clean slate between cases, users holding tokens, a
// fixture loader, and a look at what the database now says about an installation.
import { readFileSync } from "node:fs";
import type { MigrationStatus, UserRow } from "../../src/db/models/index.js";
import type { Services } from "../../src/services.js";

const FIXTURES = new URL("../fixtures/webhooks/", import.meta.url);

/** One of our own payload fixtures (for events @octokit/webhooks-examples lacks). */
export function webhookFixture(name: string): Record<string, unknown> & { action: string } {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8")) as Record<string, unknown> & { action: string };
}

export async function resetWebhookState({ models }: Pick<Services, "models">): Promise<void> {
  await models.sequelize.query(
    "TRUNCATE installations, installation_repositories, user_installations, webhook_deliveries, notifications, migration_events, users CASCADE",
  );
}

/** A user holding an App token pair and a legacy OAuth token, in the given status. */
export async function seedUserWithTokens(
  { models, tokenStore }: Pick<Services, "models" | "tokenStore">,
  { githubId, login, status = "migrated" }: { githubId: number; login: string; status?: MigrationStatus },
): Promise<UserRow> {
  return models.sequelize.transaction(async (transaction) => {
    const user = await models.User.create({ githubId, login, tokenMigrationStatus: status }, { transaction });
    await tokenStore.saveAppTokens(
      user,
      {
        accessToken: `ghu_${githubId}access`,
        accessTokenExpiresAt: new Date(Date.now() + 8 * 3_600_000),
        refreshToken: `ghr_${githubId}refresh`,
        refreshTokenExpiresAt: new Date(Date.now() + 180 * 86_400_000),
      },
      transaction,
    );
    await tokenStore.saveLegacyToken(user, { accessToken: `gho_${githubId}legacy`, refreshToken: null, expiresAt: null }, transaction);
    return user;
  });
}

/** The installation as stored, with its repository ids and linked users' GitHub ids. */
export async function storedInstallation({ models }: Pick<Services, "models">, id: number) {
  const row = await models.Installation.findByPk(id);
  if (!row) return null;
  const repositories = await models.InstallationRepository.findAll({ where: { installationId: id }, order: [["repositoryId", "ASC"]] });
  const links = await models.UserInstallation.findAll({ where: { installationId: id } });
  const linkedUsers = await models.User.findAll({ where: { id: links.map((link) => link.userId) } });
  return {
    row: row.get({ plain: true }),
    repositoryIds: repositories.map((repository) => repository.repositoryId),
    linkedGithubIds: linkedUsers.map((user) => user.githubId).sort((a, b) => a - b),
  };
}

export async function storedDelivery({ models }: Pick<Services, "models">, deliveryId: string) {
  return (await models.WebhookDelivery.findByPk(deliveryId))?.get({ plain: true }) ?? null;
}
