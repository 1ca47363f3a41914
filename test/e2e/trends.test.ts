// The trends charts on the console's overview in headless Chromium at a desktop and a phone width,
// over a month-long campaign (users imported day by day, most migrating a few days later, a few
// needing to authorize again) and two days of token activity as the instances would have written it.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Browser } from "playwright-core";
import { QueryTypes } from "sequelize";
import type { SignInWorld } from "../support/sign-in-fixture.js";
import { MAINTAINER, startDashboardWorld } from "../support/dashboard-fixture.js";
import { launchChromium, screenshot } from "./chromium.js";

let world: SignInWorld;
let browser: Browser;

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchChromium()]);
  const { sequelize } = world.app.services.models;
  // 600 users arriving over 30 days; 70 % migrate 1 to 5 days later, a tenth of those lose their token after 2 more days.
  await sequelize.query(`
    INSERT INTO users (github_id, login, created_at, updated_at)
    SELECT 700000 + i, 'campaign-user-' || i, now() - make_interval(days => 30 - i / 20, hours => i % 20), now()
      FROM generate_series(0, 599) AS i`);
  await sequelize.query(`
    INSERT INTO migration_events (user_id, from_status, to_status, reason, actor, created_at)
    SELECT id, 'pending', 'migrated', 'App token validated', 'system', LEAST(created_at + make_interval(days => (1 + github_id % 5)::int), now() - interval '1 minute')
      FROM users WHERE github_id >= 700000 AND github_id % 10 < 7`);
  await sequelize.query(`
    INSERT INTO migration_events (user_id, from_status, to_status, reason, actor, created_at)
    SELECT user_id, 'migrated', 'reauth_required', 'refresh failed: bad_refresh_token', 'system', created_at + interval '2 days'
      FROM migration_events WHERE to_status = 'migrated' AND user_id % 7 = 0 AND created_at + interval '2 days' < now()`);
  await sequelize.query(`
    INSERT INTO migration_events (user_id, from_status, to_status, reason, actor, created_at)
    SELECT id, 'pending', 'consent_required', 'no GitHub App token; consent link issued', 'system', created_at + interval '1 day'
      FROM users WHERE github_id >= 700000 AND github_id % 10 = 9 AND created_at + interval '1 day' < now()`);
  await sequelize.query(`
    UPDATE users u SET token_migration_status = latest.to_status
      FROM (SELECT DISTINCT ON (user_id) user_id, to_status FROM migration_events ORDER BY user_id, created_at DESC, id DESC) latest
     WHERE latest.user_id = u.id`);
  // Two days of activity: a daily rhythm, the OAuth share falling as users migrate, a burst of failed refreshes.
  await sequelize.query(`
    INSERT INTO token_activity_hours (hour, instance_id, measure, label, count)
    SELECT hour, 'e2e', measure, label, count FROM (
      SELECT date_trunc('hour', now(), 'UTC') - make_interval(hours => h) AS hour, h FROM generate_series(0, 47) AS h) hours,
      LATERAL (VALUES
        ('resolution', 'github_app_user', (300 + 200 * sin(h / 3.8) + (47 - h) * 6)::int),
        ('resolution', 'oauth', (120 + 60 * sin(h / 3.8) + h * 2)::int),
        ('resolution', 'reauth_required', CASE WHEN h BETWEEN 10 AND 12 THEN 25 ELSE 2 END),
        ('resolution', 'unavailable', CASE WHEN h = 11 THEN 9 ELSE 0 END),
        ('fallback', 'not_in_rollout', (80 + 40 * sin(h / 3.8) + h)::int),
        ('fallback', 'no_app_token', (40 + 20 * sin(h / 3.8) + h)::int),
        ('fallback', 'app_token_unavailable', CASE WHEN h BETWEEN 10 AND 12 THEN 14 ELSE 0 END),
        ('refresh', 'success', (40 + 10 * sin(h / 2.0))::int),
        ('refresh', 'transient', CASE WHEN h BETWEEN 9 AND 13 THEN 6 ELSE 1 END),
        ('refresh', 'terminal', CASE WHEN h BETWEEN 10 AND 12 THEN 8 ELSE 0 END),
        ('reauth_required', 'refresh_token_expired', CASE WHEN h BETWEEN 10 AND 12 THEN 8 WHEN h % 7 = 0 THEN 1 ELSE 0 END)
      ) AS counts (measure, label, count)`);
  await world.app.services.campaignTrends.rollUpClosedHours();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

describe("the trends on the console's overview", () => {
  it.each([1280, 390])("draws the campaign and the last 48 hours, readable at %i px", async (width) => {
    const context = await browser.newContext({ viewport: { width, height: 900 }, baseURL: world.app.url });
    const page = await context.newPage();
    await page.goto("/admin");
    await page.waitForURL(`${world.simulator.url}/login/oauth/authorize**`);
    await page.locator(`button[data-login="${MAINTAINER}"]`).click();
    await page.waitForURL(`${world.app.url}/admin`);

    const live = await world.app.services.models.sequelize.query<{ status: string; count: number }>(
      "SELECT token_migration_status AS status, count(*)::int AS count FROM users GROUP BY 1",
      { type: QueryTypes.SELECT },
    );
    const statuses = page.locator("#trend-statuses");
    for (const { status, count } of live) expect(await statuses.getAttribute(`data-${status.replaceAll("_", "-")}`)).toBe(String(count));
    expect(await page.locator("#trend-resolutions svg[role=img] rect").count()).toBeGreaterThan(48 * 3);
    expect(await page.locator("#trend-fallbacks").getAttribute("data-app-token-unavailable")).toBe("42");
    // Nothing sticks out sideways, and the charts keep a readable size.
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
    const chartWidth = await page.locator("#trend-resolutions svg[role=img]").evaluate((svg) => svg.getBoundingClientRect().width);
    expect(chartWidth).toBeGreaterThan(width === 390 ? 300 : 450);
    await screenshot(page, `trends-${width}`);
    // With every table open too.
    await page.locator("details").evaluateAll((all) => all.forEach((details) => details.setAttribute("open", "")));
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
    // Each table stays inside its chart's column (scrolling in its own box where it is wider).
    const escaping = await page.locator("figure.trend").evaluateAll((figures) =>
      figures.filter((figure) => [...figure.querySelectorAll("details")].some((details) => details.getBoundingClientRect().right > figure.getBoundingClientRect().right + 1)).length,
    );
    expect(escaping).toBe(0);
    await context.close();
  });
});
