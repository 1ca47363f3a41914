// The one HTML shell of every page the app serves: plain semantic markup and the one stylesheet,
// no scripts and no inline styles (the root CSP allows neither), readable by any browser and
// screen reader.
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { STYLESHEET_HREF } from "./stylesheet.js";

/** Every interpolated string is escaped by hono's `html`; nested `html` fragments are not re-escaped. */
export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

interface LayoutOptions {
  title: string;
  body: Markup;
  /** "wide" for pages of tables (the dashboard); text pages keep a readable line length. */
  width?: "narrow" | "wide";
  /** Reload the page after this many seconds (while something it shows is still changing), without any script. */
  refreshSeconds?: number;
  /** The site's navigation under its name (the maintainers' console has one). */
  nav?: Markup;
}

export function layout({ title, body, width = "narrow", refreshSeconds, nav }: LayoutOptions): Markup {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${title}</title>
    <link rel="stylesheet" href="${STYLESHEET_HREF}">${refreshSeconds ? html`
    <meta http-equiv="refresh" content="${refreshSeconds}">` : ""}
  </head>
  <body>
    <header><p><a href="/">GitHub App user tokens</a></p>${nav ?? ""}</header>
    <main class="${width}">
      <h1>${title}</h1>
      ${body}
    </main>
  </body>
</html>`;
}

/** The hidden field carrying the session's CSRF token, for every form a page posts to us. */
export function csrfField(csrfToken: string): Markup {
  return html`<input type="hidden" name="csrf_token" value="${csrfToken}">`;
}

/** A POST form with the session's CSRF token: the buttons of /me and sign-out. */
export function postButton({ action, label, csrfToken }: { action: string; label: string; csrfToken: string }): Markup {
  return html`<form method="post" action="${action}">
        ${csrfField(csrfToken)}
        <button type="submit">${label}</button>
      </form>`;
}

/** Times as pages show them: to the second, in UTC, whatever the server's zone. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, " UTC").replace("T", " ");
}
