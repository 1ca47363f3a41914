// GET /admin/flags: every rollout flag's effective value and where it comes from, the form that
// changes one (its confirmation page previews who the change affects), and the flags' history.
import { html } from "hono/html";
import { FLAG_NAMES, type FlagChange, type FlagState } from "../../users/flags.js";
import { csrfField, timestamp, type Markup } from "../pages/layout.js";
import type { SignedInMaintainer } from "./dashboard-access.js";
import { consolePage } from "./console-layout.js";

interface FlagsPageOptions {
  flags: FlagState[];
  history: FlagChange[];
  maintainer: SignedInMaintainer;
  notice: string | null;
}

export function flagsPage({ flags, history, maintainer, notice }: FlagsPageOptions): Markup {
  return consolePage({
    title: "Flags",
    section: "flags",
    maintainer,
    notice,
    body: html`<section aria-labelledby="flags-heading">
        <h2 id="flags-heading">Flags in effect</h2>
        <table id="flags-table" class="stack">
          <caption>A value set here wins over the environment default</caption>
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
          ${csrfField(maintainer.csrfToken)}
          <p><label for="flag-name">Flag</label><br>
            <select id="flag-name" name="name">${FLAG_NAMES.map((name) => html`<option value="${name}">${name}</option>`)}</select></p>
          <p><label for="flag-value">New value</label><br><input type="text" id="flag-value" name="value" required aria-describedby="flag-value-help" spellcheck="false">
            <br><span id="flag-value-help" class="muted">true/false, a number, logins separated by commas, or a date (null for never).</span></p>
          <p><button type="submit">Preview the change…</button>
            <br><span class="muted">The next page shows who it would affect before you confirm.</span></p>
        </form>
      </section>
      <section aria-labelledby="flag-history-heading">
        <h2 id="flag-history-heading">History</h2>
        ${history.length === 0
          ? html`<p>No flag has been changed at runtime.</p>`
          : html`<table id="flag-history-table" class="stack">
          <caption>The latest ${history.length} flag changes, newest first</caption>
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
      </section>`,
  });
}
