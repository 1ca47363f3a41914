// GET /admin/users: find anyone among all users — by the start of their login or their GitHub id,
// by status, by refresh failure class — a page at a time by last change (keyset pages: the next
// page's link carries an opaque cursor), and act on a user named by login.
import { html } from "hono/html";
import { MIGRATION_STATUSES, REFRESH_FAILURE_CLASSES } from "../../db/models/index.js";
import type { UserOrder, UserPage } from "../../migration/user-directory.js";
import { csrfField, timestamp, type Markup } from "../pages/layout.js";
import type { UsersPageQuery } from "../../migration/user-search-query.js";
import type { SignedInMaintainer } from "./dashboard-access.js";
import { USER_ACTIONS } from "./dashboard-forms.js";
import { consolePage } from "./console-layout.js";

interface UsersPageOptions {
  query: UsersPageQuery;
  page: UserPage;
  maintainer: SignedInMaintainer;
  notice: string | null;
}

const SORT_LABELS: Record<UserOrder, string> = { id: "Registration order", newest: "Last change, newest first", oldest: "Last change, oldest first" };

export function usersPage({ query, page, maintainer, notice }: UsersPageOptions): Markup {
  const filtered = query.q !== undefined || query.status !== undefined || query.failure !== undefined;
  return consolePage({
    title: "Users",
    section: "users",
    maintainer,
    notice,
    body: html`<section aria-labelledby="find-heading">
        <h2 id="find-heading">Find users</h2>
        <form method="get" action="/admin/users" class="action search" role="search" aria-labelledby="find-heading">
          <p><label for="users-q">Login or GitHub id</label><br>
            <input type="search" id="users-q" name="q" value="${query.q ?? ""}" maxlength="39" autocomplete="off" spellcheck="false" aria-describedby="users-q-help">
            <br><span id="users-q-help" class="muted">The start of a login (any case), or a GitHub id.</span></p>
          <p><label for="users-status">Status</label><br>
            <select id="users-status" name="status">
              <option value="">Any</option>
              ${MIGRATION_STATUSES.map((status) => option(status, status, query.status))}
            </select></p>
          <p><label for="users-failure">Refresh failure</label><br>
            <select id="users-failure" name="failure">
              <option value="">Any</option>
              ${REFRESH_FAILURE_CLASSES.map((failure) => option(failure, failure, query.failure))}
            </select></p>
          <p><label for="users-sort">Order</label><br>
            <select id="users-sort" name="sort">
              ${(["newest", "oldest"] as const).map((sort) => option(sort, SORT_LABELS[sort], query.sort))}
            </select></p>
          <p><button type="submit">Search</button>${filtered ? html` <a href="/admin/users">Clear</a>` : ""}</p>
        </form>
      </section>
      <section aria-labelledby="users-heading">
        <h2 id="users-heading">${filtered ? "Matching users" : "All users"}</h2>
        ${page.users.length === 0
          ? html`<p id="no-users">${query.cursor ? "No more users." : filtered ? "No user matches." : "No user is known here yet."}</p>`
          : html`<table id="users-table" class="stack">
          <caption>${page.users.length} user${page.users.length === 1 ? "" : "s"}${query.cursor ? ", continued" : ""}, ${SORT_LABELS[query.sort].toLowerCase()}</caption>
          <thead><tr><th scope="col">User</th><th scope="col">Status</th><th scope="col">Refresh failure</th><th scope="col">Last change</th></tr></thead>
          <tbody>${page.users.map(
            (user) => html`<tr data-login="${user.login}">
              <th scope="row"><a href="/admin/users/${user.github_id}">${user.login}</a> <span class="muted">(${user.github_id})</span></th>
              <td data-label="Status">${user.status}</td>
              <td data-label="Refresh failure">${user.refresh_failure_class ? html`<code>${user.refresh_failure_class}</code>` : "—"}</td>
              <td data-label="Last change">${timestamp(new Date(user.updated_at))}</td>
            </tr>`,
          )}</tbody>
        </table>`}
        ${pageLinks(query, page)}
      </section>
      ${actOnAUser(maintainer.csrfToken)}`,
  });
}

function option(value: string, label: string, selected: string | undefined): Markup {
  return html`<option value="${value}"${value === selected ? html` selected` : ""}>${label}</option>`;
}

/** Links to the first page (on a later one) and the next (when there is one), keeping the filters. */
function pageLinks(query: UsersPageQuery, page: UserPage): Markup | string {
  if (!query.cursor && !page.next_cursor) return "";
  const link = (cursor: string | null) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ q: query.q, status: query.status, failure: query.failure, sort: query.sort })) {
      if (value) params.set(name, value);
    }
    if (cursor) params.set("cursor", cursor);
    return `/admin/users?${params.toString()}`;
  };
  return html`<nav aria-label="User pages" class="pages">
          ${query.cursor ? html`<a href="${link(null)}">First page</a>` : ""}
          ${page.next_cursor ? html`<a href="${link(page.next_cursor)}" rel="next" id="next-page">Next page</a>` : ""}
        </nav>`;
}

/** Acting by login, for a user one knows without looking them up. */
function actOnAUser(csrfToken: string): Markup {
  return html`<section aria-labelledby="user-action-heading">
        <h2 id="user-action-heading">Act on a user</h2>
        <form method="post" action="/admin/users" class="action" aria-labelledby="user-action-heading">
          ${csrfField(csrfToken)}
          <p><label for="user-login">GitHub login</label><br><input type="text" id="user-login" name="login" required autocomplete="off" spellcheck="false"></p>
          <p><label for="user-action">Action</label><br>
            <select id="user-action" name="action">
              ${USER_ACTIONS.map((action) => html`<option value="${action.name}">${action.label}</option>`)}
            </select></p>
          <p><label for="user-reason">Reason (optional)</label><br><input type="text" id="user-reason" name="reason" maxlength="500"></p>
          <p><input type="checkbox" id="user-confirm" name="confirm" value="yes" required> <label class="check" for="user-confirm">I confirm this action</label></p>
          <p><button type="submit">Apply</button></p>
        </form>
      </section>`;
}
