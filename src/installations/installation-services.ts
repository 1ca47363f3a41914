// Builds the services that keep installation and grant state current: the installation service,
// reconciliation against GitHub, and grant revocation.
import type { Logger } from "pino";
import type { Models } from "../db/models/index.js";
import type { GitHubAppApi } from "../github/app-api.js";
import type { TokenStore } from "../tokens/token-store.js";
import { GrantRevocations } from "./grant-revocation.js";
import { InstallationService } from "./installation-service.js";
import { InstallationReconciliation } from "./reconciliation.js";

export interface InstallationServices {
  installations: InstallationService;
  installationReconciliation: InstallationReconciliation;
  grantRevocations: GrantRevocations;
}

export function createInstallationServices({
  models,
  githubApp,
  tokenStore,
  log,
}: {
  models: Models;
  githubApp: GitHubAppApi;
  tokenStore: TokenStore;
  log: Logger;
}): InstallationServices {
  const installations = new InstallationService({ models });
  return {
    installations,
    installationReconciliation: new InstallationReconciliation({ models, installations, github: githubApp, log }),
    grantRevocations: new GrantRevocations({ models, tokenStore, log }),
  };
}
