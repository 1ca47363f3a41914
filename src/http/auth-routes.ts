// The GitHub App web flow over HTTP: GET /auth/login, GET /auth/callback (also the return from
// install-and-authorize) and POST /auth/logout.
import type { Hono } from "hono";
import type { Logger } from "pino";
import type { RequestablePurpose, UserAuthorization } from "../auth/authorization.js";
import { CONSENT_LINK_PARAM } from "../auth/consent-links.js";
import type { SessionCookies } from "../auth/session-cookies.js";
import type { SignInCookie } from "../auth/sign-in-cookie.js";
import { PageError } from "./pages/page-errors.js";
import { createPageRoutes, sameOriginForms, sessionOfForm } from "./pages/page-routes.js";

const REQUESTABLE_PURPOSES: readonly RequestablePurpose[] = ["sign_in", "reauthorize", "admin"];

interface AuthRoutesOptions {
  userAuthorization: UserAuthorization;
  sessions: SessionCookies;
  signInCookie: SignInCookie;
  baseUrl: string;
  log: Logger;
}

export function authRoutes({ userAuthorization, sessions, signInCookie, baseUrl, log }: AuthRoutesOptions): Hono {
  const routes = createPageRoutes({ paths: ["/auth/*"], log });

  routes.get("/auth/login", async (c) => {
    const purpose = c.req.query("purpose") ?? "sign_in";
    if (!REQUESTABLE_PURPOSES.includes(purpose as RequestablePurpose)) {
      throw new PageError(400, "invalid_purpose", "Unknown sign-in purpose", `"${purpose}" is not a way to sign in here.`);
    }
    const { authorizeUrl, state } = await userAuthorization.begin({
      purpose: purpose as RequestablePurpose,
      returnTo: c.req.query("return_to"),
      consent: c.req.query(CONSENT_LINK_PARAM),
    });
    await signInCookie.remember(c, state);
    return c.redirect(authorizeUrl, 302);
  });

  routes.get("/auth/callback", async (c) => {
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
  });

  routes.post("/auth/logout", sameOriginForms(baseUrl), async (c) => {
    await sessionOfForm(c, sessions);
    sessions.end(c);
    return c.redirect("/", 303);
  });

  return routes;
}
