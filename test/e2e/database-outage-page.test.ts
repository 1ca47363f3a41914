// The "database unreachable" page as a browser shows it, at 1280 and 390 px: styled by the one
// stylesheet (which needs no database), nothing scrolling sideways. The outage is made by cutting
// the app's connection at a proxy (test/reliability/page-outage.test.ts checks every page's answer).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Browser, Page, Response } from "playwright-core";
import type { Sequelize } from "sequelize";
import { connectDatabase } from "../../src/db/connection.js";
import { startSignInWorld, type SignInWorld } from "../support/sign-in-fixture.js";
import { MAINTAINER } from "../support/dashboard-fixture.js";
import { startCuttableProxy, type CuttableProxy } from "../reliability/tcp-proxy.js";
import { launchChromium, screenshot } from "./chromium.js";

let world: SignInWorld;
let proxy: CuttableProxy;
let proxied: Sequelize;
let browser: Browser;

beforeAll(async () => {
  world = await startSignInWorld({
    env: { ADMIN_GITHUB_LOGINS: MAINTAINER },
    connect: async (database) => {
      proxy = await startCuttableProxy(database.url);
      proxied = connectDatabase({ url: proxy.url, maxConnections: 2, queryTimeoutMs: 3_000 });
      return proxied;
    },
  });
  world.simulator.addUser({ login: MAINTAINER });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  proxy?.restore();
  await world?.stop();
  await proxied?.close();
  await proxy?.close();
});

/** The styled 503 page, with Retry-After, fitting its window. */
async function expectOutagePage(page: Page, response: Response | null): Promise<void> {
  expect({ status: response?.status(), retryAfter: response?.headers()["retry-after"] }).toEqual({ status: 503, retryAfter: "5" });
  expect(await page.locator("h1").textContent()).toBe("The database is unreachable");
  // Evaluated in the page (strings: this file is compiled without the DOM's types).
  expect(await page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth")).not.toBe("none");
  const { scrollWidth, clientWidth } = (await page.evaluate(
    "({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })",
  )) as { scrollWidth: number; clientWidth: number };
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

/**
 * A page of this size, on which `reachDuringOutage` cuts the database and loads what it answers; the
 * answer must be the outage page, and is shot. The database comes back whatever happened.
 */
async function shootOutagePage(name: string, width: number, height: number, reachDuringOutage: (page: Page) => Promise<Response | null>) {
  const page = await browser.newPage({ viewport: { width, height }, isMobile: width < 500 });
  try {
    await expectOutagePage(page, await reachDuringOutage(page));
    await screenshot(page, name);
  } finally {
    await page.close();
    proxy.restore();
  }
}

describe("the database unreachable page in Chromium", () => {
  it.each([
    ["database-unreachable", 1280, 800],
    ["database-unreachable-phone", 390, 844],
  ])("%s: %i px wide, styled, no sideways scrolling", async (name, width, height) => {
    await shootOutagePage(name, width, height, (page) => {
      proxy.cut();
      // Starting a sign-in stores its state first: the database is needed at once.
      return page.goto(`${world.app.url}/auth/login`);
    });
  }, 30_000);

  it.each([
    ["database-unreachable-console", 1280, 800],
    ["database-unreachable-console-phone", 390, 844],
  ])("%s: a console page a maintainer reloads, %i px wide, answers the same page", async (name, width, height) => {
    await shootOutagePage(name, width, height, async (page) => {
      await page.goto(`${world.app.url}/admin/users?status=pending`);
      await page.locator(`button[data-login="${MAINTAINER}"]`).click();
      await page.waitForURL(`${world.app.url}/admin/users?status=pending`);
      proxy.cut();
      return page.reload();
    });
  }, 30_000);
});
