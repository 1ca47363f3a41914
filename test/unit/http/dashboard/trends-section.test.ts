import { describe, expect, it } from "@jest/globals";
import { trendsSection } from "../../../../src/http/dashboard/trends-section.js";
import type { ActivityHour, StatusDay, TrendsView } from "../../../../src/migration/trends.js";
import { attributesOfElementWithId } from "../../../support/html-attributes.js";

const HOUR_MS = 3_600_000;
const NOW = new Date("2026-12-01T15:20:00Z");

function hours(fill: (index: number, hour: ActivityHour) => void = () => {}): ActivityHour[] {
  const first = Date.parse("2026-11-29T16:00:00Z");
  return Array.from({ length: 48 }, (_, index) => {
    const hour: ActivityHour = {
      hour: new Date(first + index * HOUR_MS),
      resolutions: { github_app_user: 0, oauth: 0, reauth_required: 0, unavailable: 0 },
      fallbacks: { app_tokens_disabled: 0, not_in_rollout: 0, rolled_back: 0, no_app_token: 0, app_token_unavailable: 0 },
      refreshes: { success: 0, terminal: 0, transient: 0, unknown: 0, lost: 0 },
      reauth_required: 0,
    };
    fill(index, hour);
    return hour;
  });
}

function day(date: string, users: Partial<StatusDay["users"]>, migrated = 0): StatusDay {
  return {
    day: date,
    users: { pending: 0, consent_required: 0, migrated: 0, reauth_required: 0, revoked: 0, failed: 0, rolled_back: 0, ...users },
    migrated,
  };
}

function view(statusDays: StatusDay[], activity: ActivityHour[]): TrendsView {
  const windowOf = (last: ActivityHour[]) => {
    const byReason = { app_tokens_disabled: 0, not_in_rollout: 0, rolled_back: 0, no_app_token: 0, app_token_unavailable: 0 };
    for (const hour of last) for (const [reason, count] of Object.entries(hour.fallbacks)) byReason[reason as keyof typeof byReason] += count;
    return { since: last[0]!.hour, by_reason: byReason, total: Object.values(byReason).reduce((sum, count) => sum + count, 0) };
  };
  return {
    generated_at: NOW,
    status_days: statusDays,
    activity_hours: activity,
    fallbacks: { this_hour: windowOf(activity.slice(-1)), last_24_hours: windowOf(activity.slice(-24)) },
  };
}

async function render(trends: TrendsView): Promise<string> {
  return String(await trendsSection(trends));
}

describe("the trends section", () => {
  const busy = hours((index, hour) => {
    hour.resolutions.github_app_user = index;
    if (index % 10 === 5) hour.resolutions.oauth = 3;
    if (index >= 40) hour.fallbacks.no_app_token = 2;
    if (index === 47) hour.fallbacks.not_in_rollout = 1;
    if (index === 30) hour.refreshes.success = 7;
    if (index === 31) hour.reauth_required = 1;
  });
  const days = [day("2026-11-29", { pending: 100 }), day("2026-11-30", { pending: 60, migrated: 40 }, 40), day("2026-12-01", { pending: 50, migrated: 45, reauth_required: 5 }, 5)];

  it("gives each chart a stable id carrying its figures in data attributes", async () => {
    const html = await render(view(days, busy));
    expect(attributesOfElementWithId(html, "trend-statuses")).toMatchObject({
      "data-day": "2026-12-01",
      "data-pending": "50",
      "data-migrated": "45",
      "data-reauth-required": "5",
      "data-rolled-back": "0",
      "data-moved-to-migrated": "5",
    });
    expect(attributesOfElementWithId(html, "trend-resolutions")).toMatchObject({
      "data-since": "2026-11-29T16:00:00.000Z",
      "data-github-app-user": String((47 * 48) / 2),
      "data-oauth": "15",
      "data-unavailable": "0",
    });
    expect(attributesOfElementWithId(html, "trend-fallbacks")).toMatchObject({ "data-no-app-token": "16", "data-not-in-rollout": "1", "data-this-hour": "3", "data-last-24-hours": "17" });
    expect(attributesOfElementWithId(html, "trend-refreshes")).toMatchObject({ "data-success": "7", "data-lost": "0" });
    expect(attributesOfElementWithId(html, "trend-reauth-required")).toMatchObject({ "data-total": "1" });
  });

  it("draws accessible, scalable SVG: a figure and caption, a titled and described image, the figures as a table", async () => {
    const html = await render(view(days, busy));
    expect(html.match(/<figure class="trend"/g)).toHaveLength(5);
    expect(html.match(/<figcaption>/g)).toHaveLength(5);
    expect(html.match(/<svg viewBox="0 0 400 180" width="100%" role="img" aria-labelledby="trend-[a-z-]+-title trend-[a-z-]+-desc"/g)).toHaveLength(5);
    expect(html).toContain('<desc id="trend-statuses-desc">On 2026-12-01: 50 pending, 45 migrated, 5 reauth required; 5 moved to migrated that day.</desc>');
    expect(html).toContain(`<desc id="trend-resolutions-desc">Over the last 48 hours: ${(1128).toLocaleString("en-US")} github app user, 15 oauth token resolutions the application asked for.</desc>`);
    // One bar (a group with its tooltip) per hour that counted anything: hours 1 to 47 resolved.
    const resolutions = html.slice(html.indexOf('id="trend-resolutions"'), html.indexOf('id="trend-fallbacks"'));
    expect(resolutions.match(/<g><title>/g)).toHaveLength(47);
    expect(resolutions).toContain("<g><title>11-29 21:00 UTC: 5 github app user, 3 oauth</title>");
    expect(html).toContain('<th scope="row">2026-12-01</th><td class="number" data-label="pending">50</td>');
    // The CSP refuses inline styles: colours are presentation attributes, text follows currentColor.
    expect(html).not.toMatch(/style=/);
  });

  it("draws a campaign of one day across the whole width, and says when nothing was counted", async () => {
    const html = await render(view([day("2026-12-01", { pending: 3 })], hours()));
    expect(html).toMatch(/<path d="M40,[\d.]+ L392,[\d.]+ L392,156 L40,156 Z" fill="#56b4e9">/);
    expect(attributesOfElementWithId(html, "trend-resolutions")).toMatchObject({ "data-github-app-user": "0", "data-oauth": "0" });
    expect(html).toContain("Over the last 48 hours: no token resolutions the application asked for.");
  });

  it("shows no status chart before the first user", async () => {
    const html = await render(view([], hours()));
    expect(html).toContain("<figcaption>Users per status per day: no users yet</figcaption>");
    expect(attributesOfElementWithId(html, "trend-statuses")).toMatchObject({ "data-day": "" });
  });
});
