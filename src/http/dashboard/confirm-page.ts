// The confirmation step of every dashboard action: says what will happen and re-posts the same
// fields with confirm=yes (and the session's CSRF token) only when the maintainer ticks the box.
import { html } from "hono/html";
import { csrfField, layout, type Markup } from "../pages/layout.js";

interface ConfirmPageOptions {
  title: string;
  /** What will happen, one sentence each. */
  consequences: string[];
  action: string;
  fields: Record<string, string>;
  submitLabel: string;
  csrfToken: string;
  /** Where Cancel leads: the page the action was started from. */
  cancel: string;
}

export function confirmPage({ title, consequences, action, fields, submitLabel, csrfToken, cancel }: ConfirmPageOptions): Markup {
  return layout({
    title,
    body: html`<section aria-labelledby="consequences-heading">
        <h2 id="consequences-heading">What will happen</h2>
        <ul id="consequences">${consequences.map((sentence) => html`<li>${sentence}</li>`)}</ul>
        <form method="post" action="${action}" class="confirm">
          ${csrfField(csrfToken)}
          ${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
          <p><input type="checkbox" id="confirm" name="confirm" value="yes" required> <label class="check" for="confirm">I confirm</label></p>
          <p><button type="submit">${submitLabel}</button> <a href="${cancel}">Cancel</a></p>
        </form>
      </section>`,
  });
}
