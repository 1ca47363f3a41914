// The GitHub App web flow over HTTP: GET /auth/login, GET /auth/callback (also the return from
// install-and-authorize) and POST /auth/logout.
import type { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { Logger } from "pino";
import { z } from "zod";
import type { RequestablePurpose, UserAuthorization } from "../auth/authorization.js";
import { CONSENT_LINK_PARAM } from "../auth/consent-links.js";
import type { SessionCookies } from "../auth/session-cookies.js";
import type { SignInCookie } from "../auth/sign-in-cookie.js";
import { formBody, pageAnswer, redirectAnswer } from "./api-description.js";
import { describedQuery } from "./input.js";
import { PageError } from "./pages/page-errors.js";
import { createPageRoutes, csrfForm, sameOriginForms, sessionOfForm } from "./pages/page-routes.js";

const REQUESTABLE_PURPOSES = ["sign_in", "reauthorize", "admin"] as const satisfies readonly RequestablePurpose[];

const loginQuery = z.object({
  purpose: z.enum(REQUESTABLE_PURPOSES).optional().meta({ description: "Why the user signs in (default sign_in)" }),
  return_to: z.string().optional().meta({ description: "Where to go afterwards: one of our own paths" }),
  [CONSENT_LINK_PARAM]: z.string().optional().meta({ description: "A signed consent link reference (migration batches send these)" }),
});

const callbackQuery = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional().meta({ description: "GitHub's error, e.g. access_denied" }),
  installation_id: z.string().optional().meta({ description: "Install-and-authorize: a hint only, confirmed with GET /user/installations" }),
  setup_action: z.string().optional(),
});

interface AuthRoutesOptions {
  userAuthorization: UserAuthorization;
  sessions: SessionCookies;
  signInCookie: SignInCookie;
  baseUrl: string;
  log: Logger;
}

export function authRoutes({ userAuthorization, sessions, signInCookie, baseUrl, log }: AuthRoutesOptions): Hono {
  const routes = createPageRoutes({ paths: ["/auth/*"], log });

  routes.get(
    "/auth/login",
    describeRoute({
      tags: ["auth"],
      summary: "Start the GitHub App web flow (state + PKCE S256, bound to this browser by a cookie)",
      responses: {
        302: redirectAnswer("To GitHub's authorize page"),
        400: pageAnswer("HTML: unknown purpose, a return path that is not ours, or a bad consent link"),
      },
    }),
    describedQuery(loginQuery),
    async (c) => {
      const purpose = c.req.query("purpose") ?? "sign_in";
      if (!(REQUESTABLE_PURPOSES as readonly string[]).includes(purpose)) {
        throw new PageError(400, "invalid_purpose", "Unknown sign-in purpose", `"${purpose}" is not a way to sign in here.`);
      }
      const { authorizeUrl, state } = await userAuthorization.begin({
        purpose: purpose as RequestablePurpose,
        returnTo: c.req.query("return_to"),
        consent: c.req.query(CONSENT_LINK_PARAM),
      });
      await signInCookie.remember(c, state);
      return c.redirect(authorizeUrl, 302);
    },
  );

  routes.get(
    "/auth/callback",
    describeRoute({
      tags: ["auth"],
      summary: "GitHub's return from the web flow; also the return from install-and-authorize",
      responses: {
        302: redirectAnswer("Signed in: to the return path; a return without our state: back to /auth/login"),
        400: pageAnswer("HTML: a bad or expired state, another browser's sign-in, or a denied authorization"),
        403: pageAnswer("HTML: a consent link completed as another GitHub account (the token just issued is revoked)"),
      },
    }),
    describedQuery(callbackQuery),
    async (c) => {
      const query = c.req.query();
      // Installing from GitHub's own pages returns here with a code (and installation_id) but
      // without a state of ours. Such a code could have been minted for anyone's account (login
      // CSRF) and carries no PKCE, so it is never redeemed: the user goes through our own flow,
      // which GitHub completes at once for an app they have just authorized.
      if (query.state === undefined && query.error === undefined && (query.code !== undefined || query.installation_id !== undefined)) {
        log.info(
          { event: "auth.stateless_return", installation_id: query.installation_id ?? null, setup_action: query.setup_action ?? null },
          "install-and-authorize return without state; restarting the web flow",
        );
        return c.redirect("/auth/login?return_to=%2Fme", 302);
      }
      const browserState = await signInCookie.read(c);
      const signedIn = await userAuthorization.complete({
        state: query.state,
        browserState,
        code: query.code,
        error: query.error,
        installationId: query.installation_id,
      });
      signInCookie.forget(c);
      await sessions.start(c, signedIn.githubId);
      return c.redirect(signedIn.returnTo, 302);
    },
  );

  routes.post(
    "/auth/logout",
    describeRoute({
      tags: ["auth"],
      summary: "Sign out",
      requestBody: formBody(csrfForm),
      responses: { 303: redirectAnswer("To /"), 403: pageAnswer("HTML: a cross-site form or a wrong CSRF token") },
    }),
    sameOriginForms(baseUrl),
    async (c) => {
      await sessionOfForm(c, sessions);
      sessions.end(c);
      return c.redirect("/", 303);
    },
  );

  return routes;
}
