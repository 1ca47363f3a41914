// Who gets into the dashboard: a signed-in maintainer (ADMIN_GITHUB_LOGINS). Nobody signed in is
// sent to the GitHub sign-in; anyone else gets a 403 page. The admin API key is not accepted here:
// the pages' forms rely on the session's CSRF token, which a bearer key has no session to carry.
import type { Context } from "hono";
import type { MaintainerAccess } from "../../auth/maintainer-access.js";
import type { Session, SessionCookies } from "../../auth/session-cookies.js";
import { PageError } from "../pages/page-errors.js";
import { sessionOfForm } from "../pages/page-routes.js";

/** Signing in for the dashboard returns to /admin (authorization.ts). */
export const ADMIN_SIGN_IN_PATH = "/auth/login?purpose=admin";

interface DashboardAccessOptions {
  sessions: SessionCookies;
  maintainers: MaintainerAccess;
}

export interface SignedInMaintainer {
  login: string;
  csrfToken: string;
}

/** The maintainer viewing a page, or null when nobody (known) is signed in. */
export async function maintainerOfPage(c: Context, options: DashboardAccessOptions): Promise<SignedInMaintainer | null> {
  return admit(await options.sessions.read(c), options);
}

/** The maintainer whose form this is, its CSRF token checked; null when nobody (known) is signed in. */
export async function maintainerOfForm(c: Context, options: DashboardAccessOptions): Promise<SignedInMaintainer | null> {
  return admit(await sessionOfForm(c, options.sessions), options);
}

async function admit(session: Session | null, { sessions, maintainers }: DashboardAccessOptions): Promise<SignedInMaintainer | null> {
  if (!session) return null;
  const check = await maintainers.check(session.githubId);
  if (check.kind === "unknown_user") return null;
  if (check.kind === "not_maintainer") {
    throw new PageError(
      403,
      "not_a_maintainer",
      "This dashboard is for maintainers",
      `You are signed in as ${check.login}, which is not one of this site's maintainers. Sign out and sign in with a maintainer's GitHub account, or ask an operator to add yours to ADMIN_GITHUB_LOGINS.`,
      { href: "/me", label: "Go to your account" },
    );
  }
  return { login: check.login, csrfToken: sessions.csrfToken(session) };
}
