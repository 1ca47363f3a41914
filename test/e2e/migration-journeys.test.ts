// The pages as people use them, in headless Chromium, against the app, the GitHub simulator and
// Postgres: a legacy user connecting, a maintainer running the migration from the console, a non-maintainer refused,
// a sign-in that cannot complete — each on a desktop window (1280 px) and a phone (390 px), where no
// page may scroll sideways. Screenshots: <name>.png (desktop), <name>-phone.png, <name>-dark.png.
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Server } from "probot";
import { findFreePort } from "../../src/free-port.js";
import { runSetupFlow } from "../../src/setup-flow.js";
import { captureLog } from "../support/app.js";
import type { SignInWorld } from "../support/sign-in-fixture.js";
import { MAINTAINER, startDashboardWorld } from "../support/dashboard-fixture.js";
import { seedUser } from "../support/vault-fixture.js";
import { launchChromium, screenshot } from "./chromium.js";

// Two window sizes and a shared machine: a journey may take a while, never forever.
jest.setTimeout(120_000);

let world: SignInWorld;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchChromium()]);
}, 45_000);
afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

interface Viewport {
  name: "desktop" | "phone";
  width: number;
  height: number;
}
const VIEWPORTS: Viewport[] = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844 },
];

/** A fresh browser profile (no cookies) with a window of the viewport's size. */
async function newPage(viewport: Viewport, colorScheme: "light" | "dark" = "light"): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.name === "phone",
    colorScheme,
    baseURL: world.app.url,
  });
  contexts.push(context);
  return context.newPage();
}

/** The page fits its window: nothing makes it scroll sideways. */
async function expectNoHorizontalScroll(page: Page): Promise<void> {
  // Evaluated in the page (a string: this file is compiled without the DOM's types).
  const { scrollWidth, clientWidth } = (await page.evaluate(
    "({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })",
  )) as { scrollWidth: number; clientWidth: number };
  expect({ url: page.url(), scrollWidth }).toEqual({ url: page.url(), scrollWidth: Math.min(scrollWidth, clientWidth) });
}

/** Checks the fit, then saves the screenshot under the viewport's name. */
async function capture(page: Page, viewport: Viewport, name: string): Promise<void> {
  await expectNoHorizontalScroll(page);
  await screenshot(page, viewport.name === "desktop" ? name : `${name}-${viewport.name}`);
}

/** The text of the first element matching `selector`, once there is one (no fixed sleeps). */
async function textOf(page: Page, selector: string): Promise<string> {
  const element = page.locator(selector).first();
  await element.waitFor();
  return ((await element.textContent()) ?? "").trim();
}

/** On the simulator's authorize page, the button a person clicks to sign in as `login`. */
async function authorizeAtGitHub(page: Page, login: string): Promise<void> {
  await page.waitForURL(`${world.simulator.url}/login/oauth/authorize**`);
  await page.locator(`button[data-login="${login}"]`).click();
}

describe.each(VIEWPORTS)("in a browser, $name ($width px)", (viewport) => {
  it("a legacy user clicks Connect, authorizes at GitHub and sees on /me that the App token is in use", async () => {
    const legacy = await seedUser(world.app.services, world.simulator, { legacy: true, app: false, walkTo: "pending" });
    world.simulator.addInstallation({ account: { login: "acme-corp" }, userLogins: [legacy.login] });
    const page = await newPage(viewport);

    await page.goto("/");
    expect(await textOf(page, "h1")).toBe("Connect your GitHub account");
    await capture(page, viewport, "landing-page");
    await page.getByRole("link", { name: "Connect GitHub" }).click();
    await page.waitForURL(`${world.simulator.url}/login/oauth/authorize**`);
    await capture(page, viewport, "github-authorize");
    await authorizeAtGitHub(page, legacy.login);

    await page.waitForURL(`${world.app.url}/me`);
    expect(await textOf(page, "h1")).toBe(`Signed in as ${legacy.login}`);
    expect(await textOf(page, "#token-in-use")).toContain("The application uses your GitHub App user token");
    expect(await textOf(page, "#migration-status")).toBe("migrated");
    expect(await textOf(page, "#legacy-token")).toBe("present");
    expect(await textOf(page, "#installations")).toContain("acme-corp");
    await capture(page, viewport, "user-page");
  });

  it("a maintainer signs in, starts a batch, watches it finish, rolls a user back and sees the console change", async () => {
    const waiting = await Promise.all([1, 2, 3].map(() => seedUser(world.app.services, world.simulator, { legacy: true, app: false, walkTo: "pending" })));
    await Promise.all([1, 2].map(() => seedUser(world.app.services, world.simulator, { legacy: true, app: true, walkTo: "pending" })));
    const page = await newPage(viewport);

    await page.goto("/admin");
    await authorizeAtGitHub(page, MAINTAINER);
    await page.waitForURL(`${world.app.url}/admin`);
    expect(await textOf(page, "h1")).toBe("Migration dashboard");
    expect(await textOf(page, "#maintainer")).toBe(MAINTAINER);
    const rolledBackBefore = Number(await page.locator('tr[data-status="rolled_back"] td.number').textContent());

    await page.getByRole("navigation", { name: "Maintainers' console" }).getByRole("link", { name: "Batches" }).click();
    await page.waitForURL(`${world.app.url}/admin/batches`);
    await page.getByLabel("I confirm starting this batch").check();
    await page.getByRole("button", { name: "Start batch" }).click();
    expect(await textOf(page, "#notice")).toMatch(/Batch #\d+ started/);
    // The page reloads itself while the batch runs; wait for the row to say it finished.
    const batchId = /batch=(\d+)/.exec(page.url())?.[1];
    await page.locator(`tr#batch-${batchId}[data-state="finished"]`).waitFor({ timeout: 20_000 });
    expect(await textOf(page, `tr#batch-${batchId}`)).toContain("migrated: 2, consent required: 3");
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    await capture(page, viewport, "console-batches");

    await page.getByRole("link", { name: "Overview" }).click();
    for (const user of waiting) expect(await textOf(page, `#attention-table tr[data-login="${user.login}"]`)).toContain("consent_required");
    await capture(page, viewport, "dashboard");

    const target = waiting[0]!;
    await page.getByRole("button", { name: `Roll back ${target.login}` }).click();
    expect(await textOf(page, "h1")).toBe(`Confirm: Roll back ${target.login}`);
    await capture(page, viewport, "confirm-rollback");
    await page.getByLabel("I confirm").check();
    await page.getByRole("button", { name: `Roll back ${target.login}` }).click();

    // Back on the user's page: the notice, the new status, the change on top of their history.
    await page.waitForURL(new RegExp(`/admin/users/${target.githubId}\\?done=rolled_back`));
    expect(await textOf(page, "#notice")).toBe(`${target.login} was rolled back: the application serves their legacy OAuth token again.`);
    expect(await textOf(page, "#user-status")).toBe("rolled_back");
    expect(await textOf(page, "#timeline li")).toContain("consent_required → rolled_back");

    await page.getByRole("link", { name: "Overview" }).click();
    expect(await textOf(page, 'tr[data-status="rolled_back"] td.number')).toBe(String(rolledBackBefore + 1));
    expect(await page.locator(`#attention-table tr[data-login="${target.login}"]`).count()).toBe(0);
    const latestEvent = await textOf(page, "#events-table tbody tr");
    expect(latestEvent).toContain("consent_required → rolled_back");
    expect(latestEvent).toContain(MAINTAINER);
  });

  it("a signed-in user who is not a maintainer is refused with a 403 page", async () => {
    const login = `curious-user-${viewport.name}`;
    world.simulator.addUser({ login });
    const page = await newPage(viewport);

    await page.goto("/auth/login?purpose=admin");
    await authorizeAtGitHub(page, login);
    await page.waitForURL(`${world.app.url}/admin`);
    expect(await textOf(page, "h1")).toBe("This dashboard is for maintainers");
    expect(await textOf(page, '[role="alert"]')).toContain(`You are signed in as ${login}`);
    const response = await page.reload();
    expect(response?.status()).toBe(403);
    await capture(page, viewport, "not-a-maintainer");
  });

  it("a sign-in that cannot complete explains itself on a styled page", async () => {
    const page = await newPage(viewport);
    const response = await page.goto("/auth/callback?state=forged-state&code=made-up");
    expect(response?.status()).toBe(400);
    expect(await textOf(page, "h1")).toBe("This sign-in cannot be completed");
    expect(await page.evaluate("getComputedStyle(document.body).fontFamily")).toContain("system-ui");
    await capture(page, viewport, "sign-in-error");
  });
});

describe("in a browser, with the system in dark mode", () => {
  it("the console follows the dark scheme and stays readable", async () => {
    const page = await newPage(VIEWPORTS[0]!, "dark");
    await page.goto("/admin");
    await authorizeAtGitHub(page, MAINTAINER);
    await page.waitForURL(`${world.app.url}/admin`);
    const background = await page.evaluate("getComputedStyle(document.body).backgroundColor");
    expect(background).toBe("rgb(13, 17, 23)");
    await expectNoHorizontalScroll(page);
    await screenshot(page, "dashboard-dark");
  });
});

describe("Probot's setup page in a browser", () => {
  let setup: Server;
  let setupUrl: string;

  beforeAll(async () => {
    process.env.NO_SMEE_SETUP = "true"; // no smee.io channel: no network here
    const port = await findFreePort();
    setup = await runSetupFlow({ host: "127.0.0.1", port, log: (await captureLog()).log });
    setupUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await setup?.stop();
    delete process.env.NO_SMEE_SETUP;
  });

  it("\"Register GitHub App\" would post our app.yml as valid JSON", async () => {
    const page = await newPage(VIEWPORTS[0]!);
    await page.goto(`${setupUrl}/probot`);
    const posted = await page.locator("button#manifest").getAttribute("value");
    expect(JSON.parse(posted!)).toMatchObject({ name: "github-app-user-tokens", description: expect.stringContaining("application's users") });
    await screenshot(page, "probot-setup");
  });
});
