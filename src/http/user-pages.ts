// The user's own pages: GET / (connect), GET /me (which token is in use, expiry, installations)
// and POST /me/disconnect.
import type { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { Logger } from "pino";
import { z } from "zod";
import type { AccountOverviews } from "../auth/account-overview.js";
import type { Disconnection } from "../auth/disconnection.js";
import type { SessionCookies } from "../auth/session-cookies.js";
import { formBody, pageAnswer, redirectAnswer } from "./api-description.js";
import { describedQuery } from "./input.js";
import { landingPage } from "./pages/landing-page.js";
import { mePage } from "./pages/me-page.js";
import { createPageRoutes, csrfForm, sameOriginForms, sessionOfForm } from "./pages/page-routes.js";

const NOTICES: Record<string, string> = {
  disconnected: "The GitHub App token was revoked at GitHub and deleted here.",
  "nothing-to-disconnect": "There was no GitHub App token to disconnect.",
};

const meQuery = z.object({
  done: z
    .enum(Object.keys(NOTICES) as [string, ...string[]])
    .optional()
    .meta({ description: "What just finished, shown as a notice" }),
});

interface UserPagesOptions {
  accountOverviews: AccountOverviews;
  disconnection: Disconnection;
  sessions: SessionCookies;
  baseUrl: string;
  log: Logger;
}

export function userPages({ accountOverviews, disconnection, sessions, baseUrl, log }: UserPagesOptions): Hono {
  const routes = createPageRoutes({ paths: ["/", "/me", "/me/*"], log });

  routes.get(
    "/",
    describeRoute({ tags: ["user"], summary: "The connect page", responses: { 200: pageAnswer("HTML") } }),
    async (c) => c.html(landingPage({ signedIn: (await sessions.read(c)) !== null })),
  );

  routes.get(
    "/me",
    describeRoute({
      tags: ["user"],
      summary: "The signed-in user's page: which token is in use, its expiry, installations; re-authorize and disconnect",
      responses: { 200: pageAnswer("HTML"), 302: redirectAnswer("Not signed in (or no longer known): to /") },
    }),
    describedQuery(meQuery),
    async (c) => {
      const session = await sessions.read(c);
      if (!session) return c.redirect("/", 302);
      const account = await accountOverviews.describe(session.githubId);
      if (!account) {
        sessions.end(c);
        return c.redirect("/", 302);
      }
      return c.html(mePage({ account, csrfToken: sessions.csrfToken(session), notice: NOTICES[c.req.query("done") ?? ""] ?? null }));
    },
  );

  routes.post(
    "/me/disconnect",
    describeRoute({
      tags: ["user"],
      summary: "Disconnect: revoke the App token at GitHub, then forget it (refreshed first if due)",
      requestBody: formBody(csrfForm),
      responses: {
        303: redirectAnswer("Back to /me?done=disconnected (or nothing-to-disconnect); to / when not signed in"),
        403: pageAnswer("HTML: a cross-site form or a wrong CSRF token"),
      },
    }),
    sameOriginForms(baseUrl),
    async (c) => {
      const session = await sessionOfForm(c, sessions);
      if (!session) return c.redirect("/", 303);
      const outcome = await disconnection.disconnect(session.githubId);
      return c.redirect(outcome === "revoked" ? "/me?done=disconnected" : "/me?done=nothing-to-disconnect", 303);
    },
  );

  return routes;
}
