// Shared by the console's integration and browser tests: the sign-in world with maintainers
// configured, a maintainer's signed-in browser, and thousands of users at once to search among.
// Users with tokens and a history: seedUser(…, { walkTo }) in vault-fixture.ts.
import type { Sequelize } from "sequelize";
import type { MigrationStatus } from "../../src/db/models/index.js";
import { Browser, csrfTokenIn, locationOf, signIn, startSignInWorld, type SignInWorld, type SignInWorldOptions } from "./sign-in-fixture.js";

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

/** The dashboard world with the maintainer signed in, and their session's CSRF token (for posting forms). */
export async function startSignedInConsole(): Promise<{ world: SignInWorld; maintainer: Browser; csrfToken: string }> {
  const world = await startDashboardWorld();
  const maintainer = await signedInBrowser(world, MAINTAINER);
  return { world, maintainer, csrfToken: csrfTokenIn(await (await maintainer.get("/admin")).text()) };
}

interface ManyUsers {
  count: number;
  /** Logins are `${prefix}-00001`, `${prefix}-00002`, …; GitHub ids `firstGithubId` and up. */
  prefix: string;
  firstGithubId: number;
  status?: MigrationStatus;
  /** Every row's last change; a spread of one second per user (the last newest) when absent. */
  updatedAt?: Date;
}

/**
 * Users for the console to search among, in one INSERT … generate_series: 10,000 in well under a
 * second. They hold no token (the pages never show one anyway) and have no history.
 */
export async function seedManyUsers(sequelize: Sequelize, { count, prefix, firstGithubId, status = "pending", updatedAt }: ManyUsers): Promise<void> {
  await sequelize.query(
    `INSERT INTO users (github_id, login, token_migration_status, created_at, updated_at)
     SELECT :firstGithubId + n - 1, :prefix || '-' || lpad(n::text, 5, '0'), :status, now(),
            COALESCE(CAST(:updatedAt AS timestamptz), now() - (:count - n) * interval '1 second')
       FROM generate_series(1, :count) AS n`,
    { replacements: { count, prefix, firstGithubId, status, updatedAt: updatedAt ?? null } },
  );
}
