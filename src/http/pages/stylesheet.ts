// The one stylesheet of every page the app serves (landing, /me, sign-in errors, the dashboard and its
// confirmation pages), served from our own origin at STYLESHEET_PATH: the root CSP (default-src
// 'self') allows it, while it refuses <style> blocks and style attributes, so bar widths come from
// <progress> elements, never inline widths. It follows the system's light or dark scheme; colours
// meet WCAG AA contrast in both; every focusable element shows a visible focus ring; below 48rem
// wide, tables become one block per row with each cell labelled (data-label), so nothing scrolls
// sideways on a phone.
//
// Shared classes for pages built on it: .muted, .grid (two columns, one on narrow screens),
// section (a bordered card), form.action / form.confirm / form.inline, button.secondary,
// dl.figures, dl.facts, .headline, [role=status] / [role=alert] notices, .state-<batch state>,
// .status-<user status>, nav.console (the console's navigation; it wraps on a phone), nav.pages
// (first / next page links), ul.counts, ol.timeline (a user's status history), .trends with
// figure.trend and ul.legend (charts).
import { createHash } from "node:crypto";
import { describeRoute } from "hono-openapi";
import { Hono } from "hono";

export const APP_STYLESHEET = `
:root {
  color-scheme: light dark;
  --text: #1f2328; --muted: #4d5560; --line: #d0d7de; --surface: #ffffff; --raised: #f6f8fa;
  --accent: #0550ae; --on-accent: #ffffff; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e;
  --ok-bg: #dafbe1; --bad-bg: #ffebe9;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #e6edf3; --muted: #9ea7b3; --line: #3d444d; --surface: #0d1117; --raised: #161b22;
    --accent: #4493f8; --on-accent: #0d1117; --ok: #3fb950; --warn: #d29922; --bad: #f85149;
    --ok-bg: #12261e; --bad-bg: #2d1214;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: var(--surface); overflow-wrap: break-word; }
header { background: var(--raised); border-bottom: 1px solid var(--line); padding: 0.5rem 1.5rem; }
header p { margin: 0; font-weight: 600; }
main { max-width: 78rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
main.narrow { max-width: 44rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.3rem; margin: 1.25rem 0 0.75rem; }
section > h2:first-child { margin-top: 0; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.5rem; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible, textarea:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px;
}
section { border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin: 0 0 1.25rem; min-width: 0; }
.grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 0 1.25rem; }
@media (max-width: 60rem) { .grid { grid-template-columns: minmax(0, 1fr); } }
.headline { font-size: 1.15rem; }
.headline strong { font-size: 1.6rem; }
[role="status"] { border-left: 4px solid var(--ok); background: var(--ok-bg); padding: 0.5rem 0.75rem; }
[role="alert"] { border-left: 4px solid var(--bad); background: var(--bad-bg); padding: 0.5rem 0.75rem; }
.muted { color: var(--muted); }
.call-to-action { display: inline-block; padding: 0.5rem 1.1rem; border-radius: 6px; background: var(--accent); color: var(--on-accent); font-weight: 600; text-decoration: none; }
table { border-collapse: collapse; width: 100%; margin: 0 0 0.75rem; }
caption { text-align: left; font-weight: 600; padding: 0 0 0.25rem; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line); }
thead th { border-bottom: 2px solid var(--muted); }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
progress { width: 12rem; max-width: 100%; height: 0.9rem; vertical-align: middle; accent-color: var(--accent); }
progress.status-migrated { accent-color: var(--ok); }
progress.status-consent_required, progress.status-pending { accent-color: var(--warn); }
progress.status-failed, progress.status-revoked, progress.status-reauth_required { accent-color: var(--bad); }
.state-running { color: var(--warn); font-weight: 600; }
.state-finished { color: var(--ok); font-weight: 600; }
.state-finished_with_errors { color: var(--warn); font-weight: 600; }
.state-failed { color: var(--bad); font-weight: 600; }
ul.user-errors { margin: 0.25rem 0 0; padding-left: 1.1rem; }
form.inline { display: inline; }
form.action { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; margin: 0.5rem 0 0; }
form.action p, form.confirm p { margin: 0 0 0.5rem; }
label { font-weight: 600; }
label.check { font-weight: 400; }
input[type="text"], input[type="number"], select { font: inherit; color: var(--text); background: var(--surface); padding: 0.25rem 0.4rem; border: 1px solid var(--muted); border-radius: 4px; max-width: 100%; }
input[type="checkbox"] { width: 1.1rem; height: 1.1rem; vertical-align: middle; accent-color: var(--accent); }
button { font: inherit; padding: 0.3rem 0.8rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: var(--on-accent); cursor: pointer; }
button.secondary { background: var(--surface); color: var(--accent); }
dl { margin: 0 0 1rem; }
dt { font-weight: 600; }
dd { margin: 0 0 0.5rem; }
dl.figures { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.25rem 1rem; }
dl.figures dt { font-weight: 400; }
dl.figures dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
code { font-size: 0.9em; }
nav.console ul { display: flex; flex-wrap: wrap; gap: 0.25rem 0.4rem; list-style: none; margin: 0.4rem 0 0; padding: 0; }
nav.console a { display: inline-block; padding: 0.3rem 0.65rem; border-radius: 6px; text-decoration: none; font-weight: 600; }
nav.console a:hover { background: var(--surface); }
nav.console a[aria-current] { background: var(--surface); color: var(--text); box-shadow: inset 0 -3px 0 var(--accent); }
.signed-in { margin: 0 0 1rem; }
input[type="search"] { font: inherit; color: var(--text); background: var(--surface); padding: 0.25rem 0.4rem; border: 1px solid var(--muted); border-radius: 4px; max-width: 100%; }
form.search select, form.search input[type="search"] { min-width: 12rem; }
nav.pages { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin: 0.5rem 0 0; font-weight: 600; }
ul.counts { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; list-style: none; margin: 0 0 0.75rem; padding: 0; }
p.buttons { display: flex; flex-wrap: wrap; gap: 0.5rem; }
dl.facts { display: grid; grid-template-columns: minmax(8rem, 15rem) minmax(0, 1fr); gap: 0.25rem 1rem; }
dl.facts dd { margin: 0; }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 1rem; border-left: 3px solid var(--line); }
ol.timeline li { position: relative; margin: 0 0 1rem; padding: 0 0 0 0.5rem; }
ol.timeline li::before { content: ""; position: absolute; left: -1.45rem; top: 0.4rem; width: 0.7rem; height: 0.7rem; border-radius: 50%; background: var(--accent); }
ol.timeline p { margin: 0; }
ol.timeline .when { font-variant-numeric: tabular-nums; color: var(--muted); }
strong.status-migrated { color: var(--ok); }
strong.status-failed, strong.status-revoked, strong.status-reauth_required { color: var(--bad); }
strong.status-consent_required, strong.status-pending, strong.status-rolled_back { color: var(--warn); }
.guard-tripped { color: var(--bad); font-weight: 600; }
.guard-watching { color: var(--warn); font-weight: 600; }
.state-paused { color: var(--bad); font-weight: 600; }
button[disabled] { opacity: 0.6; cursor: not-allowed; }
/* Long identifiers (flag names) may break inside a table cell; words in prose and headers never do. */
td code, th code { overflow-wrap: anywhere; }
/* Where a table has room, an identifier heading its row stays whole. */
@media (min-width: 60rem) { th[scope="row"] > code { overflow-wrap: normal; } }
/* Trend charts (http/dashboard/trends-section.ts): side by side where two fit, their SVG scaled by its viewBox. */
.trends { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 24rem), 1fr)); gap: 1rem 1.5rem; }
figure.trend { margin: 0; min-width: 0; }
figure.trend figcaption { font-weight: 600; margin: 0 0 0.25rem; }
figure.trend > svg { display: block; max-width: 100%; height: auto; }
ul.legend svg { vertical-align: -1px; }
/* A chart's table may be wider than its column: it scrolls inside its own box. */
figure.trend details { overflow-x: auto; }
figure.trend th[scope="row"] { white-space: nowrap; }
ul.legend { list-style: none; margin: 0.25rem 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.1rem 1rem; font-size: 0.9rem; }
@media (max-width: 48rem) {
  header { padding: 0.5rem 1rem; }
  main { padding: 0.75rem 1rem 2rem; }
  section { padding: 0.75rem; }
  h1 { font-size: 1.45rem; }
  table.stack, table.stack caption, table.stack tbody, table.stack tr, table.stack th, table.stack td { display: block; width: 100%; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.stack tr { border-bottom: 2px solid var(--line); padding: 0.35rem 0; }
  table.stack th, table.stack td { border-bottom: 0; padding: 0.15rem 0; text-align: left; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
  progress { width: 8rem; }
  dl.figures { grid-template-columns: minmax(0, 1fr) minmax(0, 35%); }
  dl.figures dd { text-align: right; }
  dl.facts { grid-template-columns: minmax(0, 1fr); gap: 0; }
  dl.facts dd { margin: 0 0 0.5rem; }
  form.search select, form.search input[type="search"] { min-width: 0; width: 100%; }
  form.search p { flex: 1 1 100%; }
  nav.console a { padding: 0.25rem 0.5rem; }
}
`;

const VERSION = createHash("sha256").update(APP_STYLESHEET).digest("hex").slice(0, 12);

/** Where every page links the stylesheet; the version changes with its content, so browsers may keep it a day. */
export const STYLESHEET_PATH = "/assets/app.css";
export const STYLESHEET_HREF = `${STYLESHEET_PATH}?v=${VERSION}`;

export function stylesheetRoutes(): Hono {
  const routes = new Hono();
  routes.get(
    STYLESHEET_PATH,
    describeRoute({
      tags: ["pages"],
      summary: "The one stylesheet of every page (same origin, so the strict CSP allows it)",
      responses: { 200: { description: "CSS", content: { "text/css": { schema: { type: "string" } } } } },
    }),
    (c) => {
      c.header("Content-Type", "text/css; charset=utf-8");
      c.header("Cache-Control", "public, max-age=86400");
      return c.body(APP_STYLESHEET);
    },
  );
  return routes;
}
