// The maintainers' console at size, in headless Chromium at 1280 and 390 px: among 10,000 users a
// maintainer finds one by the start of their login, opens their page and history, rolls them back
// through the confirmation, sees their status and history change, and the overview's curve of users
// per status move. Nothing may scroll sideways, and the navigation must fit the window.
// Screenshots: console-*.png (desktop), console-*-phone.png.
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { SignInWorld } from "../support/sign-in-fixture.js";
import { MAINTAINER, seedManyUsers, startDashboardWorld } from "../support/dashboard-fixture.js";
import { seedUser, type SeededUser } from "../support/vault-fixture.js";
import { launchChromium, screenshot } from "./chromium.js";

jest.setTimeout(120_000);

let world: SignInWorld;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** One user with a real history per window size (each journey rolls its own back). */
const targets: Record<string, SeededUser> = {};

const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 900, target: "member-10001" },
  { name: "phone", width: 390, height: 844, target: "member-10002" },
] as const;

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchChromium()]);
  const started = Date.now();
  await seedManyUsers(world.app.services.models.sequelize, { count: 10_000, prefix: "member", firstGithubId: 700_000_001 });
  // The seeding is one statement; if it ever took long, the journeys below would be measuring it.
  expect(Date.now() - started).toBeLessThan(20_000);
  for (const { target } of VIEWPORTS) {
    targets[target] = await seedUser(world.app.services, world.simulator, { login: target, legacy: true, walkTo: "migrated" });
  }
}, 60_000);
afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await world?.stop();
});

async function textOf(page: Page, selector: string): Promise<string> {
  const element = page.locator(selector).first();
  await element.waitFor();
  return ((await element.textContent()) ?? "").replace(/\s+/g, " ").trim();
}

/** Nothing scrolls sideways, and every navigation entry lies inside the window. */
async function expectFits(page: Page): Promise<void> {
  // Evaluated in the page (a string: this file is compiled without the DOM's types).
  const fit = (await page.evaluate(`(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    navOutside: [...document.querySelectorAll("nav.console a")].filter((a) => a.getBoundingClientRect().right > document.documentElement.clientWidth).length,
  }))()`)) as { scrollWidth: number; clientWidth: number; navOutside: number };
  expect({ url: page.url(), ...fit }).toEqual({ url: page.url(), scrollWidth: Math.min(fit.scrollWidth, fit.clientWidth), clientWidth: fit.clientWidth, navOutside: 0 });
}

async function capture(page: Page, viewport: (typeof VIEWPORTS)[number], name: string): Promise<void> {
  await expectFits(page);
  await screenshot(page, viewport.name === "desktop" ? name : `${name}-${viewport.name}`);
}

describe.each(VIEWPORTS)("the console among 10,000 users, $name ($width px)", (viewport) => {
  it("finds a user by login, opens their history, rolls them back and sees status and history change", async () => {
    const target = targets[viewport.target]!;
    const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, isMobile: viewport.name === "phone", baseURL: world.app.url });
    contexts.push(context);
    const page = await context.newPage();

    // Signing in returns to the page asked for.
    await page.goto("/admin/users");
    await page.waitForURL(`${world.simulator.url}/login/oauth/authorize**`);
    await page.locator(`button[data-login="${MAINTAINER}"]`).click();
    await page.waitForURL(`${world.app.url}/admin/users`);
    expect(await page.locator('nav.console a[aria-current="page"]').textContent()).toBe("Users");
    expect(await page.locator("#users-table tbody tr").count()).toBe(50); // a page of the 10,002
    await expectFits(page);

    // The overview's curve of users per status, today's end of it, before anything happens.
    const nav = page.getByRole("navigation", { name: "Maintainers' console" });
    await nav.getByRole("link", { name: "Overview" }).click();
    const today = page.locator("#trend-statuses");
    const before = { migrated: Number(await today.getAttribute("data-migrated")), rolledBack: Number(await today.getAttribute("data-rolled-back")) };
    expect(before.migrated).toBeGreaterThanOrEqual(1);
    await nav.getByRole("link", { name: "Users" }).click();

    await page.getByLabel("Login or GitHub id").fill("MEMBER-1000");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/admin\/users\?q=MEMBER-1000/);
    const found = await Promise.all((await page.locator("#users-table tbody tr").all()).map((row) => row.getAttribute("data-login")));
    expect([...found].sort()).toEqual(["member-10000", "member-10001", "member-10002"]);
    await capture(page, viewport, "console-users-found");

    await page.getByRole("link", { name: target.login, exact: true }).click();
    await page.waitForURL(`${world.app.url}/admin/users/${target.githubId}`);
    expect(await textOf(page, "h1")).toBe(`User ${target.login}`);
    expect(await textOf(page, "#user-status")).toBe("migrated");
    expect(await textOf(page, "#timeline li")).toContain("pending → migrated");
    expect(await page.locator("#timeline li").count()).toBe(1);
    expect(await page.content()).not.toMatch(/gh[uros]_/);
    await capture(page, viewport, "console-user");

    await page.getByLabel("Reason (optional, for the audit trail)").fill("support ticket 12");
    await page.getByRole("button", { name: `Roll back ${target.login}` }).click();
    expect(await textOf(page, "h1")).toBe(`Confirm: Roll back ${target.login}`);
    await page.getByLabel("I confirm").check();
    await page.getByRole("button", { name: `Roll back ${target.login}` }).click();

    await page.waitForURL(new RegExp(`/admin/users/${target.githubId}\\?done=rolled_back`));
    expect(await textOf(page, "#notice")).toBe(`${target.login} was rolled back: the application serves their legacy OAuth token again.`);
    expect(await textOf(page, "#user-status")).toBe("rolled_back");
    expect(await page.locator("#timeline li").count()).toBe(2);
    const newest = await textOf(page, "#timeline li");
    expect(newest).toContain("migrated → rolled_back");
    expect(newest).toContain("support ticket 12");
    expect(newest).toContain(`by ${MAINTAINER}`);
    expect(await page.getByRole("button", { name: `Re-enable ${target.login}` }).count()).toBe(1);
    await capture(page, viewport, "console-user-rolled-back");

    // The overview's curve moved: one user fewer migrated today, one more rolled back.
    await nav.getByRole("link", { name: "Overview" }).click();
    expect({ migrated: Number(await today.getAttribute("data-migrated")), rolledBack: Number(await today.getAttribute("data-rolled-back")) }).toEqual({
      migrated: before.migrated - 1,
      rolledBack: before.rolledBack + 1,
    });
    expect(await textOf(page, "#events-table tbody tr")).toContain("migrated → rolled_back");
    await capture(page, viewport, "console-overview");

    // The other pages fit too (batches and readiness have their pictures from migration-journeys and readiness).
    for (const [link, name] of [
      ["Batches", null],
      ["Flags", "console-flags"],
      ["Installations", "console-installations"],
      ["Readiness", null],
    ] as const) {
      await nav.getByRole("link", { name: link }).click();
      expect(await page.locator('nav.console a[aria-current="page"]').textContent()).toBe(link);
      if (name) await capture(page, viewport, name);
      else await expectFits(page);
    }
  });
});
