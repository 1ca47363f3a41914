// The HTML GitHub shows at /login/oauth/authorize, reduced to what a test or a demo needs: pick a
// seeded user and Authorize, or Cancel. Every original parameter travels on in hidden inputs.
import type { SimulatorInstallation, SimulatorUser } from "./types.js";

/** Phones get the page at their own width, and a little type so the list of accounts is readable. */
const HEAD = `<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<style>:root{color-scheme:light dark}body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:1rem auto;padding:0 1rem;overflow-wrap:anywhere}
li{margin:0 0 .5rem}button{font:inherit;margin:.25rem 0}</style>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function hiddenInputs(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
}

export function authorizePage(options: { appName: string; users: SimulatorUser[]; suggestedLogin: string | undefined; params: Record<string, string> }): string {
  const suggested = options.suggestedLogin?.toLowerCase();
  // The suggested account first, then people with a display name (the demo's named users) before
  // the hundreds of generated ones.
  const rank = (user: SimulatorUser) => (user.login.toLowerCase() === suggested ? 0 : user.name ? 1 : 2);
  const users = [...options.users].sort((a, b) => rank(a) - rank(b));
  const rows = users
    .map(
      (user) => `<li><form method="post" action="/login/oauth/authorize">${hiddenInputs(options.params)}
<input type="hidden" name="login" value="${escapeHtml(user.login)}">
<span class="login">${escapeHtml(user.login)}</span>${user.name ? ` <span class="name">(${escapeHtml(user.name)})</span>` : ""}
<button type="submit" name="decision" value="authorize" data-login="${escapeHtml(user.login)}">Authorize ${escapeHtml(options.appName)} as ${escapeHtml(user.login)}</button>
</form></li>`,
    )
    .join("\n");
  const cancelLogin = users[0]?.login ?? "";
  return `<!doctype html>
<html lang="en"><head>${HEAD}<title>Authorize ${escapeHtml(options.appName)}</title></head>
<body>
<h1>Authorize ${escapeHtml(options.appName)}</h1>
<p>GitHub simulator: choose the account to sign in as.</p>
<ul class="users">
${rows}
</ul>
<form method="post" action="/login/oauth/authorize">${hiddenInputs(options.params)}<input type="hidden" name="login" value="${escapeHtml(cancelLogin)}">
<button type="submit" name="decision" value="cancel">Cancel</button>
</form>
</body></html>`;
}

export function notFoundPage(): string {
  return `<!doctype html><html lang="en"><head>${HEAD}<title>Page not found</title></head><body><h1>404</h1><p>This is not the web page you are looking for.</p></body></html>`;
}

/** What a person opening the simulator's root sees: who can sign in, and what is installed where. */
export function homePage(options: { users: SimulatorUser[]; installations: SimulatorInstallation[] }): string {
  const users = options.users.map((user) => `<li>${escapeHtml(user.login)}${user.name ? ` (${escapeHtml(user.name)})` : ""}</li>`).join("");
  const installations = options.installations
    .map(
      (installation) =>
        `<li>${escapeHtml(installation.account.login)} (${installation.account.type}, installation ${installation.id}): ` +
        `${installation.repositories.map((repository) => escapeHtml(repository.fullName)).join(", ") || "all repositories"}</li>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head>${HEAD}<title>GitHub simulator</title></head>
<body>
<h1>GitHub simulator</h1>
<p>This server stands in for GitHub (Enterprise Server layout): the app sends users here to authorize, and calls its REST API under <code>/api/v3</code>.</p>
<h2>Users you can sign in as</h2><ul>${users}</ul>
<h2>Installations of the App</h2><ul>${installations}</ul>
</body></html>`;
}
