// The maintainers' console's pages (GETs): overview, users, one user, batches, flags, installations,
// readiness. Each reads only what it shows, through the services; nobody signed in is sent to the
// maintainers' sign-in, which returns to the page asked for.
import type { Context, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { InstallationService } from "../../installations/installation-service.js";
import type { MigrationBatches } from "../../migration/batches.js";
import type { DashboardFigures } from "../../migration/dashboard-figures.js";
import type { ReadinessReport } from "../../migration/readiness-report.js";
import type { RolloutGuard } from "../../migration/rollout-guard.js";
import type { CampaignTrends } from "../../migration/trends.js";
import type { UserDirectory } from "../../migration/user-directory.js";
import { UserNotFoundError } from "../../users/errors.js";
import type { FeatureFlags } from "../../users/flags.js";
import { positiveIdText } from "../../users/input-rules.js";
import { pageAnswer, redirectAnswer } from "../api-description.js";
import { HttpError } from "../errors.js";
import { describedQuery, githubIdParam, parseInput } from "../input.js";
import type { Markup } from "../pages/layout.js";
import { PageError } from "../pages/page-errors.js";
import { usersPageQuery } from "../../migration/user-search-query.js";
import { batchesPage } from "./batches-page.js";
import { ADMIN_SIGN_IN_PATH, maintainerOfPage, type SignedInMaintainer } from "./dashboard-access.js";
import { noticeQuery } from "./dashboard-forms.js";
import { noticeText } from "./console-layout.js";
import { flagsPage } from "./flags-page.js";
import { installationsPage } from "./installations-page.js";
import { overviewPage } from "./overview-page.js";
import { readinessPage } from "./readiness-page.js";
import { trendsSection } from "./trends-section.js";
import { userPage } from "./user-page.js";
import { usersPage } from "./users-page.js";

export interface ConsolePagesOptions {
  access: Parameters<typeof maintainerOfPage>[1];
  figures: DashboardFigures;
  trends: CampaignTrends;
  directory: UserDirectory;
  batches: MigrationBatches;
  flags: FeatureFlags;
  installations: InstallationService;
  readiness: { report: ReadinessReport; guard: RolloutGuard };
}

/** Rows per page of the Users page, the batches shown, the flag changes shown, installations per page. */
const USERS_PER_PAGE = 50;
const BATCHES_SHOWN = 25;
const FLAG_CHANGES_SHOWN = 50;
const INSTALLATIONS_PER_PAGE = 100;

const installationsQuery = z.strictObject(
  { after: positiveIdText("after").optional().meta({ description: "The last installation id of the previous page" }) },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown query parameter: ${issue.keys.join(", ")}` : undefined) },
);

export function consolePageRoutes(routes: Hono, options: ConsolePagesOptions): void {
  const { figures, trends, directory, batches, flags, installations, readiness } = options;

  /** A console page: the maintainer first (or the sign-in), then `render`. */
  function page(path: string, summary: string, extra: { query?: z.ZodType; notFound?: string; badInput?: string }, render: (c: Context, maintainer: SignedInMaintainer, notice: string | null) => Promise<Markup>) {
    routes.get(
      path,
      describeRoute({
        tags: ["dashboard"],
        summary,
        responses: {
          200: pageAnswer("HTML"),
          302: redirectAnswer(`Not signed in: to ${ADMIN_SIGN_IN_PATH}, which returns here`),
          ...(extra.badInput ? { 400: pageAnswer(`HTML: ${extra.badInput}; the page names the parameter`) } : {}),
          403: pageAnswer("HTML: signed in, but the login is not in ADMIN_GITHUB_LOGINS"),
          ...(extra.notFound ? { 404: pageAnswer(`HTML: ${extra.notFound}`) } : {}),
          503: pageAnswer("HTML: the database is unreachable (with Retry-After)"),
        },
      }),
      describedQuery(extra.query ?? noticeQuery.partial()),
      async (c) => {
        const maintainer = await maintainerOfPage(c, options.access);
        if (!maintainer) return c.redirect(signInReturningTo(c), 302);
        // Only pages without their own query parameters are sent back to with a notice (post/redirect/get).
        const notice = extra.query ? null : noticeQuery.safeParse(c.req.query());
        return c.html(await render(c, maintainer, notice?.success ? noticeText(notice.data) : null));
      },
    );
  }

  page(
    "/admin",
    "The console's overview: progress per status, the trends (users per status per day; resolutions, fallbacks, refreshes and reauth_required per hour, every instance's), running batches, users needing attention, recent events, the last hour's figures. Reloads itself while a batch runs",
    {},
    async (_c, maintainer, notice) => {
      const [snapshot, view] = await Promise.all([figures.snapshot(), trends.view()]);
      return overviewPage({ snapshot, trends: trendsSection(view), maintainer, notice });
    },
  );

  page(
    "/admin/users",
    "Find users by login prefix or GitHub id, status and refresh failure class, a page at a time by last change",
    { query: usersPageQuery, badInput: "a query parameter is invalid (q too long or not a login, an unknown status, a cursor not ours)" },
    async (c, maintainer, notice) => {
      const query = parsePageInput(usersPageQuery, c.req.query(), { href: "/admin/users", label: "Start a new search" });
      return usersPage({ query, page: await directory.search({ ...query, limit: USERS_PER_PAGE }), maintainer, notice });
    },
  );

  page(
    "/admin/users/:github_id",
    "One user: status, tokens held (never their bytes), refresh failure, last validation, status history, and the actions",
    { badInput: "the GitHub id is not a number", notFound: "no user with this GitHub id" },
    async (c, maintainer, notice) => {
      const { github_id: githubId } = parsePageInput(githubIdParam, c.req.param(), { href: "/admin/users", label: "Find users" });
      try {
        return userPage({ user: await directory.detail(githubId), maintainer, notice });
      } catch (error) {
        if (!(error instanceof UserNotFoundError)) throw error;
        throw new PageError(404, "user_not_found", "No such user", `No user with the GitHub id ${githubId} is known here.`, {
          href: "/admin/users",
          label: "Find users",
        });
      }
    },
  );

  page("/admin/batches", "The latest migration batches and the form that starts one. Reloads itself while a batch runs", {}, async (_c, maintainer, notice) =>
    batchesPage({ batches: await batches.recent(BATCHES_SHOWN), maintainer, notice }),
  );

  page("/admin/flags", "The rollout flags' effective values, the form that changes one (with a preview), and their history", {}, async (_c, maintainer, notice) => {
    const [states, history] = await Promise.all([flags.list(), flags.history({ limit: FLAG_CHANGES_SHOWN })]);
    return flagsPage({ flags: states, history, maintainer, notice });
  });

  page(
    "/admin/installations",
    "Where the GitHub App is installed, a page at a time",
    { query: installationsQuery, badInput: "after is not an installation id" },
    async (c, maintainer, notice) => {
      const { after } = parsePageInput(installationsQuery, c.req.query(), { href: "/admin/installations", label: "The first page" });
      const rows = await installations.listInstallations({ includeDeleted: false, afterId: after, limit: INSTALLATIONS_PER_PAGE + 1 });
      const shown = rows.slice(0, INSTALLATIONS_PER_PAGE);
      const nextAfter = rows.length > INSTALLATIONS_PER_PAGE ? shown[shown.length - 1]!.id : null;
      return installationsPage({ installations: shown, nextAfter, continued: after !== undefined, maintainer, notice });
    },
  );

  page(
    "/admin/readiness",
    "Readiness: accounts missing the App, users losing access, the scan, rate-limit drops, the rollout guard",
    {},
    async (_c, maintainer, notice) => {
      const [summary, drops, guard] = await Promise.all([readiness.report.summary(), readiness.report.rateLimitDrops(), readiness.guard.state()]);
      return readinessPage({ view: { summary, drops, guard }, maintainer, notice });
    },
  );
}

/** A page's path or query parameters; a failure is a 400 page naming each and why, with a way to start over. */
function parsePageInput<T extends z.ZodType>(schema: T, input: Record<string, string>, startOver: { href: string; label: string }): z.output<T> {
  try {
    return parseInput(schema, input, "query parameter");
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    throw new PageError(400, error.code, "This address asks for something the page cannot show", error.message, startOver);
  }
}

/** The maintainers' sign-in, returning to the page asked for (the overview when that is the page, or the path is too long to carry). */
function signInReturningTo(c: Context): string {
  const url = new URL(c.req.url);
  const path = `${url.pathname}${url.search}`;
  if (url.pathname === "/admin" || path.length > 512) return ADMIN_SIGN_IN_PATH;
  return `${ADMIN_SIGN_IN_PATH}&return_to=${encodeURIComponent(path)}`;
}
