// GET /admin/batches: the latest migration batches with their progress and outcomes, and the form
// that starts one. The table is the overview's too (running batches only), and both pages reload
// themselves while a batch runs.
import { html } from "hono/html";
import type { BatchView } from "../../migration/batches.js";
import { csrfField, timestamp, type Markup } from "../pages/layout.js";
import type { SignedInMaintainer } from "./dashboard-access.js";
import { consolePage } from "./console-layout.js";

/** How often a page showing a running batch reloads itself. */
const RUNNING_BATCH_REFRESH_SECONDS = 3;

/** Outcome keys of a batch that mean one user was dealt with (the rest are sub-counts). */
const PROCESSED_KEYS = ["migrated", "consent_required", "failed", "deferred", "skipped", "errors"];

/** Seconds between reloads while one of `batches` is running (with a live heartbeat); undefined when none is. */
export function reloadWhileRunning(batches: BatchView[]): number | undefined {
  return batches.some((batch) => batch.state === "running" && !batch.stale) ? RUNNING_BATCH_REFRESH_SECONDS : undefined;
}

export function batchesPage({ batches, maintainer, notice }: { batches: BatchView[]; maintainer: SignedInMaintainer; notice: string | null }): Markup {
  return consolePage({
    title: "Batches",
    section: "batches",
    maintainer,
    notice,
    refreshSeconds: reloadWhileRunning(batches),
    body: html`<section aria-labelledby="batches-heading">
        <h2 id="batches-heading">Latest batches</h2>
        ${batches.length === 0 ? html`<p>No batch has run yet.</p>` : batchesTable(batches, "Latest batches, newest first")}
      </section>
      <section aria-labelledby="start-batch-heading">
        <h2 id="start-batch-heading">Start a batch</h2>
        <form method="post" action="/admin/batches" class="action" aria-labelledby="start-batch-heading">
          ${csrfField(maintainer.csrfToken)}
          <p><label for="batch-size">Users to take</label><br>
            <input type="number" id="batch-size" name="size" min="1" max="10000" inputmode="numeric" aria-describedby="batch-size-help">
            <br><span id="batch-size-help" class="muted">Empty: the user_migration_batch_size flag.</span></p>
          <p><input type="checkbox" id="batch-dry-run" name="dry_run" value="yes"> <label class="check" for="batch-dry-run">Dry run (count only, change nothing)</label></p>
          <p><input type="checkbox" id="batch-confirm" name="confirm" value="yes" required> <label class="check" for="batch-confirm">I confirm starting this batch</label></p>
          <p><button type="submit">Start batch</button></p>
        </form>
      </section>`,
  });
}

export function batchesTable(batches: BatchView[], caption: string): Markup {
  return html`<table id="batches-table" class="stack">
          <caption>${caption}</caption>
          <thead><tr><th scope="col">Batch</th><th scope="col">Requested by</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col">Outcomes</th><th scope="col">Started</th><th scope="col">Finished</th></tr></thead>
          <tbody>${batches.map(batchRow)}</tbody>
        </table>`;
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
              ${batch.userErrors.map(
                (failure) => html`<li><a href="/admin/users/${failure.github_id}">${failure.login}</a> <span class="muted">(${failure.github_id})</span>: ${failure.error}</li>`,
              )}
            </ul>`;
}

function outcomes(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([, count]) => count > 0);
  return entries.length === 0 ? "—" : entries.map(([key, count]) => `${key.replaceAll("_", " ")}: ${count}`).join(", ");
}
