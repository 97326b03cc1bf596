// Public reads of published articles.
import { and, desc, eq, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { preparedRead } from '../../../db/prepared.ts';
import { articleSlugs, articles } from '../../../db/schema/index.ts';
import { lookupTable } from '../../lib/lookup.ts';

export type Article = typeof articles.$inferSelect;

/** Channel codes and their Chinese names. */
export const CHANNELS: Readonly<Record<string, string>> = lookupTable({
  news: '新闻动态',
  typical: '典型宣传',
  legal: '普法课堂',
  notice: '通知公告',
});

/** Published articles, newest first, paged; `exceptChannel` leaves out a channel another block already lists. */
export async function listPublishedArticles(db: Db, f: { channel?: string; exceptChannel?: string; topic?: string; page?: number; perPage?: number; withTotal?: boolean } = {}) {
  const where: SQL[] = [eq(articles.status, 'published')];
  if (f.channel) where.push(eq(articles.channel, f.channel));
  if (f.exceptChannel) where.push(ne(articles.channel, f.exceptChannel));
  if (f.topic) where.push(eq(articles.topic, f.topic));
  const perPage = f.perPage ?? 15;
  const page = Math.max(1, f.page ?? 1);
  const items = await db
    .select({
      id: articles.id,
      slug: articles.slug,
      title: articles.title,
      summary: articles.summary,
      channel: articles.channel,
      topic: articles.topic,
      publishedAt: articles.publishedAt,
      coverMediaId: articles.coverMediaId,
      source: articles.source,
    })
    .from(articles)
    .where(and(...where))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .limit(perPage)
    .offset((page - 1) * perPage);
  // The count reads an index entry per published article (200,000 at a prefecture's scale): only a pager needs it.
  const [{ n }] =
    f.withTotal === false
      ? [{ n: items.length }]
      : await db
          .select({ n: sql<number>`count(*)` })
          .from(articles)
          .where(and(...where));
  return { items, total: Number(n), page, perPage, pages: Math.max(1, Math.ceil(Number(n) / perPage)) };
}

/**
 * The home page's two article blocks: 新闻动态 (every channel but 普法课堂) and 普法课堂, so no article is listed
 * under both headings (issue 18, item 15).
 */
export async function homeArticleBlocks(db: Db) {
  const [news, legal] = await Promise.all([
    listPublishedArticles(db, { exceptChannel: 'legal', perPage: 6, withTotal: false }),
    listPublishedArticles(db, { channel: 'legal', perPage: 5, withTotal: false }),
  ]);
  return { news: news.items, legal: legal.items };
}

const articleBySlug = preparedRead((db) =>
  db
    .select()
    .from(articles)
    .where(and(eq(articles.slug, sql.placeholder('slug')), eq(articles.status, 'published')))
    .prepare(),
);

/** One published article by slug. */
export async function getPublishedArticle(db: Db, slug: string): Promise<Article | undefined> {
  const [a] = await articleBySlug(db).all({ slug });
  return a;
}

/** The current slug of a published article that once had `slug` (its slug was edited since), for a 301. */
export async function currentSlugOf(db: Db, slug: string): Promise<string | undefined> {
  const [r] = await db
    .select({ slug: articles.slug })
    .from(articleSlugs)
    .innerJoin(articles, eq(articles.id, articleSlugs.articleId))
    .where(and(eq(articleSlugs.slug, slug), eq(articles.status, 'published')));
  return r?.slug;
}
