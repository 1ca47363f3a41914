// Shared by the dashboard's integration and browser tests: the sign-in world with maintainers
// configured, users walked to a status through the status machine (so their events are real), and
// a maintainer's signed-in browser.
import type { MigrationStatus } from "../../../src/db/models/index.js";
import { transitionUser } from "../../../src/users/status-machine.js";
import { Browser, locationOf, signIn, startSignInWorld, type SignInWorld } from "../auth/sign-in-fixture.js";
import { seedUser, type SeededUser } from "../tokens/vault-fixture.js";

export const MAINTAINER = "mona-maintainer";

export async function startDashboardWorld(): Promise<SignInWorld> {
  const world = await startSignInWorld({ env: { ADMIN_GITHUB_LOGINS: `${MAINTAINER},someone-else` } });
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

/** Each status reached from a fresh user by legal steps, with the reason each step records. */
const PATHS: Record<MigrationStatus, Array<[MigrationStatus, string]>> = {
  pending: [],
  consent_required: [["consent_required", "no GitHub App token; consent link issued"]],
  migrated: [["migrated", "App token validated"]],
  reauth_required: [
    ["migrated", "App token validated"],
    ["reauth_required", "refresh failed: bad_refresh_token"],
  ],
  revoked: [
    ["migrated", "App token validated"],
    ["revoked", "github_app_authorization.revoked"],
  ],
  failed: [["failed", "validation failed: the token belongs to another user"]],
  rolled_back: [["rolled_back", "rolled back by a maintainer"]],
};

/** A user known to the simulator, with a legacy token and (unless `app: false`) an App token, walked to `status`. */
export async function seedUserWithStatus(
  world: SignInWorld,
  status: MigrationStatus,
  { app = true, legacy = true }: { app?: boolean; legacy?: boolean } = {},
): Promise<SeededUser> {
  const { services } = world.app;
  const seeded = await seedUser(services, world.simulator, { app, legacy, status: "pending" });
  await services.models.sequelize.transaction(async (transaction) => {
    for (const [to, reason] of PATHS[status]) {
      await transitionUser(services.models, { user: seeded.user, to, reason, actor: "system", transaction });
    }
  });
  return seeded;
}
