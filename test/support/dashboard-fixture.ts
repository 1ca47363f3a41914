// Shared by the dashboard's integration and browser tests: the sign-in world with maintainers
// configured, and a maintainer's signed-in browser. Users: seedUser(…, { walkTo }) in vault-fixture.ts.
import { Browser, locationOf, signIn, startSignInWorld, type SignInWorld, type SignInWorldOptions } from "./sign-in-fixture.js";

export const MAINTAINER = "mona-maintainer";

/** `connect` as startSignInWorld's (e.g. a connection that records every statement). */
export async function startDashboardWorld({ connect }: Pick<SignInWorldOptions, "connect"> = {}): Promise<SignInWorld> {
  const world = await startSignInWorld({ env: { ADMIN_GITHUB_LOGINS: `${MAINTAINER},someone-else` }, connect });
  world.simulator.addUser({ login: MAINTAINER });
  return world;
}

/** A browser signed in through `/auth/login?purpose=admin` as `login`; throws unless it lands on /admin. */
export async function signedInBrowser(world: SignInWorld, login: string): Promise<Browser> {
  const browser = new Browser(world.app.url);
  const callback = await signIn(browser, { login }, "/auth/login?purpose=admin");
  if (locationOf(callback) !== "/admin") throw new Error(`signing in as ${login} returned to ${locationOf(callback)}`);
  return browser;
}
