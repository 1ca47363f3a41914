// GET /admin/trends: the trends section on a page of its own, for maintainers (until the overview
// page shows the section).
import { html } from "hono/html";
import type { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { Logger } from "pino";
import type { MaintainerAccess } from "../../auth/maintainer-access.js";
import type { SessionCookies } from "../../auth/session-cookies.js";
import type { CampaignTrends } from "../../migration/trends.js";
import { pageAnswer, redirectAnswer } from "../api-description.js";
import { layout } from "../pages/layout.js";
import { createPageRoutes } from "../pages/page-routes.js";
import { ADMIN_SIGN_IN_PATH, maintainerOfPage } from "./dashboard-access.js";
import { dashboardErrorPages } from "./dashboard-error-pages.js";
import { trendsSection } from "./trends-section.js";

export const TRENDS_PAGE_PATH = "/admin/trends";

interface TrendsRoutesOptions {
  trends: CampaignTrends;
  maintainers: MaintainerAccess;
  sessions: SessionCookies;
  log: Logger;
}

export function trendsRoutes({ trends, maintainers, sessions, log }: TrendsRoutesOptions): Hono {
  const routes = createPageRoutes({ paths: [TRENDS_PAGE_PATH], log, errorPages: [dashboardErrorPages] });
  routes.get(
    TRENDS_PAGE_PATH,
    describeRoute({
      tags: ["dashboard"],
      summary: "The trends as charts: users per status per day; resolutions, fallbacks, refreshes and reauth_required per hour (every instance's)",
      responses: {
        200: pageAnswer("HTML"),
        302: redirectAnswer(`Not signed in: to ${ADMIN_SIGN_IN_PATH}`),
        403: pageAnswer("HTML: signed in, but the login is not in ADMIN_GITHUB_LOGINS"),
      },
    }),
    async (c) => {
      const maintainer = await maintainerOfPage(c, { sessions, maintainers });
      if (!maintainer) return c.redirect(ADMIN_SIGN_IN_PATH, 302);
      const view = await trends.view();
      return c.html(
        layout({
          title: "Migration trends",
          width: "wide",
          body: html`<p><a href="/admin">Back to the dashboard</a> · signed in as <strong>${maintainer.login}</strong></p>
      ${trendsSection(view)}`,
        }),
      );
    },
  );
  return routes;
}
