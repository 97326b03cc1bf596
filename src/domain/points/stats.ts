// Points figures (issue 21): per month (Beijing) and 村 of the person — points issued (hours and grants, net of
// reversals) and spent (redemptions, net of returns) — the most redeemed items and low stock. Read from the
// ledger and the orders. Volunteer points are placed by the volunteer's own 村 (users.village_id, else their
// 乡镇); no person is named, so the public 公示 needs no masking (docs/decisions/103).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { inShops } from './shop.ts';

/** One month and place with its figures. */
export interface PointsMonthRow {
  month: string;
  place: string;
  /** People who earned points that month. */
  earners: number;
  issued: number;
  spent: number;
}

const MONTH = sql.raw(`strftime('%Y-%m', (e.created_at + 28800000) / 1000, 'unixepoch')`);
/** What counts as issued (earned, net of reversals) and as spent (net of returned orders). */
const ISSUED = sql.raw(`e.source_type IN ('hour_record', 'grant')`);
const SPENT = sql.raw(`e.source_type = 'shop_order'`);

/** Issued and spent per month and 村 (乡镇 + 村; else the 乡镇; else 未填写) since `since`, newest month first. */
export async function pointsByMonthAndPlace(db: Db, since: number): Promise<PointsMonthRow[]> {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT ${MONTH} AS month,
      CASE WHEN v.name IS NOT NULL THEN coalesce(t.name || ' ', '') || v.name ELSE coalesce(t.name, '未填写') END AS place,
      count(DISTINCT CASE WHEN ${ISSUED} AND e.amount > 0 THEN e.user_id END) AS earners,
      sum(CASE WHEN ${ISSUED} THEN e.amount ELSE 0 END) AS issued,
      -sum(CASE WHEN ${SPENT} THEN e.amount ELSE 0 END) AS spent
    FROM points_entries e JOIN users u ON u.id = e.user_id
    LEFT JOIN regions v ON v.id = u.village_id LEFT JOIN regions t ON t.id = u.town_id
    WHERE e.created_at >= ${since} AND e.kind = 'volunteer'
    GROUP BY month, place ORDER BY month DESC, issued DESC, place LIMIT 500`);
  return rows.map((r) => ({ month: String(r.month), place: String(r.place), earners: Number(r.earners), issued: Number(r.issued), spent: Number(r.spent) }));
}

/**
 * County totals per month since `since` (a Beijing month's start, monthsBack), newest first: from the monthly
 * aggregate kept by an insert trigger on the ledger (db/sql/stats.sql), not a year of entries per render.
 */
export async function pointsByMonth(db: Db, since: number): Promise<{ month: string; issued: number; spent: number }[]> {
  const from = new Date(since + 8 * 3_600_000).toISOString().slice(0, 7);
  const rows = await db.all<Record<string, unknown>>(sql`SELECT month, issued, spent FROM stats_points_monthly WHERE month >= ${from} AND (issued <> 0 OR spent <> 0) ORDER BY month DESC LIMIT 60`);
  return rows.map((r) => ({ month: String(r.month), issued: Number(r.issued), spent: Number(r.spent) }));
}

/** The most redeemed items since `since` (orders not returned). */
export async function topItems(db: Db, since: number, limit = 5): Promise<{ name: string; shopName: string; orders: number }[]> {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT i.name, s.name AS shop_name, count(*) AS n FROM shop_orders o
    JOIN shop_items i ON i.id = o.item_id JOIN shops s ON s.id = o.shop_id
    WHERE o.created_at >= ${since} AND o.status IN ('reserved', 'collected') GROUP BY o.item_id ORDER BY n DESC, i.id LIMIT ${limit}`);
  return rows.map((r) => ({ name: String(r.name), shopName: String(r.shop_name), orders: Number(r.n) }));
}

/** Items under this many left count as low stock (the shop page and the console flag them). */
export const LOW_STOCK = 5;

/** Items on the shelf of an open shop among `shopIds` (null: all) with fewer than `threshold` left, fewest first. */
export async function lowStock(db: Db, shopIds: number[] | null = null, threshold = LOW_STOCK, limit = 50): Promise<{ id: number; name: string; shopName: string; stock: number }[]> {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT i.id, i.name, s.name AS shop_name, i.stock FROM shop_items i JOIN shops s ON s.id = i.shop_id
    WHERE i.active = 1 AND s.active = 1 AND i.stock < ${threshold} AND ${inShops('i.shop_id', shopIds)} ORDER BY i.stock, i.id LIMIT ${limit}`);
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name), shopName: String(r.shop_name), stock: Number(r.stock) }));
}

/** The first day (Beijing) of the month `back` months before the one holding `now`, as a UTC instant. */
export function monthsBack(now: number, back: number): number {
  const day = new Date(now + 8 * 3_600_000);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth() - back, 1) - 8 * 3_600_000;
}
