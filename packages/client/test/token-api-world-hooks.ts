// A test file's token API world (test/support/token-api-world.ts): started before its tests, counts
// and faults reset before each, stopped after them.
import { afterAll, beforeAll, beforeEach } from "@jest/globals";
import { startTokenApiWorld, type TokenApiWorld } from "../../../test/support/token-api-world.js";

export function useTokenApiWorld(): { readonly world: TokenApiWorld } {
  let world: TokenApiWorld | undefined;
  beforeAll(async () => {
    world = await startTokenApiWorld();
  });
  afterAll(() => world?.stop());
  beforeEach(() => {
    world?.proxy.reset();
    world?.simulator.clearFaults();
    world?.simulator.counters.reset();
  });
  return {
    get world() {
      if (!world) throw new Error("the token API world starts in beforeAll; read it inside a test");
      return world;
    },
  };
}
