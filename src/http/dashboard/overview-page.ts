// GET /admin: the migration at a glance, readable without JavaScript or styles: progress per status,
// the batches running now, who needs attention, the trends (charts drawn on the server), the latest
// events and the last hour's refresh and fallback figures (every instance's). Everything else has its
// own page (console-layout.ts lists them).
import { html } from "hono/html";
import { MIGRATION_STATUSES, type MigrationStatus } from "../../db/models/index.js";
import type { AttentionUser, DashboardSnapshot } from "../../migration/dashboard-figures.js";
import { ATTENTION_STATUSES } from "../../migration/dashboard-figures.js";
import { FALLBACK_REASONS } from "../../tokens/resolution.js";
import { csrfField, timestamp, type Markup } from "../pages/layout.js";
import { batchesTable, reloadWhileRunning } from "./batches-page.js";
import type { SignedInMaintainer } from "./dashboard-access.js";
import { consolePage } from "./console-layout.js";

interface OverviewPageOptions {
  snapshot: DashboardSnapshot;
  maintainer: SignedInMaintainer;
  notice: string | null;
  /** The trends section (users per status per day, the hourly figures; trends-section.ts). */
  trends: Markup;
}

export function overviewPage({ snapshot, maintainer, notice, trends }: OverviewPageOptions): Markup {
  const running = snapshot.overview.recent_batches.filter((batch) => batch.state === "running" || batch.state === "paused");
  return consolePage({
    title: "Migration dashboard",
    section: "overview",
    maintainer,
    notice,
    refreshSeconds: reloadWhileRunning(running),
    // What may need acting on first (running batches, users waiting), then the curves, then the log.
    body: html`${progressSection(snapshot)}
      <section aria-labelledby="running-batches-heading">
        <h2 id="running-batches-heading">Running batches</h2>
        ${running.length === 0
          ? html`<p>No batch is running. <a href="/admin/batches">Batches</a> lists the latest and starts one.</p>`
          : batchesTable(running, "Batches running now")}
      </section>
      ${attentionSection(snapshot, maintainer.csrfToken)}
      ${trends}
      <div class="grid">
        ${eventsSection(snapshot)}
        ${figuresSection(snapshot)}
      </div>`,
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
              <th scope="row"><a href="/admin/users?status=${status}">${status}</a></th>
              <td data-label="Users" class="number">${count}</td>
              <td data-label="Share"><progress class="status-${status}" max="${Math.max(total, 1)}" value="${count}" aria-label="${status}: ${share}%">${share}%</progress> ${share}%</td>
            </tr>`;
}

function users(count: number): string {
  return `${count} user${count === 1 ? "" : "s"}`;
}

function attentionSection({ attention, overview }: DashboardSnapshot, csrfToken: string): Markup {
  return html`<section aria-labelledby="attention-heading">
        <h2 id="attention-heading">Users needing attention</h2>
        <ul class="counts" id="attention-counts">${ATTENTION_STATUSES.map(
          (status) => html`<li><a href="/admin/users?status=${status}">${status}</a>: <strong>${overview.by_status[status]}</strong></li>`,
        )}</ul>
        ${attention.length === 0
          ? html`<p>Nobody: no user is waiting for consent, re-authorization or help.</p>`
          : html`<table id="attention-table" class="stack">
          <caption>The latest ${attention.length} to change, latest first (each status's link lists them all)</caption>
          <thead><tr><th scope="col">User</th><th scope="col">Status</th><th scope="col">Last event</th><th scope="col">Actions</th></tr></thead>
          <tbody>${attention.map((user) => attentionRow(user, csrfToken))}</tbody>
        </table>`}
      </section>`;
}

/** Each row's buttons lead to the confirmation page (no confirm field), which says what will happen. */
function attentionRow(user: AttentionUser, csrfToken: string): Markup {
  const detail = user.lastRefreshError ?? user.migrationError;
  return html`<tr data-login="${user.login}">
            <th scope="row"><a href="/admin/users/${user.githubId}">${user.login}</a> <span class="muted">(${user.githubId})</span></th>
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
              <th scope="row"><a href="/admin/users/${event.githubId}">${event.login}</a></th>
              <td data-label="Change">${event.from ?? "—"} → ${event.to}<br><span class="muted">${event.reason}${event.batchId ? ` (batch #${event.batchId})` : ""}</span></td>
              <td data-label="By">${event.actor}</td>
            </tr>`,
          )}</tbody>
        </table>`}
      </section>`;
}

function figuresSection({ lastHour, overview, usersOnLegacyTokenOnly }: DashboardSnapshot): Markup {
  const { this_hour: thisHour, last_24_hours: lastDay } = overview.oauth_fallbacks;
  const reasons = FALLBACK_REASONS.filter((reason) => lastDay.by_reason[reason] > 0);
  return html`<section aria-labelledby="figures-heading">
        <h2 id="figures-heading">Refreshes and fallbacks</h2>
        <h3>Last hour (all instances, since ${timestamp(lastHour.since)})</h3>
        <dl class="figures" id="last-hour">
          <dt>Users whose App token was issued or refreshed</dt><dd>${lastHour.tokensRenewed}</dd>
          <dt>Users newly migrated</dt><dd>${lastHour.newlyMigrated}</dd>
          <dt>Refreshes failing for now (backing off)</dt><dd>${lastHour.refreshesBackingOff}</dd>
          <dt>Refreshes failed for good (now reauth_required)</dt><dd>${lastHour.terminalRefreshFailures}</dd>
          ${Object.entries(lastHour.refreshFailuresByClass).map(
            ([failureClass, count]) => html`<dt>Refresh failures classed <a href="/admin/users?failure=${failureClass}"><code>${failureClass}</code></a></dt><dd>${count}</dd>`,
          )}
          <dt>Users not served now: a refresh may have rotated their token unseen (in doubt)</dt><dd>${lastHour.usersInDoubtNow}</dd>
        </dl>
        <h3>Legacy OAuth fallback (all instances)</h3>
        <dl class="figures" id="fallbacks">
          <dt>Users with a legacy token and no App token</dt><dd>${usersOnLegacyTokenOnly}</dd>
          <dt>Fallbacks served since ${timestamp(thisHour.since)}</dt><dd>${thisHour.total}</dd>
          <dt>Fallbacks served in the last 24 hours</dt><dd>${lastDay.total}</dd>
          ${reasons.map((reason) => html`<dt>… of which ${reason.replaceAll("_", " ")}</dt><dd>${lastDay.by_reason[reason]}</dd>`)}
        </dl>
      </section>`;
}
