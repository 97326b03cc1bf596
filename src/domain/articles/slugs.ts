// Readable article addresses (issue 17 item 3): the day plus the title's Latin words and a short id
// (no pinyin offline), editable by staff; an address an article had before keeps answering with a 301.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditStatement } from '../audit/index.ts';
import { randomToken } from '../../lib/ids.ts';
import { shanghaiDay } from '../../lib/time.ts';
import { ArticleError } from './errors.ts';
import { getArticle } from './queries.ts';
import { can } from '../accounts/policy.ts';

/** What a slug may be: lower-case letters, digits and single hyphens, 3–80 characters. */
export const SlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, '网址至少 3 个字符')
  .max(80, '网址不能超过 80 个字符')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, '网址只能用小写英文字母、数字和连字符（-），且不能以连字符开头或结尾');

/** A new article's slug: 2026-12-03-<Latin words of the title>-<4 random characters>. */
export function newSlug(title: string, now = Date.now()): string {
  const words = (
    title
      .normalize('NFKC')
      .toLowerCase()
      .match(/[a-z0-9]+/g) ?? []
  )
    .join('-')
    .slice(0, 40)
    .replace(/-+$/, '');
  return [shanghaiDay(now), words, randomToken(3).slice(0, 4)].filter(Boolean).join('-');
}

/** Refused: the slug is someone else's (now or before). */
export class SlugTaken extends ArticleError {
  constructor() {
    super('CONFLICT', '这个网址已被其他文章使用（或曾经使用），请换一个', 'slug');
  }
}

/**
 * Gives an article a new slug in one guarded write: the old one is kept in article_slugs (it
 * redirects), the new one must not be another article's, now or before. Audited.
 */
export async function changeSlug(db: Db, user: SessionUser, id: number, input: string, now = Date.now()): Promise<string> {
  if (!can(user, 'articles.write')) throw new ArticleError('FORBIDDEN', '只有宣传编辑可以修改文章网址');
  const parsed = SlugSchema.safeParse(input);
  if (!parsed.success) throw new ArticleError('BAD_REQUEST', parsed.error.issues[0].message, 'slug');
  const slug = parsed.data;
  const article = await getArticle(db, id);
  if (!article) throw new ArticleError('NOT_FOUND', '文章不存在');
  if (article.slug === slug) return slug;
  let written;
  try {
    written = await guardedWrite(
      db,
      sql`UPDATE articles SET slug = ${slug}, updated_at = ${now} WHERE id = ${id} AND slug = ${article.slug}
        AND NOT EXISTS (SELECT 1 FROM article_slugs WHERE slug = ${slug} AND article_id != ${id})`,
      [
        sql`INSERT INTO article_slugs (slug, article_id, created_at) VALUES (${article.slug}, ${id}, ${now}) ON CONFLICT (slug) DO NOTHING`,
        // Taking back one of its own old addresses: it is current again, not a redirect.
        sql`DELETE FROM article_slugs WHERE slug = ${slug} AND article_id = ${id}`,
        auditStatement({ actorId: user.id, action: 'article.slug', targetType: 'article', targetId: id, before: { slug: article.slug }, after: { slug } }),
      ],
    );
  } catch (e) {
    if (e instanceof Error && /UNIQUE/i.test(e.message)) throw new SlugTaken();
    throw e;
  }
  if (!written) {
    const again = await getArticle(db, id);
    if (again && again.slug !== article.slug) throw new ArticleError('CONFLICT', '网址刚被修改过，请刷新后再试');
    throw new SlugTaken();
  }
  return slug;
}
