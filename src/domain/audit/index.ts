// The audit log: who did what to what, when, before/after. One builder makes every audit row, so a
// change and its record go into the same write batch or guarded write (db/write.ts, docs/decisions/084).
import { is, sql, SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import type { AuditAction } from './actions.ts';

export interface AuditEntry {
  /** Who acted; SQL for an account the same batch creates (a registration). */
  actorId?: number | SQL | null;
  /** A code from the one table of named actions (./actions.ts). */
  action: AuditAction;
  targetType?: string;
  /** The target's id; SQL for a row the same batch creates (its id is not known before). */
  targetId?: string | number | SQL | null;
  before?: unknown;
  after?: unknown;
  ip?: string;
  detail?: string;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/** The INSERT for an audit entry, to run in the same batch (or guarded write) as the change it records. */
export function auditStatement(e: AuditEntry): SQL {
  // Text, never a bound number: libSQL binds JS numbers as REAL, which CAST would turn into '12.0'.
  const target = e.targetId == null ? null : is(e.targetId, SQL) ? sql`CAST((${e.targetId}) AS TEXT)` : String(e.targetId);
  const actor = e.actorId == null ? null : is(e.actorId, SQL) ? sql`(${e.actorId})` : e.actorId;
  return sql`INSERT INTO audit_log (at, actor_id, action, target_type, target_id, before, after, ip, detail)
    VALUES (${Date.now()}, ${actor}, ${e.action}, ${e.targetType ?? null}, ${target}, ${json(e.before)}, ${json(e.after)}, ${e.ip ?? null}, ${e.detail ?? null})`;
}

/** Writes one audit entry on its own (logins, reveals: events that change nothing else). */
export async function audit(db: Db, e: AuditEntry): Promise<void> {
  await db.run(auditStatement(e));
}
