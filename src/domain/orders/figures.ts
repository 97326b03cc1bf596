// Published 四单 figures (issue 20), computed from the orders' own timestamps with the definitions shown
// next to them: each rate is a count over a count, both published, never a bare "100 %".
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';

/** One line of figures: counts, and each rate as numerator over denominator. */
export interface OrderFigures {
  key: string;
  orders: number;
  acceptedOnTime: number;
  acceptDue: number;
  dispatched: number;
  accepted: number;
  doneOnTime: number;
  doneDue: number;
  satisfied: number;
  rated: number;
}

/** What each figure means, in the words the pages show beside the numbers. */
export const FIGURE_DEFINITIONS: readonly { name: string; text: string }[] = [
  { name: '点单数', text: '群众提交（含工作人员代为登记）的点单件数，含不予受理的。' },
  { name: '受理及时率', text: '在服务菜单规定的受理时限内受理的件数 ÷（已受理件数 + 已超过受理时限仍未受理的件数）。不予受理的点单不计入。' },
  { name: '派单率', text: '已派给队伍或被队伍接单的件数 ÷ 已受理件数。' },
  { name: '按时办结率', text: '自点单起在规定办结天数（按自然日计）内确认完成的件数 ÷（已办结件数 + 已超过办结时限仍在办理的件数），只计已派单的点单。' },
  { name: '满意度', text: '评价为 4 星或 5 星的件数 ÷ 已评价件数。' },
];

const H = 3600_000;
const D = 86400_000;

/** The settled counts of stats_orders (db/sql/stats.sql, kept by triggers), summed over a grouping. */
const SETTLED = sql.raw(`sum(s.orders) AS orders, sum(s.accepted_on_time) AS accepted_on_time, sum(s.accepted) AS accepted, sum(s.dispatched) AS dispatched,
  sum(s.done_on_time) AS done_on_time, sum(s.done) AS done, sum(s.satisfied) AS satisfied, sum(s.rated) AS rated`);

/** Settled counts plus the open orders past a limit in the same group (accept_due and done_due count both). */
function toFigures(r: Record<string, unknown>, late: { accept: number; done: number } | undefined): OrderFigures {
  return {
    key: String(r.key ?? ''),
    orders: Number(r.orders ?? 0),
    acceptedOnTime: Number(r.accepted_on_time ?? 0),
    acceptDue: Number(r.accepted ?? 0) + (late?.accept ?? 0),
    dispatched: Number(r.dispatched ?? 0),
    accepted: Number(r.accepted ?? 0),
    doneOnTime: Number(r.done_on_time ?? 0),
    doneDue: Number(r.done ?? 0) + (late?.done ?? 0),
    satisfied: Number(r.satisfied ?? 0),
    rated: Number(r.rated ?? 0),
  };
}

/**
 * The county's totals and the same figures by 乡镇, by category and by month (Beijing), as of `now`.
 * What is settled comes from stats_orders (a few thousand rows at any size, docs/decisions/105); what
 * depends on `now` — a new order past its accept hours, a dispatched one past its days and not done — is
 * counted over the open orders only (indexes service_orders_status and service_orders_undone).
 */
export async function orderFigures(db: Db, now = Date.now()) {
  const late = await db.all<Record<string, unknown>>(sql`SELECT o.town_id, i.category, strftime('%Y-%m', (o.created_at / 1000) + 8 * 3600, 'unixepoch') AS month,
      (o.accepted_at IS NULL AND o.status = 'new' AND ${now} > o.created_at + i.accept_hours * ${H}) AS accept_late,
      (o.dispatched_at IS NOT NULL AND o.done_at IS NULL AND ${now} > o.created_at + i.finish_days * ${D}) AS done_late
    FROM service_orders o JOIN service_items i ON i.id = o.item_id
    WHERE (o.status = 'new' AND o.created_at < ${now}) OR (o.dispatched_at IS NOT NULL AND o.done_at IS NULL AND o.created_at < ${now})`);
  const lateBy = (field: 'town_id' | 'category' | 'month' | null) => {
    const m = new Map<string, { accept: number; done: number }>();
    for (const r of late) {
      const k = field ? String(r[field]) : '';
      const e = m.get(k) ?? { accept: 0, done: 0 };
      e.accept += Number(r.accept_late);
      e.done += Number(r.done_late);
      m.set(k, e);
    }
    return m;
  };
  const [total] = await db.all<Record<string, unknown>>(sql`SELECT '全县' AS key, ${SETTLED} FROM stats_orders s JOIN service_items i ON i.id = s.item_id`);
  const byTown = await db.all<Record<string, unknown>>(sql`SELECT (SELECT name FROM regions WHERE id = s.town_id) AS key, s.town_id AS gid, ${SETTLED}
    FROM stats_orders s JOIN service_items i ON i.id = s.item_id GROUP BY s.town_id HAVING sum(s.orders) > 0 ORDER BY sum(s.orders) DESC, s.town_id`);
  const byCategory = await db.all<Record<string, unknown>>(sql`SELECT i.category AS key, i.category AS gid, ${SETTLED}
    FROM stats_orders s JOIN service_items i ON i.id = s.item_id GROUP BY i.category HAVING sum(s.orders) > 0 ORDER BY sum(s.orders) DESC, i.category`);
  const byMonth = await db.all<Record<string, unknown>>(sql`SELECT s.month AS key, s.month AS gid, ${SETTLED}
    FROM stats_orders s JOIN service_items i ON i.id = s.item_id GROUP BY s.month HAVING sum(s.orders) > 0 ORDER BY s.month DESC LIMIT 12`);
  const lt = lateBy('town_id');
  const lc = lateBy('category');
  const lm = lateBy('month');
  return {
    total: toFigures(total ?? {}, lateBy(null).get('')),
    byTown: byTown.map((r) => toFigures(r, lt.get(String(r.gid)))),
    byCategory: byCategory.map((r) => toFigures(r, lc.get(String(r.gid)))),
    byMonth: byMonth.map((r) => toFigures(r, lm.get(String(r.gid)))),
  };
}

/** A rate alone, for the big figures: "98.0%", or "—" with nothing to count (the counts go beneath it). */
export function ratePercent(num: number, den: number): string {
  return den ? `${((num / den) * 100).toFixed(1)}%` : '—';
}

/** A rate as the tables show it: "98.0%（49/50）", or "—" with nothing to count. */
export function rateText(num: number, den: number): string {
  return den ? `${((num / den) * 100).toFixed(1)}%（${num}/${den}）` : '—';
}

/**
 * Whether an order is past its time limit now (marked in the console): not accepted within the item's
 * accept hours, not dispatched within its dispatch hours after acceptance, or not done within its days.
 */
export function isOverdue(o: { status: string; createdAt: number; acceptedAt: number | null }, item: { acceptHours: number; dispatchHours: number; finishDays: number }, now = Date.now()): boolean {
  if (o.status === 'new') return now > o.createdAt + item.acceptHours * H;
  if (o.status === 'accepted' || o.status === 'open') return now > (o.acceptedAt ?? o.createdAt) + item.dispatchHours * H;
  if (o.status === 'assigned') return now > o.createdAt + item.finishDays * D;
  return false;
}

/** A team's record from its orders (issue 20 "ratings feed each team's record"): done, rated, 4–5 stars, average. */
export async function teamOrderRecord(db: Db, teamId: number): Promise<{ done: number; rated: number; satisfied: number; average: number | null }> {
  const [r] = await db.all<{ done: number; rated: number; satisfied: number; average: number | null }>(
    sql`SELECT sum(done_at IS NOT NULL) AS done, sum(rating IS NOT NULL) AS rated, sum(rating >= 4) AS satisfied, avg(rating) AS average
      FROM service_orders WHERE team_id = ${teamId}`,
  );
  return { done: Number(r?.done ?? 0), rated: Number(r?.rated ?? 0), satisfied: Number(r?.satisfied ?? 0), average: r?.average == null ? null : Math.round(Number(r.average) * 10) / 10 };
}
