// Small raw-SQL helpers shared by the hours modules (guarded statements, audit rows in batches).
import type { InStatement, Row } from '@libsql/client';

/** Statuses that occupy a volunteer's time (no other record may overlap them). */
export const ACTIVE_STATUSES = `('pending','confirmed')`;

/**
 * An audit row written only when the previous statement in the batch changed exactly
 * one row; `targetExpr` is SQL for the target id (e.g. 'last_insert_rowid()' or '?').
 */
export function auditIfChanged(
  e: { actorId: number | null; action: string; targetType: string; before?: unknown; after?: unknown; detail?: string },
  targetExpr: 'last_insert_rowid()' | '?',
  targetArg?: number,
): InStatement {
  const args: (string | number | null)[] = [Date.now(), e.actorId, e.action, e.targetType];
  // String: libSQL binds JS numbers as REAL, which would CAST to '12.0'.
  if (targetExpr === '?') args.push(targetArg == null ? null : String(targetArg));
  args.push(e.before === undefined ? null : JSON.stringify(e.before), e.after === undefined ? null : JSON.stringify(e.after), e.detail ?? null);
  return {
    sql: `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, before, after, detail)
          SELECT ?, ?, ?, ?, CAST(${targetExpr} AS TEXT), ?, ?, ? WHERE changes() = 1`,
    args,
  };
}

/** Reads a numeric column from a libSQL row. */
export function num(row: Row, col: string): number {
  return Number(row[col]);
}

/** Reads a nullable string column from a libSQL row. */
export function str(row: Row, col: string): string | null {
  const v = row[col];
  return v == null ? null : String(v);
}
