// GET /: what this is and the one thing to do here.
import { html } from "hono/html";
import { layout, type Markup } from "./layout.js";

export function landingPage({ signedIn }: { signedIn: boolean }): Markup {
  return layout({
    title: "Connect your GitHub account",
    body: html`<p>This application is moving to a GitHub App. Authorize it once, and it acts with the
        permissions you and your organization's installation both allow, with tokens that expire on their own.</p>
      ${signedIn
        ? html`<p><a class="call-to-action" href="/me">See your account</a></p>`
        : html`<p><a class="call-to-action" href="/auth/login">Connect GitHub</a></p>`}`,
  });
}
