// Points figures for the 超市管理员 and staff (issue 21): per month (Beijing) and 乡镇/村 of the person,
// points issued (net of reversals) and spent (net of returns), the most redeemed items. Read from the ledger.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';

/** One month and place with its figures. */
export interface PointsMonthRow {
  month: string;
  place: string;
  issued: number;
  spent: number;
}

const MONTH = sql.raw(`strftime('%Y-%m', (e.created_at + 28800000) / 1000, 'unixepoch')`);

/** Issued and spent per month and 村 (else 乡镇, else 未填写) since `since`, newest month first. */
export async function pointsByMonthAndPlace(db: Db, since: number): Promise<PointsMonthRow[]> {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT ${MONTH} AS month,
      coalesce(v.name, t.name, '未填写') AS place,
      sum(CASE WHEN e.source_type = 'hour_record' THEN e.amount ELSE 0 END) AS issued,
      -sum(CASE WHEN e.source_type = 'shop_order' THEN e.amount ELSE 0 END) AS spent
    FROM points_entries e JOIN users u ON u.id = e.user_id
    LEFT JOIN regions v ON v.id = u.village_id LEFT JOIN regions t ON t.id = u.town_id
    WHERE e.created_at >= ${since}
    GROUP BY month, place ORDER BY month DESC, issued DESC LIMIT 200`);
  return rows.map((r) => ({ month: String(r.month), place: String(r.place), issued: Number(r.issued), spent: Number(r.spent) }));
}

/** The most redeemed items since `since` (orders not returned). */
export async function topItems(db: Db, since: number, limit = 5): Promise<{ name: string; shopName: string; orders: number }[]> {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT i.name, s.name AS shop_name, count(*) AS n FROM shop_orders o
    JOIN shop_items i ON i.id = o.item_id JOIN shops s ON s.id = o.shop_id
    WHERE o.created_at >= ${since} AND o.status IN ('reserved', 'collected') GROUP BY o.item_id ORDER BY n DESC, i.id LIMIT ${limit}`);
  return rows.map((r) => ({ name: String(r.name), shopName: String(r.shop_name), orders: Number(r.n) }));
}
