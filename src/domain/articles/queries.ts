// Reading articles for the console: one article, its open revision, versions, review history, lists and counts.
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { articleRevisions, articles, reviewSteps, users } from '../../../db/schema/index.ts';
import { lookupTable } from '../../lib/lookup.ts';
import { CHANNELS } from './public.ts';
import type { ArticleContent } from './editing.ts';
import { articleBody, type StoredBody } from './body.ts';
import { richTextToPlain } from '../../lib/rich-text.ts';

export type ArticleRow = typeof articles.$inferSelect;
export type RevisionRow = typeof articleRevisions.$inferSelect;

/** Status names shown in the console. */
export const STATUS_LABELS: Readonly<Record<string, string>> = lookupTable({
  draft: '草稿',
  returned: '已退回',
  submitted: '待初审',
  in_review: '审核中',
  scheduled: '定时发布',
  published: '已发布',
  unpublished: '已撤下',
  archived: '已归档',
  live: '线上版本',
  superseded: '历史版本',
  discarded: '已作废',
});

/** Article statuses whose row is edited directly (not yet live). */
export const DIRECT_EDIT = ['draft', 'returned', 'unpublished'];
/** Statuses of a revision still being worked on or reviewed. */
export const OPEN_REVISION = ['draft', 'returned', 'submitted', 'in_review'];
/** Statuses of an article or revision waiting for a reviewer. */
export const IN_REVIEW = ['submitted', 'in_review'];

/** One article by id. */
export async function getArticle(db: Db, id: number): Promise<ArticleRow | undefined> {
  const [a] = await db.select().from(articles).where(eq(articles.id, id));
  return a;
}

/** The open (unfinished) revision of a live article, if any. */
export async function openRevision(db: Db, articleId: number): Promise<RevisionRow | undefined> {
  const [r] = await db
    .select()
    .from(articleRevisions)
    .where(and(eq(articleRevisions.articleId, articleId), inArray(articleRevisions.status, OPEN_REVISION)));
  return r;
}

/** Revisions of an article, newest first. */
export async function listRevisions(db: Db, id: number) {
  return db
    .select({ r: articleRevisions, author: users.realName })
    .from(articleRevisions)
    .leftJoin(users, eq(users.id, articleRevisions.createdBy))
    .where(eq(articleRevisions.articleId, id))
    .orderBy(desc(articleRevisions.id));
}

/** Every review step of an article and of its revisions, oldest first, with reviewer names. */
export async function reviewHistory(db: Db, id: number) {
  const revIds = (await db.select({ id: articleRevisions.id }).from(articleRevisions).where(eq(articleRevisions.articleId, id))).map((r) => r.id);
  const subject = revIds.length
    ? sql`(${reviewSteps.subjectType} = 'article' AND ${reviewSteps.subjectId} = ${id}) OR (${reviewSteps.subjectType} = 'revision' AND ${inArray(reviewSteps.subjectId, revIds)})`
    : sql`${reviewSteps.subjectType} = 'article' AND ${reviewSteps.subjectId} = ${id}`;
  return db.select({ s: reviewSteps, name: users.realName }).from(reviewSteps).leftJoin(users, eq(users.id, reviewSteps.reviewerId)).where(subject).orderBy(asc(reviewSteps.at), asc(reviewSteps.id));
}

/**
 * The body as lines a reviewer compares: what a reader reads (through articleBody, whichever the
 * format), one block a line, with each picture as a line of its own so a changed image shows in the
 * diff (issue 17.1).
 */
export function bodyLines(b: StoredBody): string[] {
  const html = articleBody(b).html.replace(/<img\b[^>]*?\balt="([^"]*)"[^>]*>/gi, '<p>[图片：$1]</p>');
  return richTextToPlain(html).split('\n');
}

/** Plain text of a version for the line diff; `mediaNames` names the cover and attachments (else their numbers). */
export function diffText(c: ArticleContent, mediaNames: ReadonlyMap<number, string> = new Map()): string {
  const name = (id: number) => mediaNames.get(id) ?? `#${id}`;
  return [
    `标题：${c.title}`,
    `栏目：${CHANNELS[c.channel] ?? c.channel}${c.topic ? ` · ${c.topic}` : ''}`,
    `摘要：${c.summary}`,
    `标签：${c.tags.join('、')}`,
    `作者/来源：${c.author} / ${c.source}`,
    `封面：${c.coverMediaId ? name(c.coverMediaId) : '无'}`,
    `附件：${c.attachments.length ? c.attachments.map(name).join('、') : '无'}`,
    '',
    // The reader's text, one block a line: a reviewer compares words, not markup.
    ...bodyLines(c),
  ].join('\n');
}

/**
 * 待我处理: for an editor the returned articles and revisions to fix and their own drafts; for a
 * reviewer what waits in review that someone else wrote and they have not yet approved in this round.
 */
function todoWhere(todo: { userId: number; writer: boolean; reviewer: boolean }) {
  const parts = [];
  if (todo.writer)
    parts.push(
      sql`${articles.status} = 'returned' OR (${articles.status} = 'draft' AND ${articles.createdBy} = ${todo.userId})
        OR ${articles.id} IN (SELECT article_id FROM article_revisions WHERE status = 'returned' OR (status = 'draft' AND created_by = ${todo.userId}))`,
    );
  if (todo.reviewer)
    parts.push(
      sql`(${articles.status} IN ('submitted','in_review') AND coalesce(${articles.createdBy}, 0) != ${todo.userId}
          AND NOT EXISTS (SELECT 1 FROM review_steps s WHERE s.subject_type = 'article' AND s.subject_id = ${articles.id} AND s.decision = 'approve' AND s.reviewer_id = ${todo.userId} AND s.at >= ${articles.submittedAt}))
        OR ${articles.id} IN (SELECT r.article_id FROM article_revisions r WHERE r.status IN ('submitted','in_review') AND coalesce(r.created_by, 0) != ${todo.userId}
          AND NOT EXISTS (SELECT 1 FROM review_steps s WHERE s.subject_type = 'revision' AND s.subject_id = r.id AND s.decision = 'approve' AND s.reviewer_id = ${todo.userId} AND s.at >= r.submitted_at))`,
    );
  return parts.length
    ? sql.join(
        parts.map((p) => sql`(${p})`),
        sql` OR `,
      )
    : sql`0`;
}

/** Console list: articles by status (or 待我处理 with `todo`), newest first. */
export async function listConsoleArticles(db: Db, f: { status?: string; limit?: number; todo?: { userId: number; writer: boolean; reviewer: boolean } } = {}) {
  const where =
    f.status === 'todo' && f.todo
      ? todoWhere(f.todo)
      : f.status === 'pending'
        ? sql`${articles.status} IN ('submitted','in_review') OR ${articles.id} IN (SELECT article_id FROM article_revisions WHERE status IN ('submitted','in_review'))`
        : f.status
          ? eq(articles.status, f.status)
          : undefined;
  return db
    .select({ a: articles, author: users.realName })
    .from(articles)
    .leftJoin(users, eq(users.id, articles.createdBy))
    .where(where)
    .orderBy(desc(sql`coalesce(${articles.updatedAt}, ${articles.createdAt})`), desc(articles.id))
    .limit(f.limit ?? 100);
}

/** Counts by status for the console tabs (with `todo`: also 待我处理). */
export async function countByStatus(db: Db, todo?: { userId: number; writer: boolean; reviewer: boolean }): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: articles.status, n: sql<number>`count(*)` })
    .from(articles)
    .groupBy(articles.status);
  const pendingRev = await db
    .select({ n: sql<number>`count(*)` })
    .from(articleRevisions)
    .where(inArray(articleRevisions.status, IN_REVIEW));
  const out: Record<string, number> = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  out.pending = (out.submitted ?? 0) + (out.in_review ?? 0) + Number(pendingRev[0].n);
  if (todo)
    out.todo = Number(
      (
        await db
          .select({ n: sql<number>`count(*)` })
          .from(articles)
          .where(todoWhere(todo))
      )[0].n,
    );
  return out;
}
