// Shared by the webhook integration tests: a clean slate between cases, a fixture loader, and a look
// at what the database now says about an installation.
import { readFileSync } from "node:fs";
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
