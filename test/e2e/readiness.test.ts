// The console's Readiness page in headless Chromium at a desktop and a phone width: after a
// readiness scan over users reading an organization without the App, a `selected` installation
// missing a repository, and one user whose rate limit drops; with the rollout guard tripped.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import type { SignInWorld } from "../support/sign-in-fixture.js";
import { MAINTAINER, startDashboardWorld } from "../support/dashboard-fixture.js";
import { seedUser } from "../support/vault-fixture.js";
import { launchChromium } from "./chromium.js";

let world: SignInWorld;
let browser: Browser;

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchChromium()]);
  const { services } = world.app;
  const { simulator } = world;
  const users = await Promise.all([1, 2, 3].map(() => seedUser(services, simulator, { app: false, legacy: true })));
  const logins = users.map((user) => user.login);
  simulator.addOrganization({ login: "octo-org", members: logins });
  simulator.addOrganization({ login: "octo-labs", members: logins.slice(0, 2) });
  simulator.addOrganization({ login: "picky-org", members: logins.slice(2) });
  for (const name of ["hello-world", "spoon-knife"]) simulator.addRepository({ owner: "octo-org", name });
  for (const name of ["experiments", "prototype", "benchmarks"]) simulator.addRepository({ owner: "octo-labs", name });
  for (const name of ["chosen", "forgotten"]) simulator.addRepository({ owner: "picky-org", name });
  simulator.addInstallation({ account: { login: "octo-org" }, repositorySelection: "all" });
  simulator.addInstallation({ account: { login: "picky-org" }, repositorySelection: "selected", repositories: [{ name: "chosen" }] });
  simulator.setRateLimit("legacy", 15_000, { login: logins[2]! });
  const appUser = await seedUser(services, simulator, { app: true, legacy: true });
  simulator.addOrganization({ login: "enterprise-org", members: [appUser.login] });
  simulator.addRepository({ owner: "enterprise-org", name: "internal" });
  simulator.setRateLimit("legacy", 15_000, { login: appUser.login });
  await services.installationReconciliation.runPass();
  await services.readinessScan.start({ actor: MAINTAINER });
  await services.readinessScan.runPass();
  await services.flags.set({ name: "rollout_guard_enabled", value: true, actor: MAINTAINER });
  // What the instances' resolutions looked like when the guard tripped.
  await services.models.sequelize.query(
    `INSERT INTO token_resolution_outcomes (minute, instance_id, outcome, count)
     VALUES (date_trunc('minute', now()), 'e2e', 'served', 44), (date_trunc('minute', now()), 'e2e', 'reauth_required', 12),
            (date_trunc('minute', now()), 'e2e', 'refresh_failed', 8)`,
  );
  await services.models.sequelize.query(
    `INSERT INTO rollout_guard_events (kind, reason, actor, figures)
     VALUES ('tripped', '31.2% of 64 token resolutions in the last 15 min ended reauth_required (12) or in a failed refresh (8), above the 5% threshold, while 1 batch(es) running', 'system', '{}')`,
  );
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

describe("the Readiness page", () => {
  it.each([1280, 390])("shows accounts missing the App with install links, rate-limit drops and the guard at %i px", async (width) => {
    const context = await browser.newContext({ viewport: { width, height: 900 }, baseURL: world.app.url });
    const page = await context.newPage();
    await page.goto("/admin/readiness");
    await page.waitForURL(`${world.simulator.url}/login/oauth/authorize**`);
    await page.locator(`button[data-login="${MAINTAINER}"]`).click();
    await page.waitForURL(`${world.app.url}/admin/readiness`);

    const section = page.locator("#readiness");
    await section.waitFor();
    const rows = await page.locator("#missing-accounts-table tbody tr").allTextContents();
    expect(rows.map((row) => row.replace(/\s+/g, " ").trim())).toEqual([
      "octo-labs 2 3 Install on octo-labs",
      "enterprise-org 1 1 Install on enterprise-org",
      "picky-org 1 1 Install on picky-org",
    ]);
    expect(await page.locator('a:has-text("Install on octo-labs")').getAttribute("href")).toMatch(/\/apps\/[^/]+\/installations\/new\/permissions\?suggested_target_id=\d+$/);
    expect(await page.locator("#rate-limit-drops-table tbody tr").count()).toBe(1);
    expect(await page.locator("#guard-state").textContent()).toContain("Tripped");
    // The section sticks out nowhere on a phone: its wide tables scroll inside their own box.
    expect(await page.evaluate("(() => { const s = document.querySelector(\"#readiness\"); return s.scrollWidth <= s.clientWidth && s.getBoundingClientRect().right <= window.innerWidth; })()")).toBe(true);

    const docs = path.join(process.cwd(), "docs", "screenshots");
    await mkdir(docs, { recursive: true });
    const artifact = path.join(process.cwd(), "test-artifacts", "screenshots", `readiness-${width}.png`);
    await mkdir(path.dirname(artifact), { recursive: true });
    await section.screenshot({ path: artifact });
    await copyFile(artifact, path.join(docs, `readiness-${width}.png`));
    await context.close();
  });
});
