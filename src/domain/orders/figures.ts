// Published 四单 figures (issue 20), computed from the orders' own timestamps with the definitions shown
// next to them: each rate is a count over a count, both published, never a bare "100 %".
import { sql, type SQL } from 'drizzle-orm';
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

function figuresSql(key: SQL, now: number, townId?: number): SQL {
  return sql`SELECT ${key} AS key,
      count(*) AS orders,
      sum(o.accepted_at IS NOT NULL AND o.accepted_at <= o.created_at + i.accept_hours * ${H}) AS accepted_on_time,
      sum(o.accepted_at IS NOT NULL OR (o.status = 'new' AND ${now} > o.created_at + i.accept_hours * ${H})) AS accept_due,
      sum(o.dispatched_at IS NOT NULL) AS dispatched,
      sum(o.accepted_at IS NOT NULL) AS accepted,
      sum(o.dispatched_at IS NOT NULL AND o.done_at IS NOT NULL AND o.done_at <= o.created_at + i.finish_days * ${D}) AS done_on_time,
      sum(o.dispatched_at IS NOT NULL AND (o.done_at IS NOT NULL OR ${now} > o.created_at + i.finish_days * ${D})) AS done_due,
      sum(o.rating >= 4) AS satisfied,
      sum(o.rating IS NOT NULL) AS rated
    FROM service_orders o JOIN service_items i ON i.id = o.item_id${townId ? sql` WHERE o.town_id = ${townId}` : sql``}`;
}

const toFigures = (r: Record<string, unknown>): OrderFigures => ({
  key: String(r.key ?? ''),
  orders: Number(r.orders ?? 0),
  acceptedOnTime: Number(r.accepted_on_time ?? 0),
  acceptDue: Number(r.accept_due ?? 0),
  dispatched: Number(r.dispatched ?? 0),
  accepted: Number(r.accepted ?? 0),
  doneOnTime: Number(r.done_on_time ?? 0),
  doneDue: Number(r.done_due ?? 0),
  satisfied: Number(r.satisfied ?? 0),
  rated: Number(r.rated ?? 0),
});

const MONTH = sql`strftime('%Y-%m', (o.created_at / 1000) + 8 * 3600, 'unixepoch')`;

/**
 * The county's totals and the same figures by 乡镇, by category and by month (Beijing), as of `now`;
 * with `townId`, one 乡镇's only (a 所's console, docs/decisions/100).
 */
export async function orderFigures(db: Db, now = Date.now(), opts: { townId?: number } = {}) {
  const t = opts.townId;
  const [total] = await db.all<Record<string, unknown>>(sql`${figuresSql(t ? sql`(SELECT name FROM regions WHERE id = ${t})` : sql`'全县'`, now, t)}`);
  const byTown = await db.all<Record<string, unknown>>(sql`${figuresSql(sql`(SELECT name FROM regions WHERE id = o.town_id)`, now, t)} GROUP BY o.town_id ORDER BY count(*) DESC, o.town_id`);
  const byCategory = await db.all<Record<string, unknown>>(sql`${figuresSql(sql`i.category`, now, t)} GROUP BY i.category ORDER BY count(*) DESC, i.category`);
  const byMonth = await db.all<Record<string, unknown>>(sql`${figuresSql(MONTH, now, t)} GROUP BY ${MONTH} ORDER BY ${MONTH} DESC LIMIT 12`);
  return { total: toFigures(total ?? {}), byTown: byTown.map(toFigures), byCategory: byCategory.map(toFigures), byMonth: byMonth.map(toFigures) };
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
