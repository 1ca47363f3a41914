// GET /admin: the migration at a glance, readable without JavaScript or styles: progress per status,
// batches, users needing attention, recent events, the last hour's refresh figures, flags with their
// history, installations, and the forms of the maintainers' actions.
import { html } from "hono/html";
import { MIGRATION_STATUSES, type MigrationStatus } from "../../db/models/index.js";
import type { BatchView } from "../../migration/batches.js";
import type { AttentionUser, DashboardSnapshot } from "../../migration/dashboard-figures.js";
import { FLAG_NAMES, type FlagChange, type FlagState } from "../../users/flags.js";
import { csrfField, layout, postButton, timestamp, type Markup } from "../pages/layout.js";
import { USER_ACTIONS } from "./dashboard-forms.js";
import type { SignedInMaintainer } from "./dashboard-access.js";
import { readinessSection, type ReadinessView } from "./readiness-section.js";

/** How often the page reloads itself while a batch runs. */
const RUNNING_BATCH_REFRESH_SECONDS = 3;

/** Outcome keys of a batch that mean one user was dealt with (the rest are sub-counts). */
const PROCESSED_KEYS = ["migrated", "consent_required", "failed", "deferred", "skipped", "errors"];

export function dashboardPage({
  snapshot,
  maintainer,
  notice,
  readiness,
}: {
  snapshot: DashboardSnapshot;
  maintainer: SignedInMaintainer;
  notice: string | null;
  readiness?: ReadinessView;
}): Markup {
  const running = snapshot.overview.recent_batches.some((batch) => batch.state === "running" && !batch.stale);
  return layout({
    title: "Migration dashboard",
    width: "wide",
    refreshSeconds: running ? RUNNING_BATCH_REFRESH_SECONDS : undefined,
    body: html`<p>Signed in as <strong id="maintainer">${maintainer.login}</strong> (maintainer).
        ${running ? html`<span class="muted">A batch is running; this page reloads every ${RUNNING_BATCH_REFRESH_SECONDS} seconds.</span>` : ""}</p>
      ${notice ? html`<p role="status" id="notice">${notice}</p>` : ""}
      ${progressSection(snapshot)}
      ${batchesSection(snapshot.overview.recent_batches, maintainer.csrfToken)}
      ${readiness ? readinessSection(readiness, maintainer.csrfToken) : ""}
      ${attentionSection(snapshot.attention, maintainer.csrfToken)}
      <div class="grid">
        ${eventsSection(snapshot)}
        ${figuresSection(snapshot)}
      </div>
      ${flagsSection(snapshot.overview.flags, snapshot.flagHistory, maintainer.csrfToken)}
      ${installationsSection(snapshot)}
      ${postButton({ action: "/auth/logout", label: "Sign out", csrfToken: maintainer.csrfToken })}`,
  });
}

function progressSection({ overview }: DashboardSnapshot): Markup {
  const total = overview.total_users;
  return html`<section aria-labelledby="progress-heading">
        <h2 id="progress-heading">Progress</h2>
        <p class="headline"><strong id="percent-migrated">${overview.percent_migrated}%</strong> of ${users(total)} migrated</p>
        <table id="status-table" class="stack">
          <caption>Users by migration status</caption>
          <thead><tr><th scope="col">Status</th><th scope="col" class="number">Users</th><th scope="col">Share</th></tr></thead>
          <tbody>
            ${MIGRATION_STATUSES.map((status) => statusRow(status, overview.by_status[status], total))}
          </tbody>
        </table>
      </section>`;
}

function statusRow(status: MigrationStatus, count: number, total: number): Markup {
  const share = total === 0 ? 0 : Math.round((count / total) * 1000) / 10;
  return html`<tr data-status="${status}">
              <th scope="row">${status}</th>
              <td data-label="Users" class="number">${count}</td>
              <td data-label="Share"><progress class="status-${status}" max="${Math.max(total, 1)}" value="${count}" aria-label="${status}: ${share}%">${share}%</progress> ${share}%</td>
            </tr>`;
}

function batchesSection(batches: BatchView[], csrfToken: string): Markup {
  return html`<section aria-labelledby="batches-heading">
        <h2 id="batches-heading">Batches</h2>
        ${batches.length === 0
          ? html`<p>No batch has run yet.</p>`
          : html`<table id="batches-table" class="stack">
          <caption>Latest batches, newest first</caption>
          <thead><tr><th scope="col">Batch</th><th scope="col">Requested by</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col">Outcomes</th><th scope="col">Started</th><th scope="col">Finished</th></tr></thead>
          <tbody>${batches.map(batchRow)}</tbody>
        </table>`}
        <h3 id="start-batch-heading">Start a batch</h3>
        <form method="post" action="/admin/batches" class="action" aria-labelledby="start-batch-heading">
          ${csrfField(csrfToken)}
          <p><label for="batch-size">Users to take</label><br>
            <input type="number" id="batch-size" name="size" min="1" max="10000" inputmode="numeric" aria-describedby="batch-size-help">
            <br><span id="batch-size-help" class="muted">Empty: the user_migration_batch_size flag.</span></p>
          <p><input type="checkbox" id="batch-dry-run" name="dry_run" value="yes"> <label class="check" for="batch-dry-run">Dry run (count only, change nothing)</label></p>
          <p><input type="checkbox" id="batch-confirm" name="confirm" value="yes" required> <label class="check" for="batch-confirm">I confirm starting this batch</label></p>
          <p><button type="submit">Start batch</button></p>
        </form>
      </section>`;
}

function batchRow(batch: BatchView): Markup {
  const processed = batch.dryRun
    ? (batch.counts.candidates ?? 0)
    : PROCESSED_KEYS.reduce((sum, key) => sum + (batch.counts[key] ?? 0), 0);
  const max = batch.state === "running" ? Math.max(batch.size, 1) : Math.max(processed, 1);
  const value = batch.state === "running" ? processed : max;
  // A finished batch took everyone it could find, which may be fewer than its size.
  const progressText = batch.state === "running" ? `${processed} of ${users(batch.size)}` : users(processed);
  const state = batch.stale ? "running (no heartbeat: its instance may have stopped)" : batch.state.replaceAll("_", " ");
  return html`<tr id="batch-${batch.id}" data-state="${batch.state}">
            <th scope="row">#${batch.id}${batch.dryRun ? " (dry run)" : ""}</th>
            <td data-label="Requested by">${batch.requestedBy}</td>
            <td data-label="State" class="state-${batch.state}">${state}${batch.error ? html`<br><span class="muted">${batch.error}</span>` : ""}</td>
            <td data-label="Progress"><progress max="${max}" value="${value}" aria-label="Batch ${batch.id}: ${progressText}">${progressText}</progress> ${progressText}</td>
            <td data-label="Outcomes">${outcomes(batch.counts)}${userErrors(batch)}</td>
            <td data-label="Started">${timestamp(batch.startedAt)}</td>
            <td data-label="Finished">${batch.finishedAt ? timestamp(batch.finishedAt) : "—"}</td>
          </tr>`;
}

function users(count: number): string {
  return `${count} user${count === 1 ? "" : "s"}`;
}

/** Who hit an unexpected error in this batch, and why: they stay pending for a later batch. */
function userErrors(batch: BatchView): Markup | string {
  if (batch.userErrors.length === 0) return "";
  return html`<ul class="user-errors" aria-label="Users batch ${batch.id} could not process">
              ${batch.userErrors.map((failure) => html`<li>${failure.login} <span class="muted">(${failure.github_id})</span>: ${failure.error}</li>`)}
            </ul>`;
}

function outcomes(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([, count]) => count > 0);
  return entries.length === 0 ? "—" : entries.map(([key, count]) => `${key.replaceAll("_", " ")}: ${count}`).join(", ");
}

function attentionSection(users: AttentionUser[], csrfToken: string): Markup {
  return html`<section aria-labelledby="attention-heading">
        <h2 id="attention-heading">Users needing attention</h2>
        ${users.length === 0
          ? html`<p>Nobody: no user is waiting for consent, re-authorization or help.</p>`
          : html`<table id="attention-table" class="stack">
          <caption>Users in consent_required, reauth_required, revoked or failed, latest change first</caption>
          <thead><tr><th scope="col">User</th><th scope="col">Status</th><th scope="col">Last event</th><th scope="col">Actions</th></tr></thead>
          <tbody>${users.map((user) => attentionRow(user, csrfToken))}</tbody>
        </table>`}
        <h3 id="user-action-heading">Act on a user</h3>
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

/** Each row's buttons lead to the confirmation page (no confirm field), which says what will happen. */
function attentionRow(user: AttentionUser, csrfToken: string): Markup {
  const detail = user.lastRefreshError ?? user.migrationError;
  return html`<tr data-login="${user.login}">
            <th scope="row">${user.login} <span class="muted">(${user.githubId})</span></th>
            <td data-label="Status">${user.status}</td>
            <td data-label="Last event">${user.lastEvent
              ? html`${user.lastEvent.reason} <span class="muted">— ${user.lastEvent.actor}, ${timestamp(user.lastEvent.at)}</span>`
              : "—"}${detail ? html`<br><span class="muted">${detail}</span>` : ""}${user.refreshFailureClass
              ? html`<br><span class="muted">refresh failure class: <code>${user.refreshFailureClass}</code></span>`
              : ""}</td>
            <td data-label="Actions">${["validate", "rollback"].map(
              (action) => html`<form method="post" action="/admin/users" class="inline">
                ${csrfField(csrfToken)}<input type="hidden" name="login" value="${user.login}"><input type="hidden" name="action" value="${action}">
                <button type="submit" class="secondary" aria-label="${action === "validate" ? "Validate" : "Roll back"} ${user.login}">${action === "validate" ? "Validate…" : "Roll back…"}</button>
              </form>`,
            )}</td>
          </tr>`;
}

function eventsSection({ recentEvents }: DashboardSnapshot): Markup {
  return html`<section aria-labelledby="events-heading">
        <h2 id="events-heading">Recent events</h2>
        ${recentEvents.length === 0
          ? html`<p>No status change yet.</p>`
          : html`<table id="events-table" class="stack">
          <caption>Latest status changes, newest first</caption>
          <thead><tr><th scope="col">When</th><th scope="col">User</th><th scope="col">Change</th><th scope="col">By</th></tr></thead>
          <tbody>${recentEvents.map(
            (event) => html`<tr>
              <td data-label="When">${timestamp(event.at)}</td>
              <th scope="row">${event.login}</th>
              <td data-label="Change">${event.from ?? "—"} → ${event.to}<br><span class="muted">${event.reason}${event.batchId ? ` (batch #${event.batchId})` : ""}</span></td>
              <td data-label="By">${event.actor}</td>
            </tr>`,
          )}</tbody>
        </table>`}
      </section>`;
}

function figuresSection({ lastHour, overview, usersOnLegacyTokenOnly }: DashboardSnapshot): Markup {
  const fallbacks = Object.entries(overview.oauth_fallbacks_this_instance);
  return html`<section aria-labelledby="figures-heading">
        <h2 id="figures-heading">Refreshes and fallbacks</h2>
        <h3>Last hour (all instances, since ${timestamp(lastHour.since)})</h3>
        <dl class="figures" id="last-hour">
          <dt>Users whose App token was issued or refreshed</dt><dd>${lastHour.tokensRenewed}</dd>
          <dt>Users newly migrated</dt><dd>${lastHour.newlyMigrated}</dd>
          <dt>Refreshes failing for now (backing off)</dt><dd>${lastHour.refreshesBackingOff}</dd>
          <dt>Refreshes failed for good (now reauth_required)</dt><dd>${lastHour.terminalRefreshFailures}</dd>
          ${Object.entries(lastHour.refreshFailuresByClass).map(
            ([failureClass, count]) => html`<dt>Refresh failures classed <code>${failureClass}</code></dt><dd>${count}</dd>`,
          )}
          <dt>Users not served now: a refresh may have rotated their token unseen (in doubt)</dt><dd>${lastHour.usersInDoubtNow}</dd>
        </dl>
        <h3>Legacy OAuth fallback</h3>
        <dl class="figures" id="fallbacks">
          <dt>Users with a legacy token and no App token</dt><dd>${usersOnLegacyTokenOnly}</dd>
          ${fallbacks.length === 0
            ? html`<dt>Fallbacks served by this instance since it started</dt><dd>0</dd>`
            : fallbacks.map(([reason, count]) => html`<dt>Fallbacks served by this instance since it started (${reason.replaceAll("_", " ")})</dt><dd>${count}</dd>`)}
        </dl>
        <p class="muted">Fallbacks per hour across instances: <code>increase(token_oauth_fallbacks_total[1h])</code> on /metrics.</p>
      </section>`;
}

function flagsSection(flags: FlagState[], history: FlagChange[], csrfToken: string): Markup {
  return html`<section aria-labelledby="flags-heading">
        <h2 id="flags-heading">Flags</h2>
        <table id="flags-table" class="stack">
          <caption>Effective values (a value set here wins over the environment default)</caption>
          <thead><tr><th scope="col">Flag</th><th scope="col">Value</th><th scope="col">Source</th><th scope="col">What it does</th></tr></thead>
          <tbody>${flags.map(
            (flag) => html`<tr data-flag="${flag.name}">
              <th scope="row"><code>${flag.name}</code></th>
              <td data-label="Value"><code>${JSON.stringify(flag.value)}</code></td>
              <td data-label="Source">${flag.source === "database" && flag.updatedBy && flag.updatedAt ? `set by ${flag.updatedBy}, ${timestamp(flag.updatedAt)}` : "environment default"}</td>
              <td data-label="What it does">${flag.description}</td>
            </tr>`,
          )}</tbody>
        </table>
        <h3 id="flag-change-heading">Change a flag</h3>
        <form method="post" action="/admin/flags" class="action" aria-labelledby="flag-change-heading">
          ${csrfField(csrfToken)}
          <p><label for="flag-name">Flag</label><br>
            <select id="flag-name" name="name">${FLAG_NAMES.map((name) => html`<option value="${name}">${name}</option>`)}</select></p>
          <p><label for="flag-value">New value</label><br><input type="text" id="flag-value" name="value" required aria-describedby="flag-value-help" spellcheck="false">
            <br><span id="flag-value-help" class="muted">true/false, a number, logins separated by commas, or a date (null for never).</span></p>
          <p><button type="submit">Preview the change…</button>
            <br><span class="muted">The next page shows who it would affect before you confirm.</span></p>
        </form>
        <h3>History</h3>
        ${history.length === 0
          ? html`<p>No flag has been changed at runtime.</p>`
          : html`<table id="flag-history-table" class="stack">
          <caption>Flag changes, newest first</caption>
          <thead><tr><th scope="col">When</th><th scope="col">Flag</th><th scope="col">From</th><th scope="col">To</th><th scope="col">By</th></tr></thead>
          <tbody>${history.map(
            (change) => html`<tr>
              <td data-label="When">${timestamp(change.changedAt)}</td>
              <th scope="row"><code>${change.name}</code></th>
              <td data-label="From"><code>${JSON.stringify(change.oldValue)}</code></td>
              <td data-label="To"><code>${JSON.stringify(change.newValue)}</code></td>
              <td data-label="By">${change.changedBy}</td>
            </tr>`,
          )}</tbody>
        </table>`}
      </section>`;
}

function installationsSection({ installations }: DashboardSnapshot): Markup {
  return html`<section aria-labelledby="installations-heading">
        <h2 id="installations-heading">Installations</h2>
        ${installations.length === 0
          ? html`<p>The GitHub App is not installed anywhere we know of.</p>`
          : html`<table id="installations-table" class="stack">
          <caption>Where the GitHub App is installed</caption>
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
      </section>`;
}
