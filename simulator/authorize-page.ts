// The HTML GitHub shows at /login/oauth/authorize, reduced to what a test or a demo needs: pick a
// seeded user and Authorize, or Cancel. Every original parameter travels on in hidden inputs.
import type { SimulatorUser } from "./types.js";

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
  const users = [...options.users].sort((a, b) => Number(b.login.toLowerCase() === suggested) - Number(a.login.toLowerCase() === suggested));
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
<html lang="en"><head><meta charset="utf-8"><title>Authorize ${escapeHtml(options.appName)}</title></head>
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
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page not found</title></head><body><h1>404</h1><p>This is not the web page you are looking for.</p></body></html>`;
}
