// What every group of HTML routes shares: no caching, errors rendered as pages, and protection of
// their forms (same-origin check plus the session's CSRF token).
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import { z } from "zod";
import type { Session, SessionCookies } from "../../auth/session-cookies.js";
import { authErrorPages } from "./auth-error-pages.js";
import { createPageErrorResponder, PageError, type PageErrorTranslator } from "./page-errors.js";

/**
 * A route group for `paths`. Middleware is scoped to those paths: mounted at "/", an unscoped one
 * would wrap (and render as HTML) the errors of every other group too.
 */
export function createPageRoutes({
  paths,
  log,
  errorPages = [],
}: {
  paths: string[];
  log: Logger;
  /** The group's own errors as pages, tried before the sign-in ones. */
  errorPages?: PageErrorTranslator[];
}): Hono {
  const routes = new Hono();
  for (const path of paths) {
    routes.use(path, async (c, next) => {
      await next();
      // Pages carry CSRF tokens and account details; OAuth returns carry codes. None may be cached.
      c.header("Cache-Control", "no-store");
    });
  }
  routes.onError(createPageErrorResponder([...errorPages, authErrorPages], log));
  return routes;
}

/** The field every form of ours carries: the session's CSRF token. */
export const csrfForm = z.object({ csrf_token: z.string().meta({ description: "The session's CSRF token (a hidden field of the page)" }) });

/** Refuses form posts whose Origin (or Sec-Fetch-Site) is not ours, as a page instead of hono's bare 403. */
export function sameOriginForms(baseUrl: string): MiddlewareHandler {
  const check = csrf({ origin: new URL(baseUrl).origin });
  return async (c, next) => {
    let passed = false;
    try {
      await check(c, async () => {
        passed = true;
      });
    } catch (error) {
      if (!(error instanceof HTTPException)) throw error;
    }
    if (!passed) throw forbiddenForm();
    await next();
  };
}

/** The signed-in session whose CSRF token the posted form carries; throws a 403 page otherwise. */
export async function sessionOfForm(c: Context, sessions: SessionCookies): Promise<Session | null> {
  const session = await sessions.read(c);
  if (!session) return null;
  const body = await c.req.parseBody();
  const token = typeof body.csrf_token === "string" ? body.csrf_token : undefined;
  if (!sessions.csrfTokenMatches(session, token)) throw forbiddenForm();
  return session;
}

function forbiddenForm(): PageError {
  return new PageError(
    403,
    "csrf_refused",
    "That form could not be accepted",
    "The form was not sent from this site's own page, or the page was too old. Reload the page and try again.",
    { href: "/me", label: "Back to your account" },
  );
}
