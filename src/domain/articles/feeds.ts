// RSS 2.0 and sitemap.xml, built from published records with proper XML escaping.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { articles, events, honorees, legalLessons, media, pages, teams } from '../../../db/schema/index.ts';
import { CHANNELS } from './public.ts';
import { articleBody, type StoredBody } from './body.ts';

/** Escapes text for XML element content and attribute values; drops characters XML 1.0 forbids. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Without a summary, the feed describes an item by the start of what a reader reads (never its markup). */
function feedExcerpt(a: StoredBody): string {
  const text = articleBody(a).text.replace(/\s+/g, ' ').trim();
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** An RSS 2.0 document of the latest published articles, optionally of one channel. */
export async function rssFeed(db: Db, site: { url: string; name: string }, channel?: string, limit = 30): Promise<string> {
  const where = channel ? and(eq(articles.status, 'published'), eq(articles.channel, channel)) : eq(articles.status, 'published');
  const rows = await db
    .select({
      slug: articles.slug,
      title: articles.title,
      summary: articles.summary,
      body: articles.body,
      bodyFormat: articles.bodyFormat,
      channel: articles.channel,
      publishedAt: articles.publishedAt,
      author: articles.author,
    })
    .from(articles)
    .where(where)
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .limit(limit);
  const title = channel ? `${site.name} · ${CHANNELS[channel]}` : `${site.name} 最新发布`;
  const link = channel ? `${site.url}/articles?channel=${channel}` : `${site.url}/articles`;
  const items = rows.map((a) => {
    const url = `${site.url}/articles/${a.slug}`;
    return [
      '    <item>',
      `      <title>${xmlEscape(a.title)}</title>`,
      `      <link>${xmlEscape(url)}</link>`,
      `      <guid isPermaLink="true">${xmlEscape(url)}</guid>`,
      `      <description>${xmlEscape(a.summary || feedExcerpt(a))}</description>`,
      `      <category>${xmlEscape(CHANNELS[a.channel] ?? a.channel)}</category>`,
      a.publishedAt ? `      <pubDate>${new Date(a.publishedAt).toUTCString()}</pubDate>` : '',
      '    </item>',
    ]
      .filter(Boolean)
      .join('\n');
  });
  return (
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
      '  <channel>',
      `    <title>${xmlEscape(title)}</title>`,
      `    <link>${xmlEscape(link)}</link>`,
      `    <atom:link href="${xmlEscape(`${site.url}${channel ? `/rss/${channel}.xml` : '/rss.xml'}`)}" rel="self" type="application/rss+xml" />`,
      `    <description>${xmlEscape(title)}</description>`,
      '    <language>zh-cn</language>',
      rows[0]?.publishedAt ? `    <lastBuildDate>${new Date(rows[0].publishedAt).toUTCString()}</lastBuildDate>` : '',
      ...items,
      '  </channel>',
      '</rss>',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n') + '\n'
  );
}

/** sitemap.xml: static pages, articles, honorees, teams, events, lessons. */
export async function sitemap(db: Db, siteUrl: string): Promise<string> {
  const urls: { loc: string; lastmod?: number }[] = [];
  const statics = ['/', '/honors', '/honors/batches', '/teams', '/events', '/articles', '/legal', '/legal/order', '/stats', '/about', '/privacy', '/terms'];
  for (const p of await db.select({ slug: pages.slug }).from(pages)) if (!statics.includes(`/${p.slug}`)) statics.push(`/${p.slug}`);
  for (const p of statics) urls.push({ loc: p });
  for (const a of await db
    .select({ slug: articles.slug, at: sql<number>`coalesce(${articles.updatedAt}, ${articles.publishedAt})` })
    .from(articles)
    .where(eq(articles.status, 'published'))
    .orderBy(desc(articles.publishedAt))
    .limit(5000))
    urls.push({ loc: `/articles/${a.slug}`, lastmod: Number(a.at) || undefined });
  for (const h of await db.select({ slug: honorees.slug, at: honorees.publishedAt }).from(honorees).where(eq(honorees.status, 'published')).limit(5000))
    urls.push({ loc: `/honors/${h.slug}`, lastmod: h.at ?? undefined });
  for (const t of await db.select({ slug: teams.slug }).from(teams).where(eq(teams.status, 'active')).limit(5000)) urls.push({ loc: `/teams/${t.slug}` });
  for (const e of await db
    .select({ id: events.id, at: events.updatedAt })
    .from(events)
    .where(inArray(events.status, ['published', 'completed']))
    .orderBy(desc(events.startsAt))
    .limit(5000))
    urls.push({ loc: `/events/${e.id}`, lastmod: e.at ?? undefined });
  for (const l of await db.select({ slug: legalLessons.slug }).from(legalLessons)) urls.push({ loc: `/legal/${l.slug}` });
  const body = urls.map((u) => `  <url><loc>${xmlEscape(siteUrl + u.loc)}</loc>${u.lastmod ? `<lastmod>${new Date(u.lastmod).toISOString().slice(0, 10)}</lastmod>` : ''}</url>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}\n</urlset>\n`;
}

/** The cover image row of an article, if any. */
export async function coverOf(db: Db, id: number | null) {
  if (!id) return undefined;
  const [m] = await db
    .select()
    .from(media)
    .where(and(eq(media.id, id), eq(media.kind, 'image')));
  return m;
}

/**
 * Path prefixes no search engine should crawl: the staff console, member pages, secret-token pages
 * (private calendar feeds, reset links, lecture ratings), private files, certificate lookups, the
 * sign-in and recovery forms and Actions. robots.txt is advice to polite crawlers, not access
 * control: every one of these is guarded (or unguessable) on its own.
 */
export const ROBOTS_DISALLOW = [
  '/console',
  // Not a bare '/me': that prefix would also hide the public images under /media/.
  '/me$',
  '/me/',
  '/me?',
  '/calendar/',
  '/files/',
  '/track',
  '/_actions/',
  '/reset/',
  '/forgot',
  '/verify/',
  '/legal/rate/',
  '/events/*/checkin',
  '/login',
  '/logout',
  '/register',
  '/prefs/',
  '/healthz',
  '/search',
] as const;

/** robots.txt: the sitemap at SITE_URL and the private prefixes disallowed for every crawler. */
export function robotsTxt(siteUrl: string): string {
  return ['User-agent: *', ...ROBOTS_DISALLOW.map((p) => `Disallow: ${p}`), '', `Sitemap: ${siteUrl}/sitemap.xml`, ''].join('\n');
}
