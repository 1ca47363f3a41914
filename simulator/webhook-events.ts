// Builds the webhooks the simulator sends from GitHub's example payloads, with the example's ids and
// logins replaced by the simulator's own objects, and first applies the change the event reports
// (GitHub sends `installation.deleted` after the installation is gone, and so on).
import { examplePayload } from "./webhook-examples.js";
import { installationBody, nodeId, simpleUserBody, type ShapeContext } from "./response-shapes.js";
import type { OutgoingWebhook } from "./webhook-sender.js";
import type { SimulatorWorld } from "./world.js";
import type { SendWebhookOptions, SimulatorInstallation, SimulatorRepository, SimulatorUser, WebhookEvent } from "./types.js";

interface WebhookEventContext {
  world: SimulatorWorld;
  shapes: ShapeContext;
  now: () => Date;
}

export function prepareWebhook(context: WebhookEventContext, event: WebhookEvent, action: string, options: SendWebhookOptions = {}): OutgoingWebhook {
  if (event === "github_app_authorization") {
    if (action !== "revoked") throw new Error(`Simulator: github_app_authorization has no action "${action}"`);
    const user = context.world.requireUser(options.login ?? "");
    // No `installation` field: the authorization belongs to the user, not to an installation.
    const payload = { ...examplePayload(event, action), sender: userBody(context, user) };
    return { event, action, installationId: null, repositoryId: null, payload };
  }
  const installation = pickInstallation(context.world, options.installationId);
  if (event === "installation_target") return installationTarget(context, installation, action, options);
  const sender = userBody(context, pickSender(context.world, installation, options.login));
  if (event === "installation_repositories") return installationRepositories(context, installation, action, options, sender);
  return installationEvent(context, installation, action, sender);
}

function installationEvent(context: WebhookEventContext, installation: SimulatorInstallation, action: string, sender: object): OutgoingWebhook {
  if (action === "suspend") installation.suspendedAt = context.now().toISOString();
  if (action === "unsuspend") installation.suspendedAt = null;
  const payload = examplePayload("installation", action);
  payload.installation = { ...(payload.installation as object), ...installationBody(context.shapes, installation) };
  if ("repositories" in payload) payload.repositories = installation.repositories.map((repository) => repositoryStub(repository));
  if ("requester" in payload) payload.requester = sender;
  payload.sender = sender;
  if (action === "deleted") context.world.removeInstallation(installation.id);
  return { event: "installation", action, installationId: installation.id, repositoryId: null, payload };
}

function installationRepositories(
  context: WebhookEventContext,
  installation: SimulatorInstallation,
  action: string,
  options: SendWebhookOptions,
  sender: object,
): OutgoingWebhook {
  const payload = examplePayload("installation_repositories", action);
  let added: SimulatorRepository[] = [];
  let removed: SimulatorRepository[] = [];
  if (action === "added") {
    added = context.world.addRepositories(installation, options.repositories ?? [{ name: `repository-${installation.repositories.length + 1}` }]);
  } else {
    const lastRepository = installation.repositories.at(-1);
    removed = context.world.removeRepositories(installation, options.repositories ?? (lastRepository ? [lastRepository] : []));
  }
  Object.assign(payload, {
    installation: { ...(payload.installation as object), ...installationBody(context.shapes, installation) },
    repository_selection: installation.repositorySelection,
    repositories_added: added.map((repository) => repositoryStub(repository)),
    repositories_removed: removed.map((repository) => repositoryStub(repository)),
    requester: null,
    sender,
  });
  return { event: "installation_repositories", action, installationId: installation.id, repositoryId: null, payload };
}

/** Not in the examples package: built from GitHub's documented payload for `installation_target`. */
function installationTarget(context: WebhookEventContext, installation: SimulatorInstallation, action: string, options: SendWebhookOptions): OutgoingWebhook {
  if (action !== "renamed") throw new Error(`Simulator: installation_target has no action "${action}"`);
  const oldLogin = installation.account.login;
  const newLogin = options.login ?? `${oldLogin}-renamed`;
  context.world.renameAccount(installation, newLogin);
  const sender = userBody(context, pickSender(context.world, installation, undefined));
  const payload = {
    action,
    account: {
      ...simpleUserBody(context.shapes, installation.account),
      // An organization account carries the organization fields GitHub sends for it.
      ...(installation.account.type === "Organization" ? { description: null, hooks_url: "", issues_url: "", members_url: "", public_members_url: "" } : {}),
    },
    changes: options.changes ?? { login: { from: oldLogin } },
    installation: { id: installation.id, node_id: nodeId("26:Installation", installation.id) },
    sender,
    target_type: installation.account.type,
  };
  return { event: "installation_target", action, installationId: installation.id, repositoryId: null, payload };
}

function pickInstallation(world: SimulatorWorld, installationId: number | undefined): SimulatorInstallation {
  if (installationId !== undefined) return world.requireInstallation(installationId);
  const first = world.allInstallations()[0];
  if (!first) throw new Error("Simulator: no installation to send a webhook about (add one with addInstallation)");
  return first;
}

/** The user who acted: the one named, else one who can reach the installation, else its account. */
function pickSender(world: SimulatorWorld, installation: SimulatorInstallation, login: string | undefined): SimulatorUser | SimulatorInstallation["account"] {
  if (login) return world.requireUser(login);
  const reachingUser = installation.userLogins.map((candidate) => world.user(candidate)).find((user) => user !== undefined);
  return reachingUser ?? installation.account;
}

function userBody(context: WebhookEventContext, account: SimulatorUser | SimulatorInstallation["account"]) {
  return simpleUserBody(context.shapes, { id: account.id, login: account.login, type: account.type });
}

function repositoryStub(repository: SimulatorRepository) {
  return {
    id: repository.id,
    node_id: nodeId("10:Repository", repository.id),
    name: repository.name,
    full_name: repository.fullName,
    private: repository.private,
  };
}
