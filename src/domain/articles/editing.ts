// Writing articles: the content schema, drafts, saving (into the article, or into a revision of a live
// article while the live text stays), restoring an old version. Review is in review.ts.
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { guardedWrite, writeBatch, type Statement } from '../../../db/write.ts';
import { articleRevisions, articles } from '../../../db/schema/index.ts';
import { can } from '../accounts/policy.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditStatement } from '../audit/index.ts';
import { isPlainLine, plainLineError } from '../../lib/plain-text.ts';
import { newSlug } from './slugs.ts';
import { CHANNELS } from './public.ts';
import { BODY_FORMATS, storedBody } from './body.ts';
import { ArticleError } from './errors.ts';
import { DIRECT_EDIT, IN_REVIEW, STATUS_LABELS, getArticle, openRevision, type ArticleRow, type RevisionRow } from './queries.ts';

const opt = (max: number) => z.string().trim().max(max, `不能超过 ${max} 个字`);
/** A single-line field: also free of control, bidi and invisible characters (lib/plain-text.ts). */
const optLine = (label: string, max: number) => opt(max).refine(isPlainLine, plainLineError(label));

/** What an editor writes; shared by the action, the domain and the tests. */
export const ArticleContentSchema = z.object({
  title: z.string().trim().refine(isPlainLine, plainLineError('标题')).min(2, '请填写标题（至少 2 个字）').max(80, '标题不能超过 80 个字'),
  channel: z.enum(Object.keys(CHANNELS) as [string, ...string[]], { error: '请选择栏目' }),
  topic: z.string().trim().refine(isPlainLine, plainLineError('专题')).max(20).nullable().default(null),
  honoreeId: z.number().int().positive().nullable().default(null),
  summary: opt(200).default(''),
  body: z.string().max(100_000, '正文过长（不超过 10 万字）').default(''),
  /** Revisions saved before the rich-text editor hold no format: they are Markdown. */
  bodyFormat: z.enum(BODY_FORMATS).default('markdown'),
  tags: z
    .array(z.string().trim().refine(isPlainLine, plainLineError('标签')).min(1).max(20))
    .max(10, '标签不超过 10 个')
    .default([]),
  author: optLine('作者', 60).default(''),
  source: optLine('来源', 60).default(''),
  coverMediaId: z.number().int().positive().nullable().default(null),
  attachments: z.array(z.number().int().positive()).max(10, '附件不超过 10 个').default([]),
});
export type ArticleContent = z.infer<typeof ArticleContentSchema>;
/** What callers may pass: defaults (such as a Markdown body) filled in by the schema. */
export type ArticleContentInput = z.input<typeof ArticleContentSchema>;

/** Splits "a，b、c" into tags. */
export function parseTags(raw: string): string[] {
  return [
    ...new Set(
      raw
        .split(/[,，、;；\s]+/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ].slice(0, 10);
}

/** The content of an article row. */
export function contentOf(a: ArticleRow): ArticleContent {
  return {
    title: a.title,
    channel: a.channel,
    topic: a.topic,
    honoreeId: a.honoreeId,
    summary: a.summary,
    body: a.body,
    bodyFormat: a.bodyFormat === 'html' ? 'html' : 'markdown',
    tags: JSON.parse(a.tags),
    author: a.author,
    source: a.source,
    coverMediaId: a.coverMediaId,
    attachments: JSON.parse(a.attachments),
  };
}

/** The content a revision holds. */
export function revisionContent(r: RevisionRow): ArticleContent {
  return ArticleContentSchema.parse(JSON.parse(r.content));
}

/** Channel rules, and the body through the one allow-list (domain/articles/body.ts): never what the browser sent. */
function normalise(c: ArticleContent): ArticleContent {
  const { body, bodyFormat } = storedBody(c);
  return {
    ...c,
    body,
    bodyFormat,
    topic: c.channel === 'legal' ? c.topic || '其他' : null,
    honoreeId: c.channel === 'typical' ? c.honoreeId : null,
  };
}

/** Refuses anyone but 宣传 editors. */
export function requireWriter(user: SessionUser) {
  if (!can(user, 'articles.write')) throw new ArticleError('FORBIDDEN', '只有宣传编辑可以撰写和提交文章');
}

/** What the editor sees in the form, and whether it edits the article itself or a revision. */
export async function editableContent(db: Db, id: number) {
  const article = await getArticle(db, id);
  if (!article) throw new ArticleError('NOT_FOUND', '文章不存在');
  if (DIRECT_EDIT.includes(article.status)) return { article, target: 'article' as const, content: contentOf(article), revision: undefined };
  if (article.status === 'published') {
    const revision = await openRevision(db, id);
    if (revision) return { article, target: IN_REVIEW.includes(revision.status) ? ('locked' as const) : ('revision' as const), content: revisionContent(revision), revision };
    return { article, target: 'revision' as const, content: contentOf(article), revision: undefined };
  }
  return { article, target: 'locked' as const, content: contentOf(article), revision: undefined };
}

/** Creates a draft with its audit row; returns its id. */
export async function createArticle(db: Db, user: SessionUser, input: ArticleContentInput, publishAt: number | null = null, now = Date.now()): Promise<number> {
  requireWriter(user);
  const c = normalise(ArticleContentSchema.parse(input));
  const slug = newSlug(c.title, now);
  const [ins] = await writeBatch(db, [
    db
      .insert(articles)
      .values({
        slug,
        channel: c.channel,
        topic: c.topic,
        title: c.title,
        summary: c.summary,
        body: c.body,
        bodyFormat: c.bodyFormat,
        bodyText: storedBody(c).bodyText,
        tags: JSON.stringify(c.tags),
        author: c.author,
        source: c.source,
        honoreeId: c.honoreeId,
        coverMediaId: c.coverMediaId,
        attachments: JSON.stringify(c.attachments),
        status: 'draft',
        publishAt,
        createdBy: user.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: articles.id }),
    auditStatement({ actorId: user.id, action: 'article.create', targetType: 'article', targetId: sql`SELECT id FROM articles WHERE slug = ${slug}`, after: { title: c.title } }),
  ]);
  return Number(ins.rows[0].id);
}

/**
 * Saves the editor's content: into the article while it is not live, or into
 * the open revision of a live article (created on first edit; the live text stays).
 */
export function saveArticle(db: Db, user: SessionUser, id: number, input: ArticleContentInput, publishAt: number | null = null, now = Date.now()): Promise<'article' | 'revision'> {
  return saveContent(db, user, id, input, publishAt, now, []);
}

/** saveArticle, with `also` written in the same guarded write (restoring a version records it there). */
async function saveContent(db: Db, user: SessionUser, id: number, input: ArticleContentInput, publishAt: number | null, now: number, also: Statement[]): Promise<'article' | 'revision'> {
  requireWriter(user);
  const c = normalise(ArticleContentSchema.parse(input));
  const { article, target, revision } = await editableContent(db, id);
  if (target === 'locked')
    throw new ArticleError('CONFLICT', article.status === 'published' ? '修改稿正在审核中，审核结束前不能再改' : `文章${STATUS_LABELS[article.status] ?? ''}，当前不能修改（审核中的文章需先退回）`);
  if (target === 'article') {
    const written = await guardedWrite(
      db,
      sql`UPDATE articles SET title = ${c.title}, channel = ${c.channel}, topic = ${c.topic}, honoree_id = ${c.honoreeId}, summary = ${c.summary},
        body = ${c.body}, body_format = ${c.bodyFormat}, body_text = ${storedBody(c).bodyText}, tags = ${JSON.stringify(c.tags)}, author = ${c.author}, source = ${c.source}, cover_media_id = ${c.coverMediaId},
        attachments = ${JSON.stringify(c.attachments)}, publish_at = ${publishAt}, updated_at = ${now}
      WHERE id = ${id} AND status IN ('draft','returned','unpublished')`,
      also,
    );
    if (!written) throw new ArticleError('CONFLICT', '文章状态已变化，请刷新后再试');
    return 'article';
  }
  const json = JSON.stringify(c);
  // Saving a live article unchanged (e.g. only its address was edited) opens no revision to review.
  if (!revision && !also.length && json === JSON.stringify(contentOf(article))) return 'revision';
  if (revision) {
    const written = await guardedWrite(db, sql`UPDATE article_revisions SET content = ${json} WHERE id = ${revision.id} AND status IN ('draft','returned')`, also);
    if (!written) throw new ArticleError('CONFLICT', '修改稿正在审核中，审核结束前不能再改');
    return 'revision';
  }
  // First edit of a live article: keep the live text as a baseline version, then open a draft revision.
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)` })
    .from(articleRevisions)
    .where(eq(articleRevisions.articleId, id));
  const stmts: Statement[] = [];
  if (Number(n) === 0)
    stmts.push(db.insert(articleRevisions).values({ articleId: id, content: JSON.stringify(contentOf(article)), status: 'live', createdBy: article.createdBy, createdAt: article.publishedAt ?? now }));
  stmts.push(db.insert(articleRevisions).values({ articleId: id, content: json, status: 'draft', createdBy: user.id, createdAt: now }));
  try {
    await writeBatch(db, [...stmts, ...also]);
  } catch (e) {
    if (e instanceof Error && /UNIQUE/i.test(e.message)) throw new ArticleError('CONFLICT', '已有一份修改稿，请刷新后在其上修改');
    throw e;
  }
  return 'revision';
}

/** Puts an old version's content back into the editor (as the draft, or as a new revision of a live article), audited in the same write. */
export async function restoreRevision(db: Db, user: SessionUser, id: number, revisionId: number, now = Date.now()): Promise<void> {
  requireWriter(user);
  const [rev] = await db
    .select()
    .from(articleRevisions)
    .where(and(eq(articleRevisions.id, revisionId), eq(articleRevisions.articleId, id)));
  if (!rev) throw new ArticleError('NOT_FOUND', '该版本不存在');
  const article = await getArticle(db, id);
  await saveContent(db, user, id, revisionContent(rev), article?.publishAt ?? null, now, [
    auditStatement({ actorId: user.id, action: 'article.restore', targetType: 'article', targetId: id, after: { fromRevision: revisionId } }),
  ]);
}
