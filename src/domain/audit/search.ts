// Reading the audit log in the console (/console/audit): filters by action, actor, target and day range.
import { and, desc, eq, gte, like, lt, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../../db/client.ts';
import { auditLog, users } from '../../../db/schema/index.ts';

export interface AuditFilter {
  /** Exact action, or a prefix ending in '.' (e.g. 'login.'). */
  action?: string;
  actorId?: number;
  targetType?: string;
  targetId?: string;
  /** Inclusive start / exclusive end, epoch ms. */
  from?: number;
  to?: number;
  limit?: number;
  offset?: number;
}

/** Audit entries newest first, with the actor's name, and the total for paging. */
export async function searchAudit(db: Db, f: AuditFilter = {}) {
  const where: SQL[] = [];
  if (f.action) where.push(f.action.endsWith('.') ? like(auditLog.action, `${f.action.replace(/[%_]/g, '')}%`) : eq(auditLog.action, f.action));
  if (f.actorId) where.push(eq(auditLog.actorId, f.actorId));
  if (f.targetType) where.push(eq(auditLog.targetType, f.targetType));
  if (f.targetId) where.push(eq(auditLog.targetId, f.targetId));
  if (f.from != null && Number.isFinite(f.from)) where.push(gte(auditLog.at, f.from));
  if (f.to != null && Number.isFinite(f.to)) where.push(lt(auditLog.at, f.to));
  const cond = where.length ? and(...where) : undefined;
  const actor = alias(users, 'actor');
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)` })
    .from(auditLog)
    .where(cond);
  const rows = await db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      actorId: auditLog.actorId,
      actorName: actor.realName,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      before: auditLog.before,
      after: auditLog.after,
      ip: auditLog.ip,
      detail: auditLog.detail,
    })
    .from(auditLog)
    .leftJoin(actor, eq(actor.id, auditLog.actorId))
    .where(cond)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(Math.min(f.limit ?? 50, 200))
    .offset(f.offset ?? 0);
  return { rows, total: Number(n) };
}

/** Distinct actions present in the log, for the filter menu. */
export async function auditActions(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(auditLog.action).limit(200);
  return rows.map((r) => r.action);
}
