// GET /admin/readiness: the last readiness scan's progress, how many users keep every repository and
// how many would lose some, the accounts missing the App with GitHub's install links, the users
// whose rate limit would drop, and the rollout guard's state with its window's figures.
import { html } from "hono/html";
import type { GuardState } from "../../migration/rollout-guard.js";
import type { RateLimitDrop, ReadinessSummary } from "../../migration/readiness-report.js";
import { csrfField, timestamp, type Markup } from "../pages/layout.js";
import type { SignedInMaintainer } from "./dashboard-access.js";
import { consolePage } from "./console-layout.js";

export interface ReadinessView {
  summary: ReadinessSummary;
  drops: { users: number; drops: RateLimitDrop[] };
  guard: GuardState;
}

/** Rows shown per table; the admin API lists the rest. */
const ROWS_SHOWN = 20;

export function readinessPage({ view, maintainer, notice }: { view: ReadinessView; maintainer: SignedInMaintainer; notice: string | null }): Markup {
  return consolePage({ title: "Readiness", section: "readiness", maintainer, notice, body: readinessSection(view, maintainer.csrfToken) });
}

function readinessSection({ summary, drops, guard }: ReadinessView, csrfToken: string): Markup {
  const { scan } = summary;
  return html`<section aria-labelledby="readiness-heading" id="readiness">
        <h2 id="readiness-heading">Who is ready to switch</h2>
        <p class="headline"><strong id="users-losing-access">${summary.users_losing_access}</strong> of ${summary.users_checked} checked users would lose access to some repository
          <span class="muted">(${summary.users_fully_covered} keep everything)</span></p>
        <p id="readiness-scan">Scan: ${scan.state === "idle"
          ? "none yet"
          : html`${scan.state}, <progress max="${Math.max(scan.total, 1)}" value="${scan.done}" aria-label="Readiness scan: ${scan.done} of ${scan.total} users">${scan.done} of ${scan.total}</progress> ${scan.done} of ${scan.total} users checked`}</p>
        <form method="post" action="/admin/readiness" class="action">
          ${csrfField(csrfToken)}
          <p><button type="submit" class="secondary"${scan.state === "running" ? " disabled" : ""}>Check users not checked in the last day</button></p>
        </form>
        <h3>Accounts missing the App</h3>
        ${summary.accounts_missing_installation.length === 0
          ? html`<p>None: every repository checked users read is reached by an installation.</p>`
          : html`<table id="missing-accounts-table" class="stack">
          <caption>Where users read repositories the App cannot reach, most users first</caption>
          <thead><tr><th scope="col">Account</th><th scope="col" class="number">Users</th><th scope="col" class="number">Repositories</th><th scope="col">Install</th></tr></thead>
          <tbody>${summary.accounts_missing_installation.slice(0, ROWS_SHOWN).map(
            (account) => html`<tr>
              <th scope="row">${account.account}</th>
              <td data-label="Users" class="number">${account.users}</td>
              <td data-label="Repositories" class="number">${account.repositories}</td>
              <td data-label="Install">${account.install_url ? html`<a href="${account.install_url}" rel="noreferrer">Install on ${account.account}</a>` : html`<span class="muted">link unavailable</span>`}</td>
            </tr>`,
          )}</tbody>
        </table>`}
        <h3>Rate limits that would drop</h3>
        ${drops.users === 0
          ? html`<p>No checked user's hourly limit is lower with the App token.</p>`
          : html`<table id="rate-limit-drops-table" class="stack">
          <caption>${drops.users} user(s) whose App token gets a lower hourly limit than their legacy token</caption>
          <thead><tr><th scope="col">User</th><th scope="col" class="number">Legacy token</th><th scope="col" class="number">App token</th></tr></thead>
          <tbody>${drops.drops.slice(0, ROWS_SHOWN).map(
            (drop) => html`<tr><th scope="row">${drop.login}</th><td data-label="Legacy token" class="number">${drop.legacy_rate_limit}</td><td data-label="App token" class="number">${drop.app_rate_limit}</td></tr>`,
          )}</tbody>
        </table>`}
        ${guardPart(guard, csrfToken)}
      </section>`;
}

function guardPart(guard: GuardState, csrfToken: string): Markup {
  const { window } = guard;
  return html`<h3>Rollout guard</h3>
        <p id="guard-state" class="guard-${guard.state}">${GUARD_STATE_TEXT[guard.state]}</p>
        ${guard.state === "tripped" && guard.last_event ? html`<p role="alert" id="guard-reason">${guard.last_event.reason}</p>` : ""}
        <dl class="figures" id="guard-window">
          <dt>Token resolutions in the last ${window.window_minutes} min</dt><dd>${window.resolutions}</dd>
          <dt>Ended reauth_required</dt><dd>${window.reauth_required}</dd>
          <dt>Ended in a failed refresh</dt><dd>${window.refresh_failed}</dd>
          <dt>Failure share (trips above ${window.threshold_percent}% once ${window.min_resolutions} resolutions are in)</dt><dd>${window.failure_percent}%</dd>
          <dt>Batches running</dt><dd>${guard.watching.running_batches}</dd>
          <dt>Rollout percent last raised</dt><dd>${guard.watching.rollout_raised_at ? timestamp(guard.watching.rollout_raised_at) : "not within the window"}</dd>
        </dl>
        ${guard.state === "tripped"
          ? html`<form method="post" action="/admin/rollout-guard/clear" class="action">
          ${csrfField(csrfToken)}
          <p><button type="submit">Clear the guard…</button></p>
        </form>`
          : ""}`;
}

const GUARD_STATE_TEXT: Record<GuardState["state"], string> = {
  off: "Off (rollout_guard_enabled is false).",
  idle: "On, idle: no batch is running and the rollout percent was not raised within the window.",
  watching: "On, watching: a batch is running or the rollout percent was raised within the window.",
  tripped: "Tripped: batches are paused and raising the rollout percent needs a confirmed override.",
};
