// GitHub's two pagination styles with their `Link` headers: page numbers (`page`/`per_page`) and
// cursors (`cursor`/`per_page`, used by the webhook deliveries list).
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

interface Page<T> {
  items: T[];
  /** undefined when everything fits on one page (GitHub then sends no Link header). */
  link: string | undefined;
}

function perPageOf(url: URL): number {
  const requested = Number.parseInt(url.searchParams.get("per_page") ?? "", 10);
  return Number.isFinite(requested) && requested > 0 ? Math.min(requested, MAX_PER_PAGE) : DEFAULT_PER_PAGE;
}

/** null removes the parameter. */
function withParams(url: URL, params: Record<string, string | null>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) {
    if (value === null) target.searchParams.delete(name);
    else target.searchParams.set(name, value);
  }
  return target.toString();
}

export function paginateByPage<T>(all: T[], url: URL): Page<T> {
  const perPage = perPageOf(url);
  const requested = Number.parseInt(url.searchParams.get("page") ?? "", 10);
  const page = Number.isFinite(requested) && requested > 0 ? requested : 1;
  const lastPage = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const relations: string[] = [];
  const pageLink = (number: number, rel: string) => `<${withParams(url, { per_page: String(perPage), page: String(number) })}>; rel="${rel}"`;
  if (page > 1) relations.push(pageLink(Math.min(page - 1, lastPage), "prev"));
  if (page < lastPage) relations.push(pageLink(page + 1, "next"), pageLink(lastPage, "last"));
  if (page > 1) relations.push(pageLink(1, "first"));
  return { items, link: relations.length > 0 ? relations.join(", ") : undefined };
}

/** Items must be sorted newest first with decreasing ids; the cursor names the last id seen. */
export function paginateByCursor<T extends { id: number }>(all: T[], url: URL): Page<T> {
  const perPage = perPageOf(url);
  const cursor = url.searchParams.get("cursor");
  const after = cursor?.startsWith("v1_") ? Number(cursor.slice(3)) : undefined;
  const remaining = after === undefined || Number.isNaN(after) ? all : all.filter((item) => item.id < after);
  const items = remaining.slice(0, perPage);
  const last = items.at(-1);
  const relations: string[] = [];
  if (cursor) relations.push(`<${withParams(url, { per_page: String(perPage), cursor: null })}>; rel="first"`);
  if (last && remaining.length > perPage) relations.push(`<${withParams(url, { per_page: String(perPage), cursor: `v1_${last.id}` })}>; rel="next"`);
  return { items, link: relations.length > 0 ? relations.join(", ") : undefined };
}
