// The page cache's key leaves out query parameters a page does not read (issue 22): a cache-buster
// is a hit. The table of what each page reads is held to the pages themselves, read from src/pages.
import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cacheKey } from '../../src/server/page-cache.ts';
import { SESSION_COOKIE } from '../../src/domain/accounts/sessions.ts';
import { canonicalUrl, PAGE_QUERY_PARAMS, pageQueryParams } from '../../src/server/page-query.ts';

const PAGES = join(process.cwd(), 'src', 'pages');

/** Every file under a folder. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

/** A page file under src/pages to its route: `honors/index.astro` → `/honors`, `rss/[channel].xml.ts` → `/rss/[channel].xml`. */
function routeOf(file: string): string {
  const r = '/' + relative(PAGES, file).replace(/\.(astro|ts)$/, '');
  return r.replace(/\/index$/, '') || '/';
}

/**
 * The query parameter names a source file reads: `searchParams.get('x')` (or has/getAll), directly
 * or through a local alias of `….searchParams`. Any other use of the parameters (passed whole to a
 * function, read with a computed name) is returned as `unknown`, so the table cannot silently miss it.
 */
function paramsRead(source: string): { names: Set<string>; unknown: string[] } {
  const declaration = /(?:const|let)\s+(\w+)\s*=\s*[\w.]*searchParams\s*;/g;
  const aliases = [...source.matchAll(declaration)].map((m) => m[1]);
  const subject = `(?:[\\w.]*searchParams${aliases.map((a) => `|(?<![\\w.'"-])${a}\\b`).join('')})`;
  const names = new Set<string>();
  const rest = source.replace(declaration, '').replace(new RegExp(`${subject}\\??\\.(?:get|getAll|has)\\(\\s*(['"])([^'"]+)\\1\\s*\\)`, 'g'), (_m, _q, name: string) => {
    names.add(name);
    return '';
  });
  // Whatever still touches the parameters is a read this scan cannot name.
  return { names, unknown: [...rest.matchAll(new RegExp(subject, 'g'))].map((m) => m[0]) };
}

/** The components and layouts a page imports, transitively, with their sources. */
function imported(file: string, seen = new Set<string>()): string[] {
  const source = readFileSync(file, 'utf8');
  for (const m of source.matchAll(/^import\s[^;]*?from\s+['"](\.[^'"]+\.astro)['"]/gm)) {
    const dep = join(file, '..', m[1]);
    if (seen.has(dep)) continue;
    seen.add(dep);
    imported(dep, seen);
  }
  return [...seen];
}

/** A concrete path for a route (`[id]` → `1`) to ask the cache whether it is public. */
const samplePath = (route: string) => route.replace(/\[\.\.\.\w+\]/g, 'a/b').replace(/\[\w+\]/g, '1');

describe('cache key and canonical URL', () => {
  test.each([
    ['/honors/h-abc?r=0.123', '/honors/h-abc'],
    ['/honors/h-abc?r=1&utm_source=wx', '/honors/h-abc'],
    ['/honors?page=2&r=9', '/honors?page=2'],
    ['/honors/?level=县&r=1', '/honors/?level=%E5%8E%BF'],
    ['/search?page=2&q=社区&from=home', '/search?page=2&q=%E7%A4%BE%E5%8C%BA'],
    ['/search?q=%e7%a4%be%e5%8c%ba&page=2', '/search?page=2&q=%E7%A4%BE%E5%8C%BA'],
    ['/search?q=a+b', '/search?q=a+b'],
    ['/search?q=a%20b', '/search?q=a+b'],
    ['/articles?topic=x&topic=y&channel=news', '/articles?channel=news&topic=x&topic=y'],
    ['/events/12?done=confirmed&x=1', '/events/12?done=confirmed'],
    ['/events/12/checkin?code=123456&fbclid=z', '/events/12/checkin?code=123456'],
    ['/honors/%68-abc', '/honors/h-abc'],
    ['/honors/%e5%a5%bd', '/honors/%E5%A5%BD'],
    ['/stats?', '/stats'],
    ['/', '/'],
  ])('%s → %s', (url, canonical) => {
    expect(canonicalUrl(url)).toBe(canonical);
  });

  test('a cache-buster has the key of the page without it, however long it is', () => {
    const key = (url: string, cookie?: string) => cacheKey({ method: 'GET', url, headers: cookie ? { cookie } : {} });
    expect(key('/honors/h-abc?r=1')).toBe('0|/honors/h-abc');
    expect(key('/honors/h-abc?r=2')).toBe(key('/honors/h-abc'));
    expect(key('/honors/h-abc?r=' + 'x'.repeat(2000))).toBe('0|/honors/h-abc');
    expect(key('/honors/h-abc?r=3', 'sx_large=1')).toBe('1|/honors/h-abc');
    // What a page reads still makes a different page.
    expect(key('/honors?page=2')).not.toBe(key('/honors?page=3'));
    // An encoded private path is still private.
    expect(key('/%6De/hours')).toBeNull();
  });

  test('a cookie no page reads is no cache-buster either; the session cookie still is (a signed-in page is its own)', () => {
    const key = (cookie: string) => cacheKey({ method: 'GET', url: '/honors/h-abc', headers: { cookie } });
    expect(key('r=' + Math.random())).toBe('0|/honors/h-abc');
    expect(key('Hm_lvt_abc=1; sx_large=1')).toBe('1|/honors/h-abc');
    expect(key(`${SESSION_COOKIE}=x`)).toBeNull();
    expect(key(`a=1; ${SESSION_COOKIE}=`)).toBeNull();
  });

  test('a static route wins over a dynamic one, as in Astro', () => {
    expect(pageQueryParams('/honors/candidates')).toEqual(PAGE_QUERY_PARAMS['/honors/candidates']);
    expect(pageQueryParams('/honors/h-abc')).toEqual([]);
    expect(pageQueryParams('/events/7/checkin/')).toEqual(PAGE_QUERY_PARAMS['/events/[id]/checkin']);
  });
});

describe('the table of query parameters matches the pages', () => {
  const files = walk(PAGES).filter((f) => /\.(astro|ts)$/.test(f));
  const publicRoutes = files.map((f) => ({ file: f, route: routeOf(f) })).filter(({ route }) => cacheKey({ method: 'GET', url: samplePath(route), headers: {} }) !== null);

  test('the walk finds the public pages', () => {
    expect(publicRoutes.map((r) => r.route)).toEqual(expect.arrayContaining(['/', '/search', '/honors', '/honors/[slug]', '/events/[id]']));
  });

  test.each(publicRoutes.map((r) => [r.route, r.file]))('%s reads only parameters listed for it', (route, file) => {
    const read = new Set<string>();
    const unknown: string[] = [];
    for (const f of [file, ...imported(file)]) {
      const r = paramsRead(readFileSync(f, 'utf8'));
      r.names.forEach((n) => read.add(n));
      unknown.push(...r.unknown.map((u) => `${relative(process.cwd(), f)}: ${u}`));
    }
    // A use the scan cannot read (the parameters passed whole, a computed name) must be listed by hand.
    expect(unknown, "read query parameters with .get('name') so this test can see them").toEqual([]);
    const listed = new Set(pageQueryParams(samplePath(route)));
    expect(
      [...read].filter((n) => !listed.has(n)),
      `add them to PAGE_QUERY_PARAMS['${route}'] in src/server/page-query.ts`,
    ).toEqual([]);
  });

  test('every row of the table is a public page that reads what it lists', () => {
    for (const [route, params] of Object.entries(PAGE_QUERY_PARAMS)) {
      const page = publicRoutes.find((r) => r.route === route);
      expect(page, `${route} is not a public page`).toBeDefined();
      const read = new Set<string>();
      for (const f of [page!.file, ...imported(page!.file)]) paramsRead(readFileSync(f, 'utf8')).names.forEach((n) => read.add(n));
      expect(
        params.filter((p) => !read.has(p)),
        `${route} lists parameters it does not read`,
      ).toEqual([]);
    }
  });
});
