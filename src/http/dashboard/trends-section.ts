// The trends drawn on the server as inline SVG (no script, no chart library, no style attribute: the
// CSP allows none): users per status per day over the campaign, and per hour over the last 48 hours
// resolutions by answer, OAuth fallbacks by reason, refresh outcomes and users moved to
// reauth_required. Each chart is a <figure> with a caption, an SVG scaled by its viewBox (a title,
// a description and a tooltip per bar), a legend, and its figures as a table.
//
// Stable hooks for tests and tools: #trend-statuses carries the latest day's counts (data-day,
// data-<status>, data-moved-to-migrated); #trend-resolutions, #trend-fallbacks, #trend-refreshes
// carry each series' total over the 48 hours (data-<series>), #trend-reauth-required data-total;
// #trend-fallbacks also data-this-hour and data-last-24-hours. Names use hyphens for underscores.
import { html } from "hono/html";
import { MIGRATION_STATUSES, type MigrationStatus } from "../../db/models/index.js";
import type { ActivityHour, TrendsView } from "../../migration/trends.js";
import { FALLBACK_REASONS } from "../../tokens/resolution.js";
import { RESOLUTION_TYPES } from "../../tokens/token-activity.js";
import { REFRESH_OUTCOMES } from "../../tokens/token-metrics.js";
import { timestamp, type Markup } from "../pages/layout.js";

interface Series<K extends string> {
  key: K;
  /** A colour readable on the light and the dark scheme alike (after Okabe and Ito). */
  colour: string;
}

/** Bottom to top: the statuses a campaign ends in first. */
const STATUS_SERIES: Series<MigrationStatus>[] = [
  { key: "migrated", colour: "#009e73" },
  { key: "pending", colour: "#56b4e9" },
  { key: "consent_required", colour: "#e69f00" },
  { key: "reauth_required", colour: "#d55e00" },
  { key: "revoked", colour: "#cc79a7" },
  { key: "failed", colour: "#b22222" },
  { key: "rolled_back", colour: "#8c8c8c" },
];
const RESOLUTION_COLOURS = { github_app_user: "#009e73", oauth: "#e69f00", reauth_required: "#d55e00", unavailable: "#8c8c8c" };
const FALLBACK_COLOURS = { app_tokens_disabled: "#cc79a7", not_in_rollout: "#56b4e9", rolled_back: "#8c8c8c", no_app_token: "#e69f00", app_token_unavailable: "#d55e00" };
const REFRESH_COLOURS = { success: "#009e73", transient: "#e69f00", terminal: "#d55e00", unknown: "#cc79a7", lost: "#b22222" };

/** The drawing's own units; the SVG scales to its box (390 px phones to wide screens). */
const WIDTH = 400;
const HEIGHT = 180;
const PLOT = { left: 40, right: WIDTH - 8, top: 10, bottom: HEIGHT - 24 };
const COUNT = new Intl.NumberFormat("en-US");
const AXIS_COUNT = new Intl.NumberFormat("en-US", { notation: "compact" });

export function trendsSection(view: TrendsView): Markup {
  const hours = view.activity_hours;
  return html`<section aria-labelledby="trends-heading" id="trends">
        <h2 id="trends-heading">Trends</h2>
        <p class="muted">Every instance's figures, read from the database at ${timestamp(view.generated_at)}; instances add their counts every few seconds.</p>
        <div class="trends">
          ${statusFigure(view)}
          ${hourlyFigure({
            id: "trend-resolutions",
            caption: "Token resolutions per hour, by answer",
            what: "token resolutions the application asked for",
            hours,
            series: seriesOf(RESOLUTION_TYPES, RESOLUTION_COLOURS),
            countsOf: (hour) => hour.resolutions,
          })}
          ${hourlyFigure({
            id: "trend-fallbacks",
            caption: "OAuth fallbacks per hour, by reason",
            what: "legacy OAuth tokens served instead of App tokens",
            hours,
            series: seriesOf(FALLBACK_REASONS, FALLBACK_COLOURS),
            countsOf: (hour) => hour.fallbacks,
            extra: {
              "data-this-hour": String(view.fallbacks.this_hour.total),
              "data-last-24-hours": String(view.fallbacks.last_24_hours.total),
            },
          })}
          ${hourlyFigure({
            id: "trend-refreshes",
            caption: "Refreshes at GitHub per hour, by outcome",
            what: "refreshes at GitHub",
            hours,
            series: seriesOf(REFRESH_OUTCOMES, REFRESH_COLOURS),
            countsOf: (hour) => hour.refreshes,
          })}
          ${hourlyFigure({
            id: "trend-reauth-required",
            caption: "Users moved to reauth_required per hour",
            what: "users moved to reauth_required by a refresh that failed for good",
            hours,
            series: [{ key: "total", colour: "#d55e00" }],
            countsOf: (hour) => ({ total: hour.reauth_required }),
          })}
        </div>
      </section>`;
}

function statusFigure({ status_days: days }: TrendsView): Markup {
  const id = "trend-statuses";
  const latest = days.at(-1);
  const attributes = latest
    ? { "data-day": latest.day, ...dataAttributes(latest.users), "data-moved-to-migrated": String(latest.migrated) }
    : { "data-day": "" };
  const caption = days.length === 0 ? "Users per status per day: no users yet" : `Users per status at the end of each day, ${days[0]!.day} to ${latest!.day} (today: now)`;
  const description = latest
    ? `On ${latest.day}: ${describeCounts(latest.users)}; ${COUNT.format(latest.migrated)} moved to migrated that day.`
    : "No users yet.";
  const series = STATUS_SERIES.filter((entry) => days.some((day) => day.users[entry.key] > 0));
  return html`<figure class="trend" id="${id}" ${attributeList(attributes)}>
            <figcaption>${caption}</figcaption>
            ${days.length === 0
              ? ""
              : svg(id, caption, description, [
                  ...axes(Math.max(...days.map((day) => total(day.users))), [days[0]!.day, latest!.day]),
                  ...stackedAreas(days.map((day) => day.users), series),
                ])}
            ${legend(series.map((entry) => ({ ...entry, count: latest!.users[entry.key] })))}
            ${days.length === 0
              ? ""
              : table(
                  "Figures as a table",
                  ["Day", ...MIGRATION_STATUSES.map(words), "Moved to migrated"],
                  days.map((day) => [day.day, ...MIGRATION_STATUSES.map((status) => day.users[status]), day.migrated]).reverse(),
                )}
          </figure>`;
}

interface HourlyFigure<K extends string> {
  id: string;
  caption: string;
  /** What one count is, for the description. */
  what: string;
  hours: ActivityHour[];
  series: Series<K>[];
  countsOf: (hour: ActivityHour) => Record<K, number>;
  extra?: Record<string, string>;
}

function hourlyFigure<K extends string>({ id, caption, what, hours, series, countsOf, extra = {} }: HourlyFigure<K>): Markup {
  const counts = hours.map(countsOf);
  const totals = Object.fromEntries(series.map((entry) => [entry.key, counts.reduce((sum, count) => sum + count[entry.key], 0)])) as Record<K, number>;
  const single = series.length === 1;
  const counted = total(totals) === 0 ? "no" : single ? COUNT.format(total(totals)) : describeCounts(totals);
  const description = `Over the last ${hours.length} hours: ${counted} ${what}.`;
  const first = hours[0]!.hour;
  return html`<figure class="trend" id="${id}" data-since="${first.toISOString()}" ${attributeList({ ...(single ? { "data-total": String(total(totals)) } : dataAttributes(totals)), ...extra })}>
            <figcaption>${caption} <span class="muted">(last ${hours.length} hours, UTC)</span></figcaption>
            ${svg(id, caption, description, [
              ...axes(Math.max(...counts.map(total)), [hourLabel(first), "now"]),
              ...stackedBars(
                counts,
                series,
                hours.map((hour) => hourLabel(hour.hour)),
              ),
            ])}
            ${single ? html`<p class="muted">${COUNT.format(total(totals))} in ${hours.length} hours</p>` : legend(series.map((entry) => ({ ...entry, count: totals[entry.key] })))}
            ${table(
              "Figures as a table",
              ["Hour (UTC)", ...(single ? ["Count"] : series.map((entry) => words(entry.key)))],
              hours
                .map((hour, index) => [hourLabel(hour.hour), ...series.map((entry) => counts[index]![entry.key])] as Array<string | number>)
                .filter((row) => row.slice(1).some((cell) => cell !== 0))
                .reverse(),
            )}
          </figure>`;
}

function svg(id: string, title: string, description: string, parts: Markup[]): Markup {
  return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" font-size="14" fill="currentColor">
              <title id="${id}-title">${title}</title>
              <desc id="${id}-desc">${description}</desc>
              ${parts}
            </svg>`;
}

/** Gridlines at 0, half and the top of the scale, their values, and the first and last x labels. */
function axes(largest: number, [firstLabel, lastLabel]: [string, string]): Markup[] {
  const top = niceCeiling(largest);
  const lines = [0, top / 2, top].map(
    (value) => html`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${y(value, top)}" y2="${y(value, top)}" stroke="currentColor" stroke-opacity="0.25"/>
              <text x="${PLOT.left - 4}" y="${y(value, top) + 5}" text-anchor="end">${AXIS_COUNT.format(value)}</text>`,
  );
  return [
    ...lines,
    html`<text x="${PLOT.left}" y="${HEIGHT - 5}">${firstLabel}</text>`,
    html`<text x="${PLOT.right}" y="${HEIGHT - 5}" text-anchor="end">${lastLabel}</text>`,
  ];
}

function stackedAreas<K extends string>(points: Array<Record<K, number>>, series: Series<K>[]): Markup[] {
  const top = niceCeiling(Math.max(...points.map(total)));
  const step = points.length === 1 ? 0 : (PLOT.right - PLOT.left) / (points.length - 1);
  // One point is drawn as a band across the whole width.
  const xs = points.length === 1 ? [PLOT.left, PLOT.right] : points.map((_, index) => PLOT.left + index * step);
  const values = points.length === 1 ? [points[0]!, points[0]!] : points;
  const below = values.map(() => 0);
  return series.map(({ key, colour }) => {
    const lower = [...below];
    values.forEach((point, index) => (below[index]! += point[key]));
    const upperPath = xs.map((x, index) => `${round(x)},${y(below[index]!, top)}`);
    const lowerPath = xs.map((x, index) => `${round(x)},${y(lower[index]!, top)}`).reverse();
    return html`<path d="M${upperPath.join(" L")} L${lowerPath.join(" L")} Z" fill="${colour}"><title>${words(key)}</title></path>`;
  });
}

function stackedBars<K extends string>(buckets: Array<Record<K, number>>, series: Series<K>[], labels: string[]): Markup[] {
  const top = niceCeiling(Math.max(...buckets.map(total)));
  const slot = (PLOT.right - PLOT.left) / buckets.length;
  return buckets.flatMap((bucket, index) => {
    if (total(bucket) === 0) return [];
    let stacked = 0;
    const segments = series.flatMap(({ key, colour }) => {
      if (bucket[key] === 0) return [];
      const from = stacked;
      stacked += bucket[key];
      return [html`<rect x="${round(PLOT.left + index * slot + slot * 0.1)}" width="${round(slot * 0.8)}" y="${y(stacked, top)}" height="${round(y(from, top) - y(stacked, top))}" fill="${colour}"/>`];
    });
    const tooltip = series.length === 1 ? COUNT.format(total(bucket)) : describeCounts(bucket);
    return [html`<g><title>${labels[index]} UTC: ${tooltip}</title>${segments}</g>`];
  });
}

function legend(entries: Array<{ key: string; colour: string; count: number }>): Markup {
  return html`<ul class="legend">${entries.map(
    (entry) => html`<li><svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${entry.colour}"/></svg> ${words(entry.key)} <strong>${COUNT.format(entry.count)}</strong></li>`,
  )}</ul>`;
}

function table(summary: string, headers: string[], rows: Array<Array<string | number>>): Markup {
  return html`<details>
              <summary>${summary}</summary>
              ${rows.length === 0
                ? html`<p>Nothing counted.</p>`
                : html`<table class="stack">
                <thead><tr>${headers.map((header, index) => html`<th scope="col"${index > 0 ? html` class="number"` : ""}>${header}</th>`)}</tr></thead>
                <tbody>${rows.map(
                  ([first, ...cells]) => html`<tr><th scope="row">${first}</th>${cells.map(
                    (cell, index) => html`<td class="number" data-label="${headers[index + 1]}">${typeof cell === "number" ? COUNT.format(cell) : cell}</td>`,
                  )}</tr>`,
                )}</tbody>
              </table>`}
            </details>`;
}

function seriesOf<K extends string>(keys: readonly K[], colours: Record<K, string>): Series<K>[] {
  return keys.map((key) => ({ key, colour: colours[key] }));
}

/** `data-<name>` for each count, underscores as hyphens. */
function dataAttributes(counts: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(counts).map(([key, count]) => [`data-${key.replaceAll("_", "-")}`, String(count)]));
}

function attributeList(attributes: Record<string, string>): Markup {
  return html`${Object.entries(attributes).map(([name, value], index) => html`${index > 0 ? " " : ""}${name}="${value}"`)}`;
}

function describeCounts(counts: Record<string, number>): string {
  const named = Object.entries(counts).filter(([, count]) => count > 0);
  return named.length === 0 ? "none" : named.map(([key, count]) => `${COUNT.format(count)} ${words(key)}`).join(", ");
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** The smallest of 1, 2, 2.5 or 5 × 10ⁿ at least `value` (1 for nothing), so gridlines fall on round numbers. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((step) => step * magnitude).find((candidate) => candidate >= value)!;
}

function y(value: number, top: number): number {
  return round(PLOT.bottom - (value / top) * (PLOT.bottom - PLOT.top));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function words(key: string): string {
  return key.replaceAll("_", " ");
}

function hourLabel(hour: Date): string {
  return `${hour.toISOString().slice(5, 10)} ${hour.toISOString().slice(11, 16)}`;
}
