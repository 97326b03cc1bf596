// Article editing and 三审 review: draft → submitted → 初审 → (复审) → 终审 → published,
// with the number of steps from settings (1–3). Edits to a live article are
// revisions reviewed the same way while the live version stays
// (docs/decisions/050-article-review-workflow.md).
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { articleRevisions, articles, reviewSteps, users } from '../../../db/schema/index.ts';
import { can } from '../accounts/policy.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditInsert } from '../audit/index.ts';
import { noticeInsert } from '../notices/index.ts';
import { getSetting } from '../settings/index.ts';
import { randomToken } from '../../lib/ids.ts';
import { isPlainLine, plainLineError } from '../../lib/plain-text.ts';
import { shanghaiDay } from '../../lib/time.ts';
import { guardedBatch } from './guarded-batch.ts';
import { writeBatch, type Stmt } from '../../../db/batch.ts';
import { articleFieldLabel, articleHits, type PiiHit } from './personal-data.ts';
import { PersonalDataInText } from '../public-text.ts';
import { CHANNELS } from './public.ts';
import { Refusal } from '../refusal.ts';
import { lookupTable } from '../../lib/lookup.ts';

export type ArticleRow = typeof articles.$inferSelect;
export type RevisionRow = typeof articleRevisions.$inferSelect;

/** Status names shown in the console. */
export const STATUS_LABELS: Readonly<Record<string, string>> = lookupTable({
  draft: '草稿', returned: '已退回', submitted: '待初审', in_review: '审核中', scheduled: '定时发布', published: '已发布', unpublished: '已撤下', archived: '已归档',
  live: '线上版本', superseded: '历史版本', discarded: '已作废',
});

/** A problem the user can fix, in Chinese. */
export class ArticleError extends Refusal {
  readonly code: 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST';
  constructor(code: ArticleError['code'], message: string) {
    super(code, message);
    this.name = 'ArticleError';
    this.code = code;
  }
}

/** Submission blocked by personal data; `hits` lists each one found, and each field's message goes next to it. */
export class PersonalDataFound extends PersonalDataInText {
  constructor(hits: PiiHit[]) {
    super(hits, Object.fromEntries(hits.map((h) => [h.field, articleFieldLabel(h.field)])));
    this.name = 'PersonalDataFound';
  }
}

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
  tags: z.array(z.string().trim().refine(isPlainLine, plainLineError('标签')).min(1).max(20)).max(10, '标签不超过 10 个').default([]),
  author: optLine('作者', 60).default(''),
  source: optLine('来源', 60).default(''),
  coverMediaId: z.number().int().positive().nullable().default(null),
  attachments: z.array(z.number().int().positive()).max(10, '附件不超过 10 个').default([]),
});
export type ArticleContent = z.infer<typeof ArticleContentSchema>;

/** Splits "a，b、c" into tags. */
export function parseTags(raw: string): string[] {
  return [...new Set(raw.split(/[,，、;；\s]+/).map((t) => t.trim()).filter(Boolean))].slice(0, 10);
}

/** Names of the review steps for a count (1–3). */
export function stepNames(count: number): string[] {
  return count <= 1 ? ['终审'] : count === 2 ? ['初审', '终审'] : ['初审', '复审', '终审'];
}

/** The configured number of review steps, clamped to 1–3. */
export async function reviewStepCount(db: Db): Promise<number> {
  const n = Number(await getSetting(db, 'reviewSteps'));
  return Math.min(3, Math.max(1, Number.isFinite(n) ? Math.round(n) : 2));
}

export function contentOf(a: ArticleRow): ArticleContent {
  return {
    title: a.title, channel: a.channel, topic: a.topic, honoreeId: a.honoreeId, summary: a.summary, body: a.body,
    tags: JSON.parse(a.tags), author: a.author, source: a.source, coverMediaId: a.coverMediaId, attachments: JSON.parse(a.attachments),
  };
}

export function revisionContent(r: RevisionRow): ArticleContent {
  return ArticleContentSchema.parse(JSON.parse(r.content));
}

function normalise(c: ArticleContent): ArticleContent {
  return {
    ...c,
    topic: c.channel === 'legal' ? c.topic || '其他' : null,
    honoreeId: c.channel === 'typical' ? c.honoreeId : null,
  };
}

function requireWriter(user: SessionUser) {
  if (!can(user, 'articles.write')) throw new ArticleError('FORBIDDEN', '只有宣传编辑可以撰写和提交文章');
}

/** Article statuses whose row is edited directly (not yet live). */
const DIRECT_EDIT = ['draft', 'returned', 'unpublished'];
const OPEN_REVISION = ['draft', 'returned', 'submitted', 'in_review'];
const IN_REVIEW = ['submitted', 'in_review'];

/** One article by id. */
export async function getArticle(db: Db, id: number): Promise<ArticleRow | undefined> {
  const [a] = await db.select().from(articles).where(eq(articles.id, id));
  return a;
}

/** The open (unfinished) revision of a live article, if any. */
export async function openRevision(db: Db, articleId: number): Promise<RevisionRow | undefined> {
  const [r] = await db.select().from(articleRevisions).where(and(eq(articleRevisions.articleId, articleId), inArray(articleRevisions.status, OPEN_REVISION)));
  return r;
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

/** Creates a draft; returns its id. */
export async function createArticle(db: Db, user: SessionUser, input: ArticleContent, publishAt: number | null = null, now = Date.now()): Promise<number> {
  requireWriter(user);
  const c = normalise(ArticleContentSchema.parse(input));
  const slug = `${shanghaiDay(now).replace(/-/g, '')}-${randomToken(4)}`;
  const [row] = await db.insert(articles).values({
    slug, channel: c.channel, topic: c.topic, title: c.title, summary: c.summary, body: c.body, tags: JSON.stringify(c.tags), author: c.author, source: c.source,
    honoreeId: c.honoreeId, coverMediaId: c.coverMediaId, attachments: JSON.stringify(c.attachments), status: 'draft', publishAt, createdBy: user.id, createdAt: now, updatedAt: now,
  }).returning({ id: articles.id });
  await auditInsert(db, { actorId: user.id, action: 'article.create', targetType: 'article', targetId: row.id, after: { title: c.title } });
  return row.id;
}

/**
 * Saves the editor's content: into the article while it is not live, or into
 * the open revision of a live article (created on first edit; the live text stays).
 */
export async function saveArticle(db: Db, user: SessionUser, id: number, input: ArticleContent, publishAt: number | null = null, now = Date.now()): Promise<'article' | 'revision'> {
  requireWriter(user);
  const c = normalise(ArticleContentSchema.parse(input));
  const { article, target, revision } = await editableContent(db, id);
  if (target === 'locked') throw new ArticleError('CONFLICT', article.status === 'published' ? '修改稿正在审核中，审核结束前不能再改' : `文章${STATUS_LABELS[article.status] ?? ''}，当前不能修改（审核中的文章需先退回）`);
  if (target === 'article') {
    const rs = await db.$client.execute({
      sql: `UPDATE articles SET title=?, channel=?, topic=?, honoree_id=?, summary=?, body=?, tags=?, author=?, source=?, cover_media_id=?, attachments=?, publish_at=?, updated_at=?
            WHERE id=? AND status IN ('draft','returned','unpublished') RETURNING id`,
      args: [c.title, c.channel, c.topic, c.honoreeId, c.summary, c.body, JSON.stringify(c.tags), c.author, c.source, c.coverMediaId, JSON.stringify(c.attachments), publishAt, now, id],
    });
    if (!rs.rows.length) throw new ArticleError('CONFLICT', '文章状态已变化，请刷新后再试');
    return 'article';
  }
  const json = JSON.stringify(c);
  if (revision) {
    const rs = await db.$client.execute({ sql: `UPDATE article_revisions SET content=? WHERE id=? AND status IN ('draft','returned') RETURNING id`, args: [json, revision.id] });
    if (!rs.rows.length) throw new ArticleError('CONFLICT', '修改稿正在审核中，审核结束前不能再改');
    return 'revision';
  }
  // First edit of a live article: keep the live text as a baseline version, then open a draft revision.
  const [{ n }] = await db.select({ n: sql<number>`count(*)` }).from(articleRevisions).where(eq(articleRevisions.articleId, id));
  const stmts: Stmt[] = [];
  if (Number(n) === 0) stmts.push(db.insert(articleRevisions).values({ articleId: id, content: JSON.stringify(contentOf(article)), status: 'live', createdBy: article.createdBy, createdAt: article.publishedAt ?? now }));
  stmts.push(db.insert(articleRevisions).values({ articleId: id, content: json, status: 'draft', createdBy: user.id, createdAt: now }));
  try {
    await writeBatch(db, stmts);
  } catch (e) {
    if (e instanceof Error && /UNIQUE/i.test(e.message)) throw new ArticleError('CONFLICT', '已有一份修改稿，请刷新后在其上修改');
    throw e;
  }
  return 'revision';
}

/** The content a submission would send to review (article or its open revision). */
async function reviewSubject(db: Db, id: number) {
  const article = await getArticle(db, id);
  if (!article) throw new ArticleError('NOT_FOUND', '文章不存在');
  if (article.status === 'published') {
    const revision = await openRevision(db, id);
    if (revision) return { article, type: 'revision' as const, subjectId: revision.id, row: revision, content: revisionContent(revision), createdBy: revision.createdBy };
  }
  return { article, type: 'article' as const, subjectId: article.id, row: article, content: contentOf(article), createdBy: article.createdBy };
}

function stepInsert(db: Db, s: { type: string; subjectId: number; step: number; decision: string; opinion?: string; userId: number; at: number }) {
  return db.insert(reviewSteps).values({ subjectType: s.type, subjectId: s.subjectId, step: s.step, decision: s.decision, opinion: s.opinion ?? '', reviewerId: s.userId, at: s.at });
}

/** Sends the article (or its open revision) to review; blocked by personal data in any field it would publish. */
export async function submitForReview(db: Db, user: SessionUser, id: number, now = Date.now()): Promise<void> {
  requireWriter(user);
  const s = await reviewSubject(db, id);
  const editable = s.type === 'article' ? DIRECT_EDIT.includes(s.article.status) : ['draft', 'returned'].includes(s.row.status);
  if (!editable) throw new ArticleError('CONFLICT', s.article.status === 'published' ? '没有待提交的修改稿；请先修改文章' : '文章已在审核流程中');
  const hits = await articleHits(db, s.content);
  if (hits.length) throw new PersonalDataFound(hits);
  const table = s.type === 'article' ? 'articles' : 'article_revisions';
  const from = s.type === 'article' ? "('draft','returned','unpublished')" : "('draft','returned')";
  const ok = await guardedBatch(db, { sql: `UPDATE ${table} SET status='submitted', review_step=0, submitted_at=? WHERE id=? AND status IN ${from} RETURNING id`, args: [now, s.subjectId] }, [
    stepInsert(db, { type: s.type, subjectId: s.subjectId, step: 0, decision: 'submit', userId: user.id, at: now }),
    auditInsert(db, { actorId: user.id, action: `${s.type}.submit`, targetType: 'article', targetId: id, after: { status: 'submitted' } }),
  ]);
  if (!ok) throw new ArticleError('CONFLICT', '文章状态已变化，请刷新后再试');
}

/** Approves the current step or returns with comments. The last approval publishes (or schedules). */
export async function reviewArticle(db: Db, user: SessionUser, id: number, decision: 'approve' | 'return', opinion: string, now = Date.now()): Promise<{ status: string; step: number }> {
  if (!can(user, 'articles.review')) throw new ArticleError('FORBIDDEN', '只有审核人员可以审核文章，编辑不能自行发布');
  const s = await reviewSubject(db, id);
  if (!IN_REVIEW.includes(s.row.status)) throw new ArticleError('CONFLICT', '这篇文章当前没有待审核的内容');
  const op = opinion.trim();
  const table = s.type === 'article' ? 'articles' : 'article_revisions';
  const step = s.row.reviewStep;
  const total = await reviewStepCount(db);
  const names = stepNames(total);
  const stepName = names[Math.min(step, names.length - 1)];
  if (decision === 'return') {
    if (!op) throw new ArticleError('BAD_REQUEST', '退回时请填写修改意见');
    const ok = await guardedBatch(db, { sql: `UPDATE ${table} SET status='returned', review_step=0 WHERE id=? AND status IN ('submitted','in_review') AND review_step=? RETURNING id`, args: [s.subjectId, step] }, [
      stepInsert(db, { type: s.type, subjectId: s.subjectId, step: step + 1, decision: 'return', opinion: op, userId: user.id, at: now }),
      auditInsert(db, { actorId: user.id, action: `${s.type}.return`, targetType: 'article', targetId: id, before: { status: s.row.status, step }, after: { status: 'returned' }, detail: op }),
      ...(s.createdBy ? [noticeInsert(db, { userId: s.createdBy, kind: 'article', title: `文章《${s.content.title}》被退回（${stepName}）`, body: op, link: `/console/articles/${id}` })] : []),
    ]);
    if (!ok) throw new ArticleError('CONFLICT', '审核状态已变化，请刷新后再试');
    return { status: 'returned', step: 0 };
  }
  if (s.createdBy === user.id) throw new ArticleError('FORBIDDEN', '不能审核自己撰写的文章（谁审核谁负责，需由他人审核）');
  const newStep = step + 1;
  const final = newStep >= total;
  const notSelf = `(created_by IS NULL OR created_by != ?) AND NOT EXISTS (SELECT 1 FROM review_steps WHERE subject_type=? AND subject_id=? AND decision='approve' AND reviewer_id=? AND at >= ${table}.submitted_at)`;
  const guardArgs = [user.id, s.type, s.subjectId, user.id];
  const step_ = stepInsert(db, { type: s.type, subjectId: s.subjectId, step: newStep, decision: 'approve', opinion: op || '同意', userId: user.id, at: now });
  let status: string;
  let ok;
  if (!final) {
    status = 'in_review';
    ok = await guardedBatch(db, { sql: `UPDATE ${table} SET status='in_review', review_step=? WHERE id=? AND status IN ('submitted','in_review') AND review_step=? AND ${notSelf} RETURNING id`, args: [newStep, s.subjectId, step, ...guardArgs] }, [
      step_, auditInsert(db, { actorId: user.id, action: `${s.type}.approve`, targetType: 'article', targetId: id, before: { step }, after: { step: newStep }, detail: op }),
    ]);
  } else if (s.type === 'article') {
    const scheduled = s.article.publishAt != null && s.article.publishAt > now;
    status = scheduled ? 'scheduled' : 'published';
    ok = await guardedBatch(db, {
      sql: `UPDATE articles SET status=?, review_step=?, published_at=CASE WHEN ? = 'published' THEN ? ELSE published_at END, updated_at=? WHERE id=? AND status IN ('submitted','in_review') AND review_step=? AND ${notSelf} RETURNING id`,
      args: [status, newStep, status, now, now, s.subjectId, step, ...guardArgs],
    }, [
      step_,
      auditInsert(db, { actorId: user.id, action: scheduled ? 'article.schedule' : 'article.publish', targetType: 'article', targetId: id, before: { status: s.row.status }, after: { status, publishAt: s.article.publishAt }, detail: op }),
      ...(s.createdBy ? [noticeInsert(db, { userId: s.createdBy, kind: 'article', title: scheduled ? `文章《${s.content.title}》已通过审核，将定时发布` : `文章《${s.content.title}》已通过审核并发布`, link: `/console/articles/${id}` })] : []),
    ]);
  } else {
    status = 'published';
    const c = s.content;
    ok = await guardedBatch(db, { sql: `UPDATE article_revisions SET status='live', review_step=? WHERE id=? AND status IN ('submitted','in_review') AND review_step=? AND ${notSelf} RETURNING id`, args: [newStep, s.subjectId, step, ...guardArgs] }, [
      { sql: `UPDATE article_revisions SET status='superseded' WHERE article_id=? AND status='live' AND id != ?`, args: [id, s.subjectId] },
      {
        sql: `UPDATE articles SET title=?, channel=?, topic=?, honoree_id=?, summary=?, body=?, tags=?, author=?, source=?, cover_media_id=?, attachments=?, updated_at=? WHERE id=?`,
        args: [c.title, c.channel, c.topic, c.honoreeId, c.summary, c.body, JSON.stringify(c.tags), c.author, c.source, c.coverMediaId, JSON.stringify(c.attachments), now, id],
      },
      step_,
      auditInsert(db, { actorId: user.id, action: 'revision.publish', targetType: 'article', targetId: id, after: { revisionId: s.subjectId }, detail: op }),
      ...(s.createdBy ? [noticeInsert(db, { userId: s.createdBy, kind: 'article', title: `《${c.title}》的修改已通过审核并上线`, link: `/console/articles/${id}` })] : []),
    ]);
  }
  if (!ok) throw new ArticleError('CONFLICT', '您已审核过本轮中的一步，或审核状态已变化；同一轮的各级审核须由不同审核人完成');
  return { status: final ? status : 'in_review', step: newStep };
}

/** Takes a live (or scheduled) article off the public site; an open revision is discarded. */
export async function unpublishArticle(db: Db, user: SessionUser, id: number, reason: string, now = Date.now()): Promise<void> {
  if (!can(user, 'articles.write') && !can(user, 'articles.review')) throw new ArticleError('FORBIDDEN', '您没有权限撤下文章');
  const ok = await guardedBatch(db, { sql: `UPDATE articles SET status='unpublished', review_step=0, updated_at=? WHERE id=? AND status IN ('published','scheduled') RETURNING id`, args: [now, id] }, [
    { sql: `UPDATE article_revisions SET status='discarded' WHERE article_id=? AND status IN ('draft','returned','submitted','in_review')`, args: [id] },
    stepInsert(db, { type: 'article', subjectId: id, step: 0, decision: 'unpublish', opinion: reason.trim(), userId: user.id, at: now }),
    auditInsert(db, { actorId: user.id, action: 'article.unpublish', targetType: 'article', targetId: id, after: { status: 'unpublished' }, detail: reason.trim() }),
  ]);
  if (!ok) throw new ArticleError('CONFLICT', '只有已发布或定时发布的文章可以撤下');
}

/** Archives an article that is not in review; it leaves the public site. */
export async function archiveArticle(db: Db, user: SessionUser, id: number, now = Date.now()): Promise<void> {
  if (!can(user, 'articles.write') && !can(user, 'articles.review')) throw new ArticleError('FORBIDDEN', '您没有权限归档文章');
  const ok = await guardedBatch(db, { sql: `UPDATE articles SET status='archived', updated_at=? WHERE id=? AND status IN ('draft','returned','unpublished','published') RETURNING id`, args: [now, id] }, [
    { sql: `UPDATE article_revisions SET status='discarded' WHERE article_id=? AND status IN ('draft','returned','submitted','in_review')`, args: [id] },
    stepInsert(db, { type: 'article', subjectId: id, step: 0, decision: 'archive', userId: user.id, at: now }),
    auditInsert(db, { actorId: user.id, action: 'article.archive', targetType: 'article', targetId: id, after: { status: 'archived' } }),
  ]);
  if (!ok) throw new ArticleError('CONFLICT', '审核中的文章不能归档，请先退回');
}

/** Puts an old version's content back into the editor (as the draft, or as a new revision of a live article). */
export async function restoreRevision(db: Db, user: SessionUser, id: number, revisionId: number, now = Date.now()): Promise<void> {
  requireWriter(user);
  const [rev] = await db.select().from(articleRevisions).where(and(eq(articleRevisions.id, revisionId), eq(articleRevisions.articleId, id)));
  if (!rev) throw new ArticleError('NOT_FOUND', '该版本不存在');
  const article = await getArticle(db, id);
  await saveArticle(db, user, id, revisionContent(rev), article?.publishAt ?? null, now);
  await auditInsert(db, { actorId: user.id, action: 'article.restore', targetType: 'article', targetId: id, after: { fromRevision: revisionId } });
}

/** Revisions of an article, newest first. */
export async function listRevisions(db: Db, id: number) {
  return db.select({ r: articleRevisions, author: users.realName }).from(articleRevisions).leftJoin(users, eq(users.id, articleRevisions.createdBy))
    .where(eq(articleRevisions.articleId, id)).orderBy(desc(articleRevisions.id));
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
  return [`标题：${c.title}`, `栏目：${CHANNELS[c.channel] ?? c.channel}${c.topic ? ` · ${c.topic}` : ''}`, `摘要：${c.summary}`, `标签：${c.tags.join('、')}`, `作者/来源：${c.author} / ${c.source}`, '', ...c.body.split('\n')].join('\n');
}

/** Console list: articles by status, newest first. */
export async function listConsoleArticles(db: Db, f: { status?: string; limit?: number } = {}) {
  const where = f.status === 'pending'
    ? sql`${articles.status} IN ('submitted','in_review') OR ${articles.id} IN (SELECT article_id FROM article_revisions WHERE status IN ('submitted','in_review'))`
    : f.status ? eq(articles.status, f.status) : undefined;
  return db.select({ a: articles, author: users.realName }).from(articles).leftJoin(users, eq(users.id, articles.createdBy)).where(where)
    .orderBy(desc(sql`coalesce(${articles.updatedAt}, ${articles.createdAt})`), desc(articles.id)).limit(f.limit ?? 100);
}

/** Counts by status for the console tabs. */
export async function countByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db.select({ status: articles.status, n: sql<number>`count(*)` }).from(articles).groupBy(articles.status);
  const pendingRev = await db.select({ n: sql<number>`count(*)` }).from(articleRevisions).where(inArray(articleRevisions.status, IN_REVIEW));
  const out: Record<string, number> = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  out.pending = (out.submitted ?? 0) + (out.in_review ?? 0) + Number(pendingRev[0].n);
  return out;
}
