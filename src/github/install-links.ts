// GitHub's install link for the App on one account: the page that installs it there (or, when it is
// installed already, lets the account's admin change which repositories it reaches).
import type { GitHubEndpoints } from "../config.js";

export function appInstallUrl(github: Pick<GitHubEndpoints, "webBaseUrl">, slug: string, accountId: number): string {
  return `${github.webBaseUrl}/apps/${encodeURIComponent(slug)}/installations/new/permissions?suggested_target_id=${accountId}`;
}
