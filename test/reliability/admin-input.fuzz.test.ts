// Random JSON bodies (and random JSON lines) to every admin write route: never a 5xx, and whenever
// the request is refused, nothing at all is written.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { FLAG_NAMES } from "../../src/users/flags.js";
import { seedUser, startVaultWorld, type SeededUser, type VaultWorld } from "../support/vault-fixture.js";
import { rawRequest } from "./raw-request.js";
import { ReliabilityTally } from "./reliability-tally.js";
import { snapshotDatabase } from "./snapshot-database.js";

const RUNS = process.env.RELIABILITY_HEAVY === "1" ? 500 : 60;
let world: VaultWorld;
let user: SeededUser;
const tally = new ReliabilityTally();

beforeAll(async () => {
  world = await startVaultWorld();
  user = await seedUser(world.app.services, world.simulator);
});
afterAll(async () => {
  await world?.stop();
  tally.print();
});

const routes = () => [
  ["POST", "/api/v1/admin/migration/batches"],
  ["POST", "/api/v1/admin/migration/rollback"],
  ["POST", "/api/v1/admin/migration/reenable"],
  ["POST", "/api/v1/admin/migration/cleanup"],
  ["POST", `/api/v1/admin/users/${user.githubId}/validate`],
  ["POST", `/api/v1/admin/users/${user.githubId}/rollback`],
  ["POST", `/api/v1/admin/users/${user.githubId}/reenable`],
  ...FLAG_NAMES.map((name) => ["PUT", `/api/v1/admin/flags/${name}`]),
] as Array<[string, string]>;

/** Mostly objects (what the routes expect, so validation is exercised past the first check), sometimes anything. */
const body = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom("size", "dry_run", "confirm", "reason", "value", "validated_within_days", "__proto__"), fc.string()), fc.jsonValue({ maxDepth: 2 })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

async function sendAndCheck(method: string, path: string, payload: string, contentType = "application/json") {
  const before = await snapshotDatabase(world.database.sequelize);
  const response = await rawRequest(world.app.url, {
    method,
    path,
    headers: { authorization: `Bearer ${world.app.services.config.adminApiToken}`, "content-type": contentType },
    body: payload,
  });
  const refused = response.status >= 400;
  const wrote = refused && JSON.stringify(await snapshotDatabase(world.database.sequelize)) !== JSON.stringify(before);
  tally.record("inputs (fuzz)", "accepted bad", { bad: response.status >= 500 || wrote ? 1 : 0 });
  expect({ path, payload: payload.slice(0, 200), status: response.status < 500 }).toEqual({ path, payload: payload.slice(0, 200), status: true });
  expect({ path, payload: payload.slice(0, 200), wrote }).toEqual({ path, payload: payload.slice(0, 200), wrote: false });
}

describe("random input to the admin API", () => {
  it("random JSON bodies never cause a 5xx, and refused ones write nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), body, async (pick, payload) => {
        const all = routes();
        const [method, path] = all[pick % all.length]!;
        await sendAndCheck(method, path, JSON.stringify(payload));
      }),
      { numRuns: RUNS },
    );
  });

  it("random JSON lines to the import never cause a 5xx, and refused ones write nothing", async () => {
    const line = fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)), fc.string());
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 5 }), async (lines) => {
        await sendAndCheck("POST", "/api/v1/admin/users/import", lines.join("\n"), "application/x-ndjson");
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});
