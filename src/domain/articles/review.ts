// 三审 review of articles: draft → submitted → 初审 → (复审) → 终审 → published, with the number of
// steps from settings (1–3). Edits to a live article are revisions reviewed the same way while the
// live version stays (docs/decisions/050). Each decision is one guarded write with its review step,
// audit row and notice (db/write.ts).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { can } from '../accounts/policy.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditStatement } from '../audit/index.ts';
import { reviewStepStatement } from '../audit/review-steps.ts';
import { noticeInsert } from '../notices/index.ts';
import { getSetting } from '../settings/index.ts';
import { articleHits } from './personal-data.ts';
import { ArticleError, PersonalDataFound } from './errors.ts';
import { contentOf, requireWriter, revisionContent } from './editing.ts';
import { storedBody } from './body.ts';
import { DIRECT_EDIT, IN_REVIEW, getArticle, openRevision } from './queries.ts';

/** Names of the review steps for a count (1–3). */
export function stepNames(count: number): string[] {
  return count <= 1 ? ['终审'] : count === 2 ? ['初审', '终审'] : ['初审', '复审', '终审'];
}

/** The configured number of review steps, clamped to 1–3. */
export async function reviewStepCount(db: Db): Promise<number> {
  const n = Number(await getSetting(db, 'reviewSteps'));
  return Math.min(3, Math.max(1, Number.isFinite(n) ? Math.round(n) : 2));
}

/** The content a submission would send to review, or that is in review (the article or its open revision). */
export async function reviewSubject(db: Db, id: number) {
  const article = await getArticle(db, id);
  if (!article) throw new ArticleError('NOT_FOUND', '文章不存在');
  if (article.status === 'published') {
    const revision = await openRevision(db, id);
    if (revision) return { article, type: 'revision' as const, subjectId: revision.id, row: revision, content: revisionContent(revision), createdBy: revision.createdBy };
  }
  return { article, type: 'article' as const, subjectId: article.id, row: article, content: contentOf(article), createdBy: article.createdBy };
}

/** Whether `userId` already approved a step of the subject's current round (they may not approve another, so no page offers it). */
export async function approvedThisRound(db: Db, userId: number, subject: { type: 'article' | 'revision'; id: number; submittedAt: number | null }): Promise<boolean> {
  const rows = await db.all(
    sql`SELECT 1 FROM review_steps WHERE subject_type = ${subject.type} AND subject_id = ${subject.id} AND decision = 'approve' AND reviewer_id = ${userId} AND at >= ${subject.submittedAt ?? 0} LIMIT 1`,
  );
  return rows.length > 0;
}

/** The table a subject lives in (a fixed name, never input). */
const tableOf = (type: 'article' | 'revision') => sql.raw(type === 'article' ? 'articles' : 'article_revisions');

/** Sends the article (or its open revision) to review; blocked by personal data in any field it would publish. */
export async function submitForReview(db: Db, user: SessionUser, id: number, now = Date.now()): Promise<void> {
  requireWriter(user);
  const s = await reviewSubject(db, id);
  const editable = s.type === 'article' ? DIRECT_EDIT.includes(s.article.status) : ['draft', 'returned'].includes(s.row.status);
  if (!editable) throw new ArticleError('CONFLICT', s.article.status === 'published' ? '没有待提交的修改稿；请先修改文章' : '文章已在审核流程中');
  const hits = await articleHits(db, s.content);
  if (hits.length) throw new PersonalDataFound(hits);
  const from = sql.raw(s.type === 'article' ? "('draft','returned','unpublished')" : "('draft','returned')");
  const ok = await guardedWrite(db, sql`UPDATE ${tableOf(s.type)} SET status = 'submitted', review_step = 0, submitted_at = ${now} WHERE id = ${s.subjectId} AND status IN ${from}`, [
    reviewStepStatement({ subjectType: s.type, subjectId: s.subjectId, step: 0, decision: 'submit', reviewerId: user.id, at: now, snapshot: JSON.stringify(s.content) }),
    auditStatement({ actorId: user.id, action: `${s.type}.submit`, targetType: 'article', targetId: id, after: { status: 'submitted' } }),
  ]);
  if (!ok) throw new ArticleError('CONFLICT', '文章状态已变化，请刷新后再试');
}

/**
 * Approves the current step or returns with comments. The last approval publishes (or schedules).
 * `extra.secrecyOpinion`: the 保密审查意见 given with an approval, printed on the 《信息发布审核表》.
 */
export async function reviewArticle(
  db: Db,
  user: SessionUser,
  id: number,
  decision: 'approve' | 'return',
  opinion: string,
  now = Date.now(),
  extra: { secrecyOpinion?: string } = {},
): Promise<{ status: string; step: number }> {
  if (!can(user, 'articles.review')) throw new ArticleError('FORBIDDEN', '只有审核人员可以审核文章，编辑不能自行发布');
  const s = await reviewSubject(db, id);
  if (!IN_REVIEW.includes(s.row.status)) throw new ArticleError('CONFLICT', '这篇文章当前没有待审核的内容');
  const op = opinion.trim();
  const table = tableOf(s.type);
  const step = s.row.reviewStep;
  const total = await reviewStepCount(db);
  const names = stepNames(total);
  const stepName = names[Math.min(step, names.length - 1)];
  if (decision === 'return') {
    if (!op) throw new ArticleError('BAD_REQUEST', '退回时请填写修改意见');
    const ok = await guardedWrite(db, sql`UPDATE ${table} SET status = 'returned', review_step = 0 WHERE id = ${s.subjectId} AND status IN ('submitted','in_review') AND review_step = ${step}`, [
      reviewStepStatement({ subjectType: s.type, subjectId: s.subjectId, step: step + 1, decision: 'return', opinion: op, reviewerId: user.id, at: now }),
      auditStatement({ actorId: user.id, action: `${s.type}.return`, targetType: 'article', targetId: id, before: { status: s.row.status, step }, after: { status: 'returned' }, detail: op }),
      ...(s.createdBy ? [noticeInsert(db, { userId: s.createdBy, kind: 'article', title: `文章《${s.content.title}》被退回（${stepName}）`, body: op, link: `/console/articles/${id}` })] : []),
    ]);
    if (!ok) throw new ArticleError('CONFLICT', '审核状态已变化，请刷新后再试');
    return { status: 'returned', step: 0 };
  }
  if (s.createdBy === user.id) throw new ArticleError('FORBIDDEN', '不能审核自己撰写的文章（谁审核谁负责，需由他人审核）');
  const newStep = step + 1;
  const final = newStep >= total;
  // Never the author, and never a reviewer who already approved a step of this round.
  const mayApprove = sql`review_step = ${step} AND (created_by IS NULL OR created_by != ${user.id})
    AND NOT EXISTS (SELECT 1 FROM review_steps WHERE subject_type = ${s.type} AND subject_id = ${s.subjectId} AND decision = 'approve' AND reviewer_id = ${user.id} AND at >= ${table}.submitted_at)`;
  const secrecyOpinion = (extra.secrecyOpinion ?? '').trim().slice(0, 200);
  // The opinion is the reviewer's own words: an approval without any records none, never an invented 同意 (issue 17.2).
  const stepRow = reviewStepStatement({ subjectType: s.type, subjectId: s.subjectId, step: newStep, decision: 'approve', opinion: op, secrecyOpinion, reviewerId: user.id, at: now });
  let status: string;
  let ok;
  if (!final) {
    status = 'in_review';
    ok = await guardedWrite(db, sql`UPDATE ${table} SET status = 'in_review', review_step = ${newStep} WHERE id = ${s.subjectId} AND status IN ('submitted','in_review') AND ${mayApprove}`, [
      stepRow,
      auditStatement({ actorId: user.id, action: `${s.type}.approve`, targetType: 'article', targetId: id, before: { step }, after: { step: newStep }, detail: op }),
    ]);
  } else if (s.type === 'article') {
    const scheduled = s.article.publishAt != null && s.article.publishAt > now;
    status = scheduled ? 'scheduled' : 'published';
    ok = await guardedWrite(
      db,
      sql`UPDATE articles SET status = ${status}, review_step = ${newStep}, published_at = ${scheduled ? sql`published_at` : now}, updated_at = ${now}
      WHERE id = ${s.subjectId} AND status IN ('submitted','in_review') AND ${mayApprove}`,
      [
        stepRow,
        auditStatement({
          actorId: user.id,
          action: scheduled ? 'article.schedule' : 'article.publish',
          targetType: 'article',
          targetId: id,
          before: { status: s.row.status },
          after: { status, publishAt: s.article.publishAt },
          detail: op,
        }),
        ...(s.createdBy
          ? [
              noticeInsert(db, {
                userId: s.createdBy,
                kind: 'article',
                title: scheduled ? `文章《${s.content.title}》已通过审核，将定时发布` : `文章《${s.content.title}》已通过审核并发布`,
                link: `/console/articles/${id}`,
              }),
            ]
          : []),
      ],
    );
  } else {
    status = 'published';
    const c = s.content;
    const body = storedBody(c);
    ok = await guardedWrite(db, sql`UPDATE article_revisions SET status = 'live', review_step = ${newStep} WHERE id = ${s.subjectId} AND status IN ('submitted','in_review') AND ${mayApprove}`, [
      sql`UPDATE article_revisions SET status = 'superseded' WHERE article_id = ${id} AND status = 'live' AND id != ${s.subjectId}`,
      sql`UPDATE articles SET title = ${c.title}, channel = ${c.channel}, topic = ${c.topic}, honoree_id = ${c.honoreeId}, summary = ${c.summary}, body = ${body.body},
        body_format = ${body.bodyFormat}, body_text = ${body.bodyText}, tags = ${JSON.stringify(c.tags)}, author = ${c.author}, source = ${c.source}, cover_media_id = ${c.coverMediaId}, attachments = ${JSON.stringify(c.attachments)}, updated_at = ${now}
        WHERE id = ${id}`,
      stepRow,
      auditStatement({ actorId: user.id, action: 'revision.publish', targetType: 'article', targetId: id, after: { revisionId: s.subjectId }, detail: op }),
      ...(s.createdBy ? [noticeInsert(db, { userId: s.createdBy, kind: 'article', title: `《${c.title}》的修改已通过审核并上线`, link: `/console/articles/${id}` })] : []),
    ]);
  }
  if (!ok) throw new ArticleError('CONFLICT', '您已审核过本轮中的一步，或审核状态已变化；同一轮的各级审核须由不同审核人完成');
  return { status: final ? status : 'in_review', step: newStep };
}
