// Reading articles for the console: one article, its open revision, versions, review history, lists and counts.
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { articleRevisions, articles, reviewSteps, users } from '../../../db/schema/index.ts';
import { lookupTable } from '../../lib/lookup.ts';
import { CHANNELS } from './public.ts';
import type { ArticleContent } from './editing.ts';
import { articleBody } from './body.ts';

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

/** Plain text of a version for the line diff. */
export function diffText(c: ArticleContent): string {
  return [
    `标题：${c.title}`,
    `栏目：${CHANNELS[c.channel] ?? c.channel}${c.topic ? ` · ${c.topic}` : ''}`,
    `摘要：${c.summary}`,
    `标签：${c.tags.join('、')}`,
    `作者/来源：${c.author} / ${c.source}`,
    '',
    // The reader's text, one block a line: a reviewer compares words, not markup.
    ...articleBody(c).text.split('\n'),
  ].join('\n');
}

/** Console list: articles by status, newest first. */
export async function listConsoleArticles(db: Db, f: { status?: string; limit?: number } = {}) {
  const where =
    f.status === 'pending'
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

/** Counts by status for the console tabs. */
export async function countByStatus(db: Db): Promise<Record<string, number>> {
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
  return out;
}
