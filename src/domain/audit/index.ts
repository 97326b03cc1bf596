// The audit log: who did what to what, when, before/after.
import type { Db } from '../../../db/client.ts';
import { auditLog } from '../../../db/schema/index.ts';

export interface AuditEntry {
  actorId?: number | null;
  action: string;
  targetType?: string;
  targetId?: string | number;
  before?: unknown;
  after?: unknown;
  ip?: string;
  detail?: string;
}

/** The insert statement for an audit entry, to put inside a batch with the change it records. */
export function auditInsert(db: Db, e: AuditEntry) {
  return db.insert(auditLog).values({
    at: Date.now(),
    actorId: e.actorId ?? null,
    action: e.action,
    targetType: e.targetType ?? null,
    targetId: e.targetId == null ? null : String(e.targetId),
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
    ip: e.ip ?? null,
    detail: e.detail ?? null,
  });
}

/** Writes one audit entry. */
export async function audit(db: Db, e: AuditEntry): Promise<void> {
  await auditInsert(db, e);
}

