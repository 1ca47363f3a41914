// Asks GitHub's authorize page whether it would send users back to our callback URL: GitHub
// redirects an unregistered redirect_uri to the registered callback with `redirect_uri_mismatch`.
// Used by `doctor`; a signed-out GitHub may answer with its sign-in page, which proves nothing.
import type { GitHubEndpoints } from "../config.js";

export type RedirectUriVerdict = "not_refused" | "mismatch" | "unknown_client";

export async function probeRedirectUri({
  github,
  clientId,
  redirectUri,
  timeoutMs,
}: {
  github: GitHubEndpoints;
  clientId: string;
  redirectUri: string;
  timeoutMs: number;
}): Promise<RedirectUriVerdict> {
  const url = new URL("/login/oauth/authorize", github.webBaseUrl);
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("state", "doctor");
  const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  if (response.status === 404) return "unknown_client";
  const location = response.headers.get("location") ?? "";
  return location.includes("error=redirect_uri_mismatch") ? "mismatch" : "not_refused";
}
