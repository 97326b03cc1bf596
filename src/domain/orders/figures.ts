// Published 四单 figures (issue 20), computed from the orders' own timestamps with the definitions shown
// next to them: each rate is a count over a count, both published, never a bare "100 %".
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { beijingDay, loadWorkCalendar, orderDeadlines, type WorkCalendar } from './working-days.ts';

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
  /** 服务人次: confirmed hour records of the orders' linked events. */
  serviceVisits: number;
}

/** What each figure means, in the words the pages show beside the numbers. */
export const FIGURE_DEFINITIONS: readonly { name: string; text: string }[] = [
  { name: '点单数', text: '群众提交（含工作人员代为登记）的点单件数，含不予受理的。' },
  {
    name: '受理及时率',
    text: '在服务菜单规定的受理时限（按工作日计，当日受理指到达当个工作日 24 时前；17 时后或节假日到达的从下一个工作日算起）内受理的件数 ÷（已受理件数 + 已超过受理时限仍未受理的件数）。不予受理的点单不计入。',
  },
  { name: '派单率', text: '已派给队伍或被队伍接单的件数 ÷ 已受理件数。' },
  { name: '按时办结率', text: '自点单起在规定办结时限（按工作日计，周末和法定节假日不算，调休上班日算）内确认完成的件数 ÷（已办结件数 + 已超过办结时限仍在办理的件数），只计已派单的点单。' },
  { name: '满意度', text: '评价为 4 星或 5 星的件数 ÷ 已评价件数。' },
  {
    name: '服务人次',
    text: '队伍为点单安排的志愿服务活动中，已确认的志愿服务时长记录条数：一位志愿者在一次活动中的一条确认记录计 1 人次；未确认、已驳回的记录和没有关联活动的点单不计。按点单所在乡镇、服务类别和点单月份统计。',
  },
];

type FigureRow = {
  status: string;
  created_at: number;
  accepted_at: number | null;
  dispatched_at: number | null;
  done_at: number | null;
  rating: number | null;
  town_id: number;
  town: string | null;
  category: string;
  accept_hours: number;
  dispatch_hours: number;
  finish_days: number;
  service_visits: number;
};

const empty = (key: string): OrderFigures => ({ key, orders: 0, acceptedOnTime: 0, acceptDue: 0, dispatched: 0, accepted: 0, doneOnTime: 0, doneDue: 0, satisfied: 0, rated: 0, serviceVisits: 0 });

/** What one order adds to a line of figures, its limits counted in working days (docs/decisions/100). */
function contribution(r: FigureRow, now: number, calendar: WorkCalendar): Omit<OrderFigures, 'key'> {
  const created = Number(r.created_at);
  const acceptedAt = r.accepted_at == null ? null : Number(r.accepted_at);
  const doneAt = r.done_at == null ? null : Number(r.done_at);
  const d = orderDeadlines({ createdAt: created, acceptedAt }, { acceptHours: Number(r.accept_hours), dispatchHours: Number(r.dispatch_hours), finishDays: Number(r.finish_days) }, calendar);
  const dispatched = r.dispatched_at != null;
  return {
    orders: 1,
    acceptedOnTime: Number(acceptedAt != null && acceptedAt <= d.acceptBy),
    acceptDue: Number(acceptedAt != null || (r.status === 'new' && now > d.acceptBy)),
    dispatched: Number(dispatched),
    accepted: Number(acceptedAt != null),
    doneOnTime: Number(dispatched && doneAt != null && doneAt <= d.finishBy),
    doneDue: Number(dispatched && (doneAt != null || now > d.finishBy)),
    satisfied: Number(r.rating != null && Number(r.rating) >= 4),
    rated: Number(r.rating != null),
    serviceVisits: Number(r.service_visits ?? 0),
  };
}

/** Adds one order's contribution to a line of figures. */
function count(f: OrderFigures, c: Omit<OrderFigures, 'key'>): void {
  for (const k of Object.keys(c) as (keyof typeof c)[]) f[k] += c[k];
}

/**
 * The county's totals and the same figures by 乡镇, by category and by month (Beijing), as of `now`;
 * with `townId`, one 乡镇's only (a 所's console, docs/decisions/100). Computed from each order's
 * timestamps and its item's limits in working days, which SQL cannot count, so in one pass here.
 */
export async function orderFigures(db: Db, now = Date.now(), opts: { townId?: number } = {}) {
  const t = opts.townId;
  const calendar = await loadWorkCalendar(db);
  const rows = await db.all<FigureRow>(
    sql`SELECT o.status, o.created_at, o.accepted_at, o.dispatched_at, o.done_at, o.rating, o.town_id, (SELECT name FROM regions WHERE id = o.town_id) AS town,
        i.category, i.accept_hours, i.dispatch_hours, i.finish_days,
        coalesce(v.n, 0) AS service_visits
      FROM service_orders o JOIN service_items i ON i.id = o.item_id
      -- 服务人次 in one pass over the events that serve an order, events first (CROSS JOIN), each one's records by
      -- hours_event; never a lookup per order (with stale
      -- statistics the planner scanned every event for each order: 1.4 s for 10,000 orders).
      LEFT JOIN (SELECT e.service_order_id AS order_id, count(*) AS n FROM events e CROSS JOIN hour_records h ON h.event_id = e.id AND h.status = 'confirmed'
        WHERE e.service_order_id IS NOT NULL GROUP BY e.service_order_id) v ON v.order_id = o.id
      ${t ? sql`WHERE o.town_id = ${t}` : sql``}`,
  );
  const total = empty(t ? (rows[0]?.town ?? '') : '全县');
  const towns = new Map<number, OrderFigures>();
  const categories = new Map<string, OrderFigures>();
  const months = new Map<string, OrderFigures>();
  const line = <K>(m: Map<K, OrderFigures>, k: K, key: string) => m.get(k) ?? m.set(k, empty(key)).get(k)!;
  for (const r of rows) {
    // Deadlines once per order, added to its four lines.
    const c = contribution(r, now, calendar);
    count(total, c);
    count(line(towns, Number(r.town_id), r.town ?? ''), c);
    count(line(categories, r.category, r.category), c);
    const month = beijingDay(Number(r.created_at)).slice(0, 7);
    count(line(months, month, month), c);
  }
  const byCount = (a: [unknown, OrderFigures], b: [unknown, OrderFigures]) => b[1].orders - a[1].orders;
  return {
    total,
    byTown: [...towns].sort((a, b) => byCount(a, b) || a[0] - b[0]).map(([, f]) => f),
    byCategory: [...categories].sort((a, b) => byCount(a, b) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, f]) => f),
    byMonth: [...months]
      .sort((a, b) => (a[0] < b[0] ? 1 : -1))
      .slice(0, 12)
      .map(([, f]) => f),
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
 * Whether an order is past its time limit now (marked 逾期 in the console, escalated by the timer): not
 * accepted by its 受理 deadline, not dispatched by its 派单 deadline after acceptance, or not done by its
 * 办结 deadline — each counted in working days on the county's calendar.
 */
export function isOverdue(
  o: { status: string; createdAt: number; acceptedAt: number | null },
  item: { acceptHours: number; dispatchHours: number; finishDays: number },
  now: number,
  calendar: WorkCalendar,
): boolean {
  const d = orderDeadlines(o, item, calendar);
  if (o.status === 'new') return now > d.acceptBy;
  if (o.status === 'accepted' || o.status === 'open') return now > d.dispatchBy;
  if (o.status === 'assigned') return now > d.finishBy;
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

/** One order's deadlines on the county's calendar and whether it is overdue now, for the console's order page. */
export async function orderTimeLimits(
  db: Db,
  o: { status: string; createdAt: number; acceptedAt: number | null },
  item: { acceptHours: number; dispatchHours: number; finishDays: number },
  now = Date.now(),
): Promise<{ acceptBy: number; dispatchBy: number | null; finishBy: number; overdue: boolean }> {
  const calendar = await loadWorkCalendar(db);
  const d = orderDeadlines(o, item, calendar);
  return { ...d, dispatchBy: o.acceptedAt == null ? null : d.dispatchBy, overdue: isOverdue(o, item, now, calendar) };
}
