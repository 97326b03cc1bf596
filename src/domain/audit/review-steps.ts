// 谁审核谁负责: one review_steps row per review decision (articles, their revisions, honor batches),
// written in the same guarded write as the decision it records (db/write.ts).
import { sql, type SQL } from 'drizzle-orm';

export interface ReviewStep {
  /** 'article', 'revision' or 'batch'. */
  subjectType: string;
  subjectId: number;
  step: number;
  decision: string;
  opinion?: string;
  /** 保密审查意见 given with an approval. */
  secrecyOpinion?: string;
  reviewerId: number;
  at: number;
  /** On submit rows: what was submitted (JSON), the base of the next round's "changed since" view. */
  snapshot?: string;
}

/** The INSERT for one review decision. */
export function reviewStepStatement(s: ReviewStep): SQL {
  return sql`INSERT INTO review_steps (subject_type, subject_id, step, decision, opinion, secrecy_opinion, reviewer_id, at, snapshot)
    VALUES (${s.subjectType}, ${s.subjectId}, ${s.step}, ${s.decision}, ${s.opinion ?? ''}, ${s.secrecyOpinion ?? ''}, ${s.reviewerId}, ${s.at}, ${s.snapshot ?? null})`;
}
