// What the application's clients are tested against: a real app instance on a fresh database,
// talking to the GitHub simulator, behind a counting proxy (test/support/counting-proxy.ts).
import { seedUser, startVaultWorld, type SeededUser, type VaultWorld } from "./vault-fixture.js";
import { startCountingProxy, type CountingProxy } from "./counting-proxy.js";

export interface TokenApiWorld extends VaultWorld {
  /** In front of the app: clients are pointed at `proxy.url`. */
  proxy: CountingProxy;
  serviceToken: string;
  /** The simulator's REST API root, where a user's token is used. */
  githubApiUrl: string;
  seedUser(options?: Parameters<typeof seedUser>[2]): Promise<SeededUser>;
}

export async function startTokenApiWorld(): Promise<TokenApiWorld> {
  const world = await startVaultWorld();
  const proxy = await startCountingProxy(world.app.url);
  const stopWorld = world.stop.bind(world);
  return Object.assign(world, {
    proxy,
    serviceToken: world.app.services.config.serviceApiToken,
    githubApiUrl: `${world.simulator.url}/api/v3`,
    seedUser: (options: Parameters<typeof seedUser>[2] = {}) => seedUser(world.app.services, world.simulator, options),
    stop: async () => {
      await proxy.stop();
      await stopWorld();
    },
  });
}
