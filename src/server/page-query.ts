// Which query parameters each public page reads, and the one canonical URL a request stands for
// (issue 22, docs/decisions/096). Parameters a page does not read are not part of its cache key
// and never reach the page, so `/honors/<slug>?r=<random>` is the same page and the same cache hit.
// tests/unit/page-query.test.ts reads src/pages and fails when a page reads a parameter missing here.

/**
 * The query parameters a public page reads, by its route as `src/pages` names it (`[id]` for a
 * dynamic segment). A route that is not listed reads none. Private routes (src/server/page-cache.ts)
 * are never cached or rewritten and need no row.
 */
export const PAGE_QUERY_PARAMS: Readonly<Record<string, readonly string[]>> = {
  '/search': ['q', 'type', 'page', 'after'],
  '/honors': ['batch', 'category', 'region', 'level', 'page'],
  '/honors/candidates': ['liked', 'again', 'objected'],
  '/honors/nominate': ['no'],
  '/honors/objection': ['h', 'no', 'pin'],
  '/articles': ['channel', 'topic', 'page'],
  '/events': ['when', 'category', 'page'],
  '/events/[id]': ['done'],
  '/events/[id]/checkin': ['done', 'code'],
  '/teams': ['town', 'type', 'page'],
  '/teams/[slug]': ['done'],
  '/legal/order': ['topic'],
  '/services/order': ['item'],
  '/services/ordered': ['no'],
  '/points/[village]': ['month', 'objected'],
};

const EMPTY: readonly string[] = [];
const LITERAL = new Map<string, readonly string[]>();
const DYNAMIC: [RegExp, readonly string[]][] = [];
for (const [route, params] of Object.entries(PAGE_QUERY_PARAMS)) {
  if (!route.includes('[')) {
    LITERAL.set(route, params);
    continue;
  }
  const source = route
    .split('/')
    .map((seg) => (seg.startsWith('[...') ? '.*' : seg.replace(/[.*+?^${}()|\\]/g, '\\$&').replace(/\[\w+\]/g, '[^/]+')))
    .join('/');
  DYNAMIC.push([new RegExp(`^${source}$`), params]);
}

/** The parameters the page at `path` reads (a static route wins over a dynamic one, as in Astro). */
export function pageQueryParams(path: string): readonly string[] {
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const literal = LITERAL.get(p);
  if (literal) return literal;
  for (const [re, params] of DYNAMIC) if (re.test(p)) return params;
  return EMPTY;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * RFC 3986 §6.2.2 normalisation of a path: `%61` is `a`, `%e7` is `%E7`. Without it every
 * re-encoding of a slug's letters was one more cache key for the same page.
 */
export function normalizePath(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}

/**
 * The canonical form of a request URL (path and query): the path normalised, the query reduced to
 * the parameters the page reads, sorted by name (values of one name keep their order) and encoded
 * one way. Two URLs a page cannot tell apart have the same canonical form.
 */
export function canonicalUrl(url: string): string {
  const q = url.indexOf('?');
  const path = normalizePath(q < 0 ? url : url.slice(0, q));
  if (q < 0) return path;
  const allowed = pageQueryParams(path);
  if (allowed.length === 0) return path;
  const kept = new URLSearchParams();
  for (const [k, v] of new URLSearchParams(url.slice(q + 1))) if (allowed.includes(k)) kept.append(k, v);
  kept.sort();
  const query = kept.toString();
  return query ? `${path}?${query}` : path;
}
