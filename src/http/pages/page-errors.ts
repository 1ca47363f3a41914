// Errors of the HTML routes become pages here, once: the user reads what happened and what to do,
// operators get one structured log line with the error code. Never a stack trace or a token.
import type { Context } from "hono";
import { html } from "hono/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import { HttpError } from "../errors.js";
import { layout } from "./layout.js";

export class PageError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    /** Stable code for logs and tests. */
    readonly code: string,
    readonly title: string,
    /** What happened, in the user's words. */
    readonly explanation: string,
    /** Where the user can go next. */
    readonly next: { href: string; label: string } = { href: "/", label: "Back to the start page" },
  ) {
    super(explanation);
    this.name = "PageError";
  }
}

/** Like the JSON API's ErrorTranslator: each capability maps its own errors to a page once. */
export type PageErrorTranslator = (error: unknown) => PageError | undefined;

export function createPageErrorResponder(translators: PageErrorTranslator[], log: Logger) {
  return (error: unknown, c: Context) => {
    const page = toPage(translators, error);
    c.header("Cache-Control", "no-store");
    if (page) {
      // The visitor's mistake or a passing outage, already answered with a page: not the maintainer's concern.
      log[page.status >= 500 && page.status !== 503 ? "warn" : "info"](
        { event: "page.error", error_code: page.code, status: page.status, method: c.req.method, path: c.req.path, cause: describe(error) },
        page.title,
      );
      return c.html(errorPage(page), page.status);
    }
    log.error({ err: error, method: c.req.method, path: c.req.path }, "unhandled error in a page route");
    return c.html(
      errorPage(new PageError(500, "internal_error", "Something went wrong", "Something went wrong on our side; it has been logged.")),
      500,
    );
  };
}

function toPage(translators: PageErrorTranslator[], error: unknown): PageError | undefined {
  if (error instanceof PageError) return error;
  for (const translator of translators) {
    const page = translator(error);
    if (page) return page;
  }
  if (error instanceof HttpError) return new PageError(error.status, error.code, "Request refused", error.message);
  return undefined;
}

function errorPage(page: PageError) {
  return layout({
    title: page.title,
    body: html`<p role="alert">${page.explanation}</p>
      <p><a href="${page.next.href}">${page.next.label}</a></p>`,
  });
}

/** The error's class and GitHub code, for the log line; never its message's secrets (there are none) nor its stack. */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const { code, status } = error as { code?: unknown; status?: unknown };
  return { type: error.name, message: error.message, ...(code !== undefined ? { code } : {}), ...(status !== undefined ? { status } : {}) };
}
