// Taking articles off the public site: 撤下 (unpublish) and 归档 (archive), each one guarded write that
// also discards an open revision and records the step. Scheduled publishing is in scheduler.ts.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { can } from '../accounts/policy.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditStatement } from '../audit/index.ts';
import { reviewStepStatement } from '../audit/review-steps.ts';
import { ArticleError } from './errors.ts';

/** An open revision of the article is discarded with the change that takes the article off the site. */
const discardOpenRevision = (id: number) => sql`UPDATE article_revisions SET status = 'discarded' WHERE article_id = ${id} AND status IN ('draft','returned','submitted','in_review')`;

/** Takes a live (or scheduled) article off the public site; an open revision is discarded. */
export async function unpublishArticle(db: Db, user: SessionUser, id: number, reason: string, now = Date.now()): Promise<void> {
  if (!can(user, 'articles.write') && !can(user, 'articles.review')) throw new ArticleError('FORBIDDEN', '您没有权限撤下文章');
  const ok = await guardedWrite(db, sql`UPDATE articles SET status = 'unpublished', review_step = 0, updated_at = ${now} WHERE id = ${id} AND status IN ('published','scheduled')`, [
    discardOpenRevision(id),
    reviewStepStatement({ subjectType: 'article', subjectId: id, step: 0, decision: 'unpublish', opinion: reason.trim(), reviewerId: user.id, at: now }),
    auditStatement({ actorId: user.id, action: 'article.unpublish', targetType: 'article', targetId: id, after: { status: 'unpublished' }, detail: reason.trim() }),
  ]);
  if (!ok) throw new ArticleError('CONFLICT', '只有已发布或定时发布的文章可以撤下');
}

/** Archives an article that is not in review; it leaves the public site. */
export async function archiveArticle(db: Db, user: SessionUser, id: number, now = Date.now()): Promise<void> {
  if (!can(user, 'articles.write') && !can(user, 'articles.review')) throw new ArticleError('FORBIDDEN', '您没有权限归档文章');
  const ok = await guardedWrite(db, sql`UPDATE articles SET status = 'archived', updated_at = ${now} WHERE id = ${id} AND status IN ('draft','returned','unpublished','published')`, [
    discardOpenRevision(id),
    reviewStepStatement({ subjectType: 'article', subjectId: id, step: 0, decision: 'archive', reviewerId: user.id, at: now }),
    auditStatement({ actorId: user.id, action: 'article.archive', targetType: 'article', targetId: id, after: { status: 'archived' } }),
  ]);
  if (!ok) throw new ArticleError('CONFLICT', '审核中的文章不能归档，请先退回');
}
