// The frame of every page of the maintainers' console: its navigation (the current page marked for
// screen readers and eyes alike), who is signed in, the notice of the action just done, and the
// sign-out button. Each page module fills the body.
import { html } from "hono/html";
import { layout, postButton, type Markup } from "../pages/layout.js";
import type { SignedInMaintainer } from "./dashboard-access.js";
import type { Notice } from "./dashboard-forms.js";

/** The console's pages, in the order the navigation lists them. */
const CONSOLE_PAGES = [
  { name: "overview", href: "/admin", label: "Overview" },
  { name: "users", href: "/admin/users", label: "Users" },
  { name: "batches", href: "/admin/batches", label: "Batches" },
  { name: "flags", href: "/admin/flags", label: "Flags" },
  { name: "installations", href: "/admin/installations", label: "Installations" },
  { name: "readiness", href: "/admin/readiness", label: "Readiness" },
] as const;
export type ConsolePageName = (typeof CONSOLE_PAGES)[number]["name"];

interface ConsolePageOptions {
  title: string;
  /** The navigation entry this page is, or belongs to (a user's page belongs to Users). */
  section: ConsolePageName;
  /** A page below its section's (one user): the entry is marked as the current section, not the current page. */
  below?: boolean;
  maintainer: SignedInMaintainer;
  notice: string | null;
  body: Markup;
  /** Reload after this many seconds, while a batch it shows is running. */
  refreshSeconds?: number;
}

export function consolePage({ title, section, below = false, maintainer, notice, body, refreshSeconds }: ConsolePageOptions): Markup {
  return layout({
    title,
    width: "wide",
    refreshSeconds,
    nav: consoleNav(section, below ? "true" : "page"),
    body: html`<p class="signed-in">Signed in as <strong id="maintainer">${maintainer.login}</strong> (maintainer).
        ${refreshSeconds ? html`<span class="muted">A batch is running; this page reloads every ${refreshSeconds} seconds.</span>` : ""}</p>
      ${notice ? html`<p role="status" id="notice">${notice}</p>` : ""}
      ${body}
      ${postButton({ action: "/auth/logout", label: "Sign out", csrfToken: maintainer.csrfToken })}`,
  });
}

function consoleNav(section: ConsolePageName, current: "page" | "true"): Markup {
  return html`<nav aria-label="Maintainers' console" class="console">
      <ul>${CONSOLE_PAGES.map(
        (page) => html`<li><a href="${page.href}"${page.name === section ? html` aria-current="${current}"` : ""}>${page.label}</a></li>`,
      )}</ul>
    </nav>`;
}

/** What the action named by the notice query did, in a sentence. */
export function noticeText(notice: Notice): string {
  const login = notice.login ?? "The user";
  switch (notice.done) {
    case "batch_started":
      return notice.dry_run
        ? `Dry run #${notice.batch ?? "?"} started: it counts what a batch would do and changes nothing. Its counts show below.`
        : `Batch #${notice.batch ?? "?"} started. Its progress shows below.`;
    case "validated":
      return `${login}'s App token was validated at GitHub.`;
    case "validation_failed":
      return `${login}'s App token did not validate; the reason is in their status history below.`;
    case "rolled_back":
      return `${login} was rolled back: the application serves their legacy OAuth token again.`;
    case "reenabled":
      return `${login} was re-enabled; the next batch takes them again.`;
    case "flag_changed":
      return `Flag ${notice.flag ?? ""} was changed.`;
    case "readiness_scan_started":
      return "A readiness scan started. Its progress shows below.";
    case "guard_cleared":
      return "The rollout guard was cleared; paused batches resume.";
  }
}
