// Raw-SQL building blocks for guarded transitions: every follow-up statement in a
// batch runs only when the guarded UPDATE stamped the row with this request's `rev`.
import type { InStatement, InValue } from '@libsql/client';
import type { AuditEntry } from '../audit/index.ts';
import { randomToken } from '../../lib/ids.ts';

/** A fresh transition token. */
export function newRev(): string {
  return randomToken(10);
}

/** INSERT INTO audit_log … only when `cond` holds (evaluated inside the same batch). */
export function auditIf(e: AuditEntry, cond: string, condArgs: InValue[]): InStatement {
  return {
    sql: `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, before, after, ip, detail)
          SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${cond}`,
    args: [
      Date.now(), e.actorId ?? null, e.action, e.targetType ?? null, e.targetId == null ? null : String(e.targetId),
      e.before === undefined ? null : JSON.stringify(e.before), e.after === undefined ? null : JSON.stringify(e.after),
      e.ip ?? null, e.detail ?? null, ...condArgs,
    ],
  };
}

/** INSERT INTO review_steps … only when `cond` holds (谁审核谁负责: who, when, opinion). */
export function reviewStepIf(
  s: { subjectType: string; subjectId: number; step: number; decision: string; opinion: string; reviewerId: number; at: number },
  cond: string,
  condArgs: InValue[],
): InStatement {
  return {
    sql: `INSERT INTO review_steps (subject_type, subject_id, step, decision, opinion, reviewer_id, at) SELECT ?, ?, ?, ?, ?, ?, ? WHERE ${cond}`,
    args: [s.subjectType, s.subjectId, s.step, s.decision, s.opinion, s.reviewerId, s.at, ...condArgs],
  };
}

/** Condition "batch `id` carries rev `rev`". */
export const batchRevIs = (id: number, rev: string): [string, InValue[]] => ['(SELECT rev FROM honor_batches WHERE id = ?) = ?', [id, rev]];
/** Condition "honoree `id` carries rev `rev`". */
export const honoreeRevIs = (id: number, rev: string): [string, InValue[]] => ['(SELECT rev FROM honorees WHERE id = ?) = ?', [id, rev]];
