// What changed since a reviewer last acted: the content submitted in the round they approved or
// returned (review_steps.snapshot) against what is in review now (issue 17.1, docs/decisions/086).
import type { Db } from '../../../db/client.ts';
import { reviewDiff, type DiffRow } from '../../lib/line-diff.ts';
import { ArticleContentSchema, type ArticleContent } from './editing.ts';
import { diffText, reviewHistory } from './queries.ts';
import { reviewSubject } from './review.ts';
import { mediaNames } from './view.ts';

export interface ReviewChanges {
  /** When and how this reviewer last acted on the article; null when this is their first look. */
  lastActed: { at: number; decision: string } | null;
  /** The diff from the version they acted on to now; null when that version was not kept (before snapshots). */
  rows: DiffRow[] | null;
  /** Number of changed, added or removed lines. */
  changed: number;
}

/** The changes in the article (or its revision in review) since `reviewerId` last approved or returned it. */
export async function changesSinceLastReview(db: Db, reviewerId: number, articleId: number): Promise<ReviewChanges> {
  const history = await reviewHistory(db, articleId);
  const acted = history.filter(({ s }) => s.reviewerId === reviewerId && (s.decision === 'approve' || s.decision === 'return')).pop()?.s;
  if (!acted) return { lastActed: null, rows: null, changed: 0 };
  const round = history.filter(({ s }) => s.decision === 'submit' && s.at <= acted.at && s.id < acted.id).pop()?.s;
  const lastActed = { at: acted.at, decision: acted.decision };
  if (!round?.snapshot) return { lastActed, rows: null, changed: 0 };
  const before: ArticleContent = ArticleContentSchema.parse(JSON.parse(round.snapshot));
  const now = (await reviewSubject(db, articleId)).content;
  const names = await mediaNames(
    db,
    [before.coverMediaId, now.coverMediaId, ...before.attachments, ...now.attachments].filter((x): x is number => x != null),
  );
  const rows = reviewDiff(diffText(before, names), diffText(now, names));
  return { lastActed, rows, changed: rows.filter((r) => r.op !== 'same').length };
}
