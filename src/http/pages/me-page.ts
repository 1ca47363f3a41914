// GET /me: which token the application uses for you, when it expires, what it reaches, and the
// buttons to re-authorize, disconnect and sign out.
import { html } from "hono/html";
import type { AccountOverview, TokenInUse } from "../../auth/account-overview.js";
import type { FallbackReason } from "../../tokens/resolution.js";
import { layout, postButton, timestamp, type Markup } from "./layout.js";

export function mePage({ account, csrfToken, notice }: { account: AccountOverview; csrfToken: string; notice: string | null }): Markup {
  return layout({
    title: `Signed in as ${account.login}`,
    body: html`${notice ? html`<p role="status">${notice}</p>` : ""}
      <h2>Token in use</h2>
      <p id="token-in-use">${describeTokenInUse(account.tokenInUse)}</p>
      <h2>What is stored</h2>
      <dl>
        <dt>Migration status</dt><dd id="migration-status">${account.status}</dd>
        <dt>GitHub App user token</dt>
        <dd id="app-token">${account.appToken
          ? html`present, ${expiry(account.appToken.expiresAt)}${account.appToken.refreshTokenExpiresAt
              ? `; renewable until ${timestamp(account.appToken.refreshTokenExpiresAt)}`
              : ""}`
          : "none"}</dd>
        <dt>Legacy OAuth token</dt><dd id="legacy-token">${account.hasLegacyToken ? "present" : "none"}</dd>
      </dl>
      <h2>Installations your App token reaches</h2>
      ${installationsList(account)}
      <h2>Manage</h2>
      <p><a href="/auth/login?purpose=reauthorize">Re-authorize the GitHub App</a></p>
      ${account.appToken
        ? html`<p>Disconnecting revokes the App token at GitHub and deletes it here.</p>
      ${postButton({ action: "/me/disconnect", label: "Disconnect the GitHub App", csrfToken })}`
        : ""}
      ${postButton({ action: "/auth/logout", label: "Sign out", csrfToken })}`,
  });
}

function describeTokenInUse(token: TokenInUse): string {
  switch (token.kind) {
    case "github_app_user":
      return `The application uses your GitHub App user token, which ${expiry(token.expiresAt)}.`;
    case "oauth":
      return `The application still uses your legacy OAuth token, which ${expiry(token.expiresAt)}. ${FALLBACK_EXPLANATIONS[token.fallbackReason]}`;
    case "reauth_required":
      return "The application has no usable token for you: re-authorize the GitHub App below.";
    case "unavailable":
      return `GitHub could not renew your token just now; the application will retry in about ${token.retryAfterSeconds} seconds.`;
  }
}

/** The token API's fallback_reason, in the user's words. */
const FALLBACK_EXPLANATIONS: Record<FallbackReason, string> = {
  app_tokens_disabled: "The move to GitHub App tokens is paused for everyone just now; your GitHub App token, if you have one, stays stored and will be used when it resumes.",
  not_in_rollout: "The move to GitHub App tokens is being rolled out in stages and has not reached your account yet; your GitHub App token, if you have one, will be used as soon as it does.",
  rolled_back: "A maintainer switched your account back to the legacy token for now; your GitHub App token stays stored.",
  no_app_token: "You have not authorized the GitHub App yet: re-authorize below to move to a GitHub App token.",
  app_token_unavailable: "Your GitHub App token could not be renewed just now, so the legacy token stands in; it will be retried.",
};

function installationsList(account: AccountOverview): Markup | string {
  if (account.installations === null) {
    return html`<p>${account.tokenInUse.kind === "github_app_user"
      ? "GitHub did not list them just now; reload the page to try again."
      : "Only a GitHub App user token can list them."}</p>`;
  }
  if (account.installations.length === 0) return html`<p>None yet. Install the GitHub App on your account or organization.</p>`;
  return html`<ul id="installations">
        ${account.installations.map(
          (installation) => html`<li>${installation.account.login} (${installation.account.type}, ${installation.repositorySelection === "all" ? "all repositories" : "selected repositories"})</li>`,
        )}
      </ul>`;
}

/** Tokens without an expiry exist: legacy OAuth tokens, and App tokens with expiration turned off. */
function expiry(date: Date | null): string {
  return date ? `expires at ${timestamp(date)}` : "does not expire";
}
