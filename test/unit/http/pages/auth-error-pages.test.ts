import { describe, expect, it } from "@jest/globals";
import { Hono } from "hono";
import { IdentityMismatchError } from "../../../../src/auth/errors.js";
import { GitHubRequestRejectedError } from "../../../../src/github/errors.js";
import { authErrorPages } from "../../../../src/http/pages/auth-error-pages.js";
import { createPageErrorResponder } from "../../../../src/http/pages/page-errors.js";
import { captureLog } from "../../../support/app.js";

async function pageFor(error: unknown) {
  const { log, lines } = await captureLog("warn");
  const app = new Hono();
  app.get("/auth/callback", () => {
    throw error;
  });
  app.onError(createPageErrorResponder([authErrorPages], log));
  const response = await app.request("/auth/callback");
  return { response, html: await response.text(), lines: lines() };
}

describe("error pages", () => {
  it("escape what they show", async () => {
    const { html } = await pageFor(new IdentityMismatchError("<script>alert(1)</script>", "bob", true));
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("give the user a clear page and operators one structured line with GitHub's error code", async () => {
    const { response, html, lines } = await pageFor(
      new GitHubRequestRejectedError("exchange web flow code: unverified_user_email (verify it)", 200, "unverified_user_email"),
    );
    expect(response.status).toBe(403);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(html).toContain("Verify your e-mail address on GitHub first");
    expect(html).not.toContain("exchange web flow code");
    expect(lines).toEqual([expect.objectContaining({ event: "page.error", error_code: "unverified_user_email", status: 403, path: "/auth/callback" })]);
    expect(JSON.stringify(lines)).not.toContain('"stack"');
  });

  it("hide unexpected errors behind a generic page, logging them in full", async () => {
    const { response, html, lines } = await pageFor(new Error("database on fire"));
    expect(response.status).toBe(500);
    expect(html).not.toContain("database on fire");
    expect(lines[0]).toMatchObject({ msg: "unhandled error in a page route" });
  });
});
