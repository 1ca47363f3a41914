// GET /admin/installations: where the GitHub App is installed, a page of installations at a time
// in id order (keyset: ?after= the last id shown).
import { html } from "hono/html";
import type { InstallationSummary } from "../../installations/installation-service.js";
import { timestamp, type Markup } from "../pages/layout.js";
import type { SignedInMaintainer } from "./dashboard-access.js";
import { consolePage } from "./console-layout.js";

interface InstallationsPageOptions {
  installations: InstallationSummary[];
  /** The id to continue after, when there are more. */
  nextAfter: number | null;
  /** Whether this is a later page (a link back to the first is offered). */
  continued: boolean;
  maintainer: SignedInMaintainer;
  notice: string | null;
}

export function installationsPage({ installations, nextAfter, continued, maintainer, notice }: InstallationsPageOptions): Markup {
  return consolePage({
    title: "Installations",
    section: "installations",
    maintainer,
    notice,
    body: html`<section aria-labelledby="installations-heading">
        <h2 id="installations-heading">Where the App is installed</h2>
        ${installations.length === 0
          ? html`<p>${continued ? "No more installations." : "The GitHub App is not installed anywhere we know of."}</p>`
          : html`<table id="installations-table" class="stack">
          <caption>Installations by id${continued ? ", continued" : ""}</caption>
          <thead><tr><th scope="col">Account</th><th scope="col">Type</th><th scope="col">Repositories</th><th scope="col">State</th></tr></thead>
          <tbody>${installations.map(
            (installation) => html`<tr>
              <th scope="row">${installation.account.login} <span class="muted">(installation ${installation.id})</span></th>
              <td data-label="Type">${installation.account.type}</td>
              <td data-label="Repositories">${installation.repositorySelection === "all" ? "all" : `${installation.repositoriesCount} selected`}</td>
              <td data-label="State">${installation.suspendedAt ? `suspended ${timestamp(installation.suspendedAt)}` : "active"}</td>
            </tr>`,
          )}</tbody>
        </table>`}
        ${nextAfter !== null || continued
          ? html`<nav aria-label="Installation pages" class="pages">
          ${continued ? html`<a href="/admin/installations">First page</a>` : ""}
          ${nextAfter !== null ? html`<a href="/admin/installations?after=${nextAfter}" rel="next">Next page</a>` : ""}
        </nav>`
          : ""}
      </section>`,
  });
}
