// The dashboard's stylesheet, served from our own origin: the root CSP (default-src 'self') allows
// it, while it refuses <style> blocks and style attributes. Bar widths therefore come from
// <progress> elements, never from inline widths. Colours meet WCAG AA contrast on white.
export const DASHBOARD_STYLESHEET_PATH = "/assets/dashboard.css";

export const DASHBOARD_STYLESHEET = `
:root { color-scheme: light; --text: #1f2328; --muted: #4d5560; --line: #d0d7de; --accent: #0550ae; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: #fff; }
header { background: #f6f8fa; border-bottom: 1px solid var(--line); padding: 0.5rem 1.5rem; }
header p { margin: 0; font-weight: 600; }
main { max-width: 78rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.75rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.3rem; margin: 0 0 0.75rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.5rem; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px;
}
section { border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin: 0 0 1.25rem; }
.grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 0 1.25rem; }
@media (max-width: 60rem) { .grid { grid-template-columns: minmax(0, 1fr); } }
.headline { font-size: 1.15rem; }
.headline strong { font-size: 1.6rem; }
[role="status"] { border-left: 4px solid var(--ok); background: #dafbe1; padding: 0.5rem 0.75rem; }
[role="alert"] { border-left: 4px solid var(--bad); background: #ffebe9; padding: 0.5rem 0.75rem; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 0 0 0.75rem; }
caption { text-align: left; font-weight: 600; padding: 0 0 0.25rem; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line); }
thead th { border-bottom: 2px solid var(--muted); }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
progress { width: 12rem; height: 0.9rem; vertical-align: middle; accent-color: var(--accent); }
progress.status-migrated { accent-color: var(--ok); }
progress.status-consent_required, progress.status-pending { accent-color: var(--warn); }
progress.status-failed, progress.status-revoked, progress.status-reauth_required { accent-color: var(--bad); }
.state-running { color: var(--warn); font-weight: 600; }
.state-finished { color: var(--ok); font-weight: 600; }
.state-failed { color: var(--bad); font-weight: 600; }
form.inline { display: inline; }
form.action { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; margin: 0.5rem 0 0; }
form.action p, form.confirm p { margin: 0; }
label { font-weight: 600; }
label.check { font-weight: 400; }
input[type="text"], input[type="number"], select { font: inherit; padding: 0.25rem 0.4rem; border: 1px solid var(--muted); border-radius: 4px; }
button { font: inherit; padding: 0.3rem 0.8rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
dl.figures { display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 1rem; margin: 0; }
dl.figures dt { font-weight: 400; }
dl.figures dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
code { font-size: 0.9em; }
.scroll { overflow-x: auto; }
.guard-tripped { color: var(--bad); font-weight: 600; }
.guard-watching { color: var(--warn); font-weight: 600; }
.state-paused { color: var(--bad); font-weight: 600; }
button[disabled] { opacity: 0.6; cursor: not-allowed; }
`;
