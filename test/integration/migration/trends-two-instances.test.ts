// Two app instances on one database, as a scaled-out deployment runs: token requests spread over
// both, then each instance's trends (the admin API and the trends page) answer the same figures,
// and those figures are the whole traffic. The account page (/me) resolves too, and counts nowhere.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { QueryTypes, type Sequelize } from "sequelize";
import type { GitHubSimulator } from "../../../simulator/index.js";
import { connectDatabase } from "../../../src/db/connection.js";
import { findFreePort } from "../../../src/free-port.js";
import { tokenMetrics } from "../../../src/tokens/token-metrics.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { testAppKeyPair } from "../../support/config.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { attributesOfElementWithId } from "../../support/html-attributes.js";
import { Browser, locationOf, signIn } from "../../support/sign-in-fixture.js";
import { startTestSimulator, TEST_APP } from "../../support/simulator-fixture.js";
import { encryptionKey, fetchToken, seedUser, simulatorEnv, type SeededUser } from "../../support/vault-fixture.js";

const MAINTAINER = "trend-maintainer";

let database: TestDatabase;
let simulator: GitHubSimulator;
let pools: Sequelize[] = [];
let apps: TestApp[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ maxConnections: 40 });
  const ports = [await findFreePort(), await findFreePort()];
  // Signing in happens on the first instance; the session cookie is good on both (one secret).
  simulator = await startTestSimulator({
    app: { ...TEST_APP, publicKey: testAppKeyPair().publicKey, callbackUrl: `http://127.0.0.1:${ports[0]}/auth/callback` },
  });
  simulator.addUser({ login: MAINTAINER });
  const shared = {
    TOKEN_ENCRYPTION_KEYS: encryptionKey("trends"),
    SESSION_SECRET: randomBytes(32).toString("hex"),
    ADMIN_API_TOKEN: `admin-${randomBytes(24).toString("hex")}`,
    SERVICE_API_TOKEN: `service-${randomBytes(24).toString("hex")}`,
    GITHUB_CLIENT_ID: TEST_APP.clientId,
    GITHUB_CLIENT_SECRET: TEST_APP.clientSecret,
    ADMIN_GITHUB_LOGINS: MAINTAINER,
  };
  pools = ports.map(() => connectDatabase({ url: database.url, maxConnections: 15 }));
  apps = await Promise.all(
    ports.map((port, index) =>
      startTestApp({ sequelize: pools[index]!, env: simulatorEnv(simulator, { ...shared, PORT: String(port), BASE_URL: `http://127.0.0.1:${port}` }) }),
    ),
  );
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  await Promise.all(pools.map((pool) => pool.close()));
  await simulator?.stop();
  await database?.drop();
});

async function adminGet(app: TestApp, path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${app.url}/api/v1/admin${path}`, { headers: { authorization: `Bearer ${app.services.config.adminApiToken}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

interface TrendsJson {
  generated_at: string;
  status_days: Array<{ day: string; users: Record<string, number>; migrated: number }>;
  activity_hours: Array<{ resolutions: Record<string, number>; fallbacks: Record<string, number>; refreshes: Record<string, number>; reauth_required: number }>;
  fallbacks: { this_hour: { total: number }; last_24_hours: { by_reason: Record<string, number>; total: number } };
}

/** Each counter of the hourly series summed over the 48 hours. */
function summed(trends: TrendsJson) {
  const add = (into: Record<string, number>, counts: Record<string, number>) => {
    for (const [key, count] of Object.entries(counts)) into[key] = (into[key] ?? 0) + count;
  };
  const totals = { resolutions: {}, fallbacks: {}, refreshes: {}, reauth_required: 0 } as {
    resolutions: Record<string, number>;
    fallbacks: Record<string, number>;
    refreshes: Record<string, number>;
    reauth_required: number;
  };
  for (const hour of trends.activity_hours) {
    add(totals.resolutions, hour.resolutions);
    add(totals.fallbacks, hour.fallbacks);
    add(totals.refreshes, hour.refreshes);
    totals.reauth_required += hour.reauth_required;
  }
  return totals;
}

async function promResolutions(): Promise<number> {
  return (await tokenMetrics.resolutions.get()).values.reduce((sum, value) => sum + value.value, 0);
}

async function guardOutcomes(): Promise<number> {
  const [row] = await database.sequelize.query<{ total: number }>("SELECT COALESCE(sum(count), 0)::int AS total FROM token_resolution_outcomes", {
    type: QueryTypes.SELECT,
  });
  return row!.total;
}

describe("trends across two instances", () => {
  it("show the same figures on both, equal to the traffic spread over both, without the account page's views", async () => {
    const services = apps[0]!.services;
    // Through the status machine, so the audit trail tells how each user got where they are.
    const appUsers: SeededUser[] = [];
    for (let index = 0; index < 4; index += 1) appUsers.push(await seedUser(services, simulator, { walkTo: "migrated" }));
    const legacyOnly = [await seedUser(services, simulator, { app: false, legacy: true }), await seedUser(services, simulator, { app: false, legacy: true })];
    const rolledBack = await seedUser(services, simulator, { legacy: true, walkTo: "rolled_back" });
    const refreshFails = await seedUser(services, simulator, { expired: true, walkTo: "migrated" });
    const refreshWorks = await seedUser(services, simulator, { expired: true, walkTo: "migrated" });

    // Token requests alternate between the instances.
    let sent = 0;
    const request = async (user: SeededUser, times: number, status = 200) => {
      for (let index = 0; index < times; index += 1) {
        const answer = await fetchToken(apps[sent++ % 2]!, user.githubId);
        expect(answer.status).toBe(status);
      }
    };
    simulator.injectFault("refresh", { oauthError: "bad_refresh_token" }, 1);
    await request(refreshFails, 3, 409); // the first refresh fails for good; then reauth_required without a refresh
    await request(refreshWorks, 2); // one refresh, then the fresh token
    for (const user of appUsers) await request(user, 5);
    for (const user of legacyOnly) await request(user, 3);
    await request(rolledBack, 2);
    const traffic = sent;
    expect(traffic).toBe(33);
    const promBefore = await promResolutions();

    // A user signed in through the App looks at their page on each instance.
    simulator.addUser({ login: "looks-at-me" });
    const browserA = new Browser(apps[0]!.url);
    await signIn(browserA, { login: "looks-at-me" });
    const browserB = new Browser(apps[1]!.url);
    for (const [name, value] of browserA.cookies) browserB.cookies.set(name, value);
    for (const browser of [browserA, browserB, browserA, browserB, browserA]) {
      const page = await browser.get("/me");
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('id="app-token"');
    }
    expect(await promResolutions()).toBe(promBefore);

    await Promise.all(apps.map((app) => app.services.tokenActivity.flush()));
    expect(await guardOutcomes()).toBe(traffic);

    const [first, second] = (await Promise.all(apps.map((app) => adminGet(app, "/migration/trends")))) as unknown as TrendsJson[];
    expect({ ...second!, generated_at: null }).toEqual({ ...first!, generated_at: null });
    expect(summed(first!)).toEqual({
      resolutions: { github_app_user: 4 * 5 + 2, oauth: 2 * 3 + 2, reauth_required: 3, unavailable: 0 },
      fallbacks: { app_tokens_disabled: 0, not_in_rollout: 0, rolled_back: 2, no_app_token: 6, app_token_unavailable: 0 },
      refreshes: { success: 1, terminal: 1, transient: 0, unknown: 0, lost: 0 },
      reauth_required: 1,
    });
    expect(Object.values(summed(first!).resolutions).reduce((sum, count) => sum + count, 0)).toBe(traffic);
    expect(first!.fallbacks.last_24_hours).toMatchObject({ total: 8, by_reason: { rolled_back: 2, no_app_token: 6 } });

    // Users per status today: what the users table holds now, on both.
    const overviews = await Promise.all(apps.map((app) => adminGet(app, "/migration")));
    expect(overviews[1]!.oauth_fallbacks).toEqual(overviews[0]!.oauth_fallbacks);
    expect(overviews[0]!.oauth_fallbacks).toEqual(first!.fallbacks);
    expect(first!.status_days.at(-1)!.users).toEqual(overviews[0]!.by_status);
    expect(first!.status_days.at(-1)!.users).toEqual({ pending: 2, consent_required: 0, migrated: 6, reauth_required: 1, revoked: 0, failed: 0, rolled_back: 1 });

    // The console's overview on each instance carries the same trend figures (the maintainer signing in is one more migrated user).
    const maintainer = new Browser(apps[0]!.url);
    expect(locationOf(await signIn(maintainer, { login: MAINTAINER }, "/auth/login?purpose=admin"))).toBe("/admin");
    const maintainerB = new Browser(apps[1]!.url);
    for (const [name, value] of maintainer.cookies) maintainerB.cookies.set(name, value);
    const pages = await Promise.all([maintainer, maintainerB].map(async (browser) => (await browser.get("/admin")).text()));
    for (const page of pages) {
      expect(attributesOfElementWithId(page, "trend-resolutions")).toMatchObject({ "data-github-app-user": "22", "data-oauth": "8", "data-reauth-required": "3" });
      expect(attributesOfElementWithId(page, "trend-fallbacks")).toMatchObject({ "data-no-app-token": "6", "data-rolled-back": "2", "data-last-24-hours": "8" });
      expect(attributesOfElementWithId(page, "trend-refreshes")).toMatchObject({ "data-success": "1", "data-terminal": "1" });
      expect(attributesOfElementWithId(page, "trend-reauth-required")).toMatchObject({ "data-total": "1" });
      expect(attributesOfElementWithId(page, "trend-statuses")).toMatchObject({ "data-migrated": "7", "data-reauth-required": "1", "data-pending": "2" });
    }
  });
});
