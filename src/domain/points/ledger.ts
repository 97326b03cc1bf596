// Reading the volunteer points ledger (issue 21): the balance the database keeps, and every entry with its reason.
// Points are earned by triggers on hour_records (db/sql/points.sql), never written here.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';

/** The kinds of points; they never mix (a shop item accepts one kind). household: a 户's 文明积分 (issue 21). */
export type PointsKind = 'volunteer' | 'household';

/** Chinese names of the kinds. */
export const POINTS_KIND_LABELS: Record<PointsKind, string> = { volunteer: '志愿积分', household: '户积分' };

/** One ledger entry as /me/points shows it. */
export interface PointsEntry {
  id: number;
  amount: number;
  reason: string;
  sourceType: string;
  createdAt: number;
}

/** A person's balance of one kind of points (0 when they never earned any). */
export async function pointsBalance(db: Db, userId: number, kind: PointsKind = 'volunteer'): Promise<number> {
  const [row] = await db.all<{ balance: number }>(sql`SELECT balance FROM points_balances WHERE user_id = ${userId} AND kind = ${kind}`);
  return Number(row?.balance ?? 0);
}

/** A person's entries, newest first. */
export async function pointsEntries(db: Db, userId: number, kind: PointsKind = 'volunteer', limit = 200): Promise<PointsEntry[]> {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT id, amount, reason, source_type, created_at FROM points_entries
    WHERE user_id = ${userId} AND kind = ${kind} ORDER BY id DESC LIMIT ${limit}`);
  return rows.map((r) => ({ id: Number(r.id), amount: Number(r.amount), reason: String(r.reason), sourceType: String(r.source_type), createdAt: Number(r.created_at) }));
}
