// GET /admin/users/{github_id}: one user's story — status, the token kinds held with their expiries
// (never a token's bytes: the directory's detail carries none), the last refresh failure and
// validation, the status history as a timeline (newest first) — and the actions their status allows,
// each through the confirmation page and back here.
import { html } from "hono/html";
import type { UserDetail } from "../../migration/user-directory.js";
import { canTransition } from "../../users/status-machine.js";
import { csrfField, timestamp, type Markup } from "../pages/layout.js";
import type { SignedInMaintainer } from "./dashboard-access.js";
import { consolePage } from "./console-layout.js";

export function userPage({ user, maintainer, notice }: { user: UserDetail; maintainer: SignedInMaintainer; notice: string | null }): Markup {
  return consolePage({
    title: `User ${user.login}`,
    section: "users",
    below: true,
    maintainer,
    notice,
    body: html`<p><a href="/admin/users">← All users</a></p>
      <div class="grid">
        ${statusSection(user)}
        ${actionsSection(user, maintainer.csrfToken)}
      </div>
      ${timelineSection(user)}
      <div class="grid">
        ${tokensSection(user)}
        ${validationSection(user)}
      </div>`,
  });
}

function statusSection(user: UserDetail): Markup {
  return html`<section aria-labelledby="status-heading">
        <h2 id="status-heading">Status</h2>
        <dl class="facts">
          <dt>Status</dt><dd><strong id="user-status" class="status-${user.status}">${user.status}</strong></dd>
          <dt>GitHub id</dt><dd id="user-github-id">${user.github_id}</dd>
          ${user.migration_error ? html`<dt>Why</dt><dd id="migration-error">${user.migration_error}</dd>` : ""}
          <dt>Migrated</dt><dd>${when(user.migrated_at, "never")}</dd>
          <dt>Last change</dt><dd>${when(user.updated_at, "—")}</dd>
          <dt>Known since</dt><dd>${when(user.created_at, "—")}</dd>
          <dt>Installations their App token reaches</dt><dd>${user.installation_ids.length === 0 ? "none known" : user.installation_ids.join(", ")}</dd>
        </dl>
      </section>`;
}

/** Only what the status machine allows from here; the confirmation page then says what will happen. */
function actionsSection(user: UserDetail, csrfToken: string): Markup {
  const actions = [
    ...(user.app_token.stored ? [{ name: "validate", label: "Validate…", description: "Validate" }] : []),
    ...(canTransition(user.status, "rolled_back") ? [{ name: "rollback", label: "Roll back…", description: "Roll back" }] : []),
    ...(canTransition(user.status, "pending") ? [{ name: "reenable", label: "Re-enable…", description: "Re-enable" }] : []),
  ];
  return html`<section aria-labelledby="actions-heading" id="user-actions">
        <h2 id="actions-heading">Actions</h2>
        ${actions.length === 0
          ? html`<p>None from ${user.status}: there is no App token to validate, and the user is neither rolled back nor able to be.</p>`
          : html`<form method="post" action="/admin/users" class="action">
          ${csrfField(csrfToken)}<input type="hidden" name="login" value="${user.login}">
          <p><label for="action-reason">Reason (optional, for the audit trail)</label><br><input type="text" id="action-reason" name="reason" maxlength="500"></p>
          <p class="buttons">${actions.map(
            (action) => html`<button type="submit" name="action" value="${action.name}" class="secondary" aria-label="${action.description} ${user.login}">${action.label}</button> `,
          )}</p>
        </form>
        <p class="muted">Each leads to a confirmation page first.</p>`}
      </section>`;
}

function tokensSection({ app_token: app, legacy_token: legacy }: UserDetail): Markup {
  return html`<section aria-labelledby="tokens-heading" id="tokens">
        <h2 id="tokens-heading">Tokens held</h2>
        <h3>GitHub App user token</h3>
        ${app.stored
          ? html`<dl class="facts" id="app-token">
          <dt>Access token expires</dt><dd>${when(app.expires_at, "no expiry")}</dd>
          <dt>Refresh token expires</dt><dd>${when(app.refresh_token_expires_at, "no refresh token")}</dd>
          <dt>Last issued or refreshed</dt><dd>${when(app.refreshed_at, "—")}</dd>
          ${app.refresh_failure_count > 0
            ? html`<dt>Refreshes failing for now</dt><dd>${app.refresh_failure_count}, next attempt ${when(app.next_refresh_attempt_at, "—")}</dd>`
            : ""}
          ${app.in_doubt_since ? html`<dt>In doubt since</dt><dd>${when(app.in_doubt_since, "—")} <span class="muted">(not served until settled)</span></dd>` : ""}
          ${app.refresh_in_flight
            ? html`<dt>Refresh in flight</dt><dd>${app.refresh_in_flight.instance ?? "?"}, until ${when(app.refresh_in_flight.lease_until, "—")}</dd>`
            : ""}
        </dl>`
          : html`<p id="app-token">None stored.</p>`}
        <dl class="facts">
          <dt>Refresh failure class</dt><dd id="refresh-failure-class">${app.refresh_failure_class
            ? html`<code>${app.refresh_failure_class}</code>, ${when(app.refresh_failed_at, "—")}`
            : "none"}</dd>
          ${app.last_refresh_error ? html`<dt>Last refresh error</dt><dd>${app.last_refresh_error}</dd>` : ""}
        </dl>
        <h3>Legacy OAuth token</h3>
        ${legacy.stored
          ? html`<dl class="facts" id="legacy-token">
          <dt>Expires</dt><dd>${when(legacy.expires_at, "no expiry")}</dd>
          <dt>Refresh token</dt><dd>${legacy.has_refresh_token ? "held" : "none"}</dd>
          <dt>Last checked at GitHub</dt><dd>${when(legacy.checked_at, "never")}${legacy.valid === null ? "" : legacy.valid ? ": valid" : ": dead"}</dd>
        </dl>`
          : html`<p id="legacy-token">None stored.</p>`}
      </section>`;
}

/** What the validator stored (migration/validation.ts), read as the JSON column gives it back. */
interface StoredValidation {
  ok?: boolean;
  reason?: string;
  identity?: { login?: string };
  installations?: { reachable?: number };
  rate_limit?: { remaining?: number } | null;
}

function validationSection(user: UserDetail): Markup {
  const result = user.last_validation_result as StoredValidation | null;
  return html`<section aria-labelledby="validation-heading" id="last-validation">
        <h2 id="validation-heading">Last validation</h2>
        ${result === null
          ? html`<p>Never validated.</p>`
          : html`<dl class="facts">
          <dt>When</dt><dd>${when(user.last_validated_at, "—")}</dd>
          <dt>Outcome</dt><dd id="validation-outcome">${result.ok ? "passed" : html`failed${result.reason ? `: ${result.reason}` : ""}`}</dd>
          ${result.identity?.login ? html`<dt>GitHub said the token is</dt><dd>${result.identity.login}</dd>` : ""}
          ${result.installations?.reachable !== undefined ? html`<dt>Installations reachable</dt><dd>${result.installations.reachable}</dd>` : ""}
          ${typeof result.rate_limit?.remaining === "number" ? html`<dt>Rate limit left</dt><dd>${result.rate_limit.remaining}</dd>` : ""}
        </dl>`}
      </section>`;
}

function timelineSection({ history }: UserDetail): Markup {
  const newestFirst = [...history].reverse();
  return html`<section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Status history</h2>
        ${newestFirst.length === 0
          ? html`<p>No status change recorded.</p>`
          : html`<ol class="timeline" id="timeline" aria-label="Status changes, newest first">${newestFirst.map(
            (event) => html`<li data-to="${event.to}">
            <p class="when">${timestamp(new Date(event.at))}</p>
            <p><strong>${event.from ?? "—"} → ${event.to}</strong></p>
            <p>${event.reason}</p>
            <p class="muted">by ${event.actor}${event.batch_id ? html`, in <a href="/admin/batches#batch-${event.batch_id}">batch #${event.batch_id}</a>` : ""}</p>
          </li>`,
          )}</ol>`}
      </section>`;
}

/** A stored time as pages show them; one that does not parse (a legacy expiry as imported) as it was stored. */
function when(stored: string | null, otherwise: string): string {
  if (!stored) return otherwise;
  const date = new Date(stored);
  return Number.isNaN(date.getTime()) ? stored : timestamp(date);
}
