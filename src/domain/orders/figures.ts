// Published 四单 figures (issue 20), from the aggregate kept by triggers (docs/decisions/106), with the definitions
// shown next to them: each rate is a count over a count, both published, never a bare "100 %".
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
  /** 服务人次: confirmed hour records of the orders' linked events. */
  serviceVisits: number;
}

/** What each figure means, in the words the pages show beside the numbers. */
export const FIGURE_DEFINITIONS: readonly { name: string; text: string }[] = [
  { name: '点单数', text: '群众提交（含工作人员代为登记）的点单件数，含不予受理的。' },
  {
    name: '受理及时率',
    text: '在服务菜单规定的受理时限（点单时按当时的菜单确定，按工作日计，当日受理指到达当个工作日 24 时前；17 时后或节假日到达的从下一个工作日算起）内受理的件数 ÷（已受理件数 + 已超过受理时限仍未受理的件数）。不予受理的点单不计入。',
  },
  { name: '派单率', text: '已派给队伍或被队伍接单的件数 ÷ 已受理件数。' },
  {
    name: '按时办结率',
    text: '自点单起在规定办结时限（点单时按当时的菜单确定，按工作日计，周末和法定节假日不算，调休上班日算）内确认完成的件数 ÷（已办结件数 + 已超过办结时限仍在办理的件数），只计已派单的点单。',
  },
  { name: '满意度', text: '评价为 4 星或 5 星的件数 ÷ 已评价件数。' },
  {
    name: '服务人次',
    text: '队伍为点单安排的志愿服务活动中，已确认的志愿服务时长记录条数：一位志愿者在一次活动中的一条确认记录计 1 人次；未确认、已驳回的记录和没有关联活动的点单不计。按点单所在乡镇、服务类别和点单月份统计。',
  },
];

/** A group of stats_orders lines (a 乡镇, a category or a month), or the live count of late open orders. */
type LineRow = {
  k: string | number;
  name?: string | null;
  orders: number;
  accepted: number;
  accepted_on_time: number;
  dispatched: number;
  done: number;
  done_on_time: number;
  rated: number;
  satisfied: number;
  service_visits: number;
  accept_late: number;
  done_late: number;
};

const empty = (key: string): OrderFigures => ({ key, orders: 0, acceptedOnTime: 0, acceptDue: 0, dispatched: 0, accepted: 0, doneOnTime: 0, doneDue: 0, satisfied: 0, rated: 0, serviceVisits: 0 });

/** Adds what a group counts to a line of figures: the settled counts, and the open orders already past a limit. */
function add(f: OrderFigures, r: LineRow): void {
  f.orders += Number(r.orders);
  f.acceptedOnTime += Number(r.accepted_on_time);
  f.acceptDue += Number(r.accepted) + Number(r.accept_late);
  f.dispatched += Number(r.dispatched);
  f.accepted += Number(r.accepted);
  f.doneOnTime += Number(r.done_on_time);
  f.doneDue += Number(r.done) + Number(r.done_late);
  f.satisfied += Number(r.satisfied);
  f.rated += Number(r.rated);
  f.serviceVisits += Number(r.service_visits);
}

const SETTLED = sql.raw(`sum(s.orders) AS orders, sum(s.accepted) AS accepted, sum(s.accepted_on_time) AS accepted_on_time, sum(s.dispatched) AS dispatched,
  sum(s.done) AS done, sum(s.done_on_time) AS done_on_time, sum(s.rated) AS rated, sum(s.satisfied) AS satisfied, sum(s.service_visits) AS service_visits,
  0 AS accept_late, 0 AS done_late`);
const MONTH = sql.raw(`strftime('%Y-%m', (o.created_at + 28800000) / 1000, 'unixepoch')`);

/**
 * The county's totals and the same figures by 乡镇, by category and by month (Beijing), as of `now`;
 * with `townId`, one 乡镇's only (a 所's console, docs/decisions/100). The settled counts come from
 * stats_orders (kept by triggers, each order judged against the deadlines stored on it: docs/decisions/106),
 * grouped in SQL; only orders still in hand and already past their 受理 or 办结 deadline are read, by the
 * (status, deadline) indexes — never every order.
 */
export async function orderFigures(db: Db, now = Date.now(), opts: { townId?: number } = {}) {
  const t = opts.townId;
  if (t !== undefined && !Number.isSafeInteger(t)) throw new Error('townId');
  const only = (alias: string) => (t ? sql`WHERE ${sql.raw(alias)}.town_id = ${t}` : sql``);
  const settled = (k: SQL, name: SQL, join: SQL) =>
    db.all<LineRow>(sql`SELECT ${k} AS k, ${name} AS name, ${SETTLED} FROM stats_orders s ${join} ${only('s')} GROUP BY k HAVING sum(s.orders) > 0 OR sum(s.service_visits) > 0`);
  const byTown = await settled(sql`s.town_id`, sql`(SELECT name FROM regions WHERE id = s.town_id)`, sql``);
  const byCategory = await settled(sql`i.category`, sql`NULL`, sql`JOIN service_items i ON i.id = s.item_id`);
  const byMonth = await settled(sql`s.month`, sql`NULL`, sql``);
  // Open and late: 待受理 past its 受理 deadline; dispatched, not done, past its 办结 deadline. Few rows, each
  // added to its 乡镇, category and month. `+done_at`: with ANALYZE's statistics (done_at nearly unique) the
  // planner took "done_at IS NULL" for a rare value and walked every open order by (item_id, done_at) —
  // 11.6 ms at scale 10 against 0.1 ms by (status, finish_by) (tests/integration/order-figures-plan.test.ts).
  const late = await db.all<{ town_id: number; town: string | null; category: string; month: string; accept_late: number; done_late: number }>(
    sql`SELECT o.town_id, (SELECT name FROM regions WHERE id = o.town_id) AS town, i.category, ${MONTH} AS month,
        sum(o.status = 'new') AS accept_late, sum(o.status <> 'new') AS done_late
      FROM (SELECT town_id, item_id, created_at, status FROM service_orders WHERE status = 'new' AND accept_by < ${now}
        UNION ALL SELECT town_id, item_id, created_at, status FROM service_orders WHERE status IN ('open', 'assigned') AND finish_by < ${now}
          AND dispatched_at IS NOT NULL AND +done_at IS NULL) o
      JOIN service_items i ON i.id = o.item_id ${only('o')}
      GROUP BY o.town_id, i.category, month`,
  );
  const lines = <K extends string | number>(rows: LineRow[], lateKey: (l: (typeof late)[number]) => [K, string]) => {
    const m = new Map<K, OrderFigures>(rows.map((r) => [r.k as K, empty(String(r.name ?? r.k))]));
    for (const r of rows) add(m.get(r.k as K)!, r);
    for (const l of late) {
      const [k, key] = lateKey(l);
      add(m.get(k) ?? m.set(k, empty(key)).get(k)!, { ...ZERO, k, accept_late: Number(l.accept_late), done_late: Number(l.done_late) });
    }
    return m;
  };
  const towns = lines(byTown, (l) => [Number(l.town_id), l.town ?? '']);
  const categories = lines(byCategory, (l) => [l.category, l.category]);
  const months = lines(byMonth, (l) => [l.month, l.month]);
  const total = empty(t ? ([...towns.values()][0]?.key ?? '') : '全县');
  for (const f of towns.values()) for (const k of Object.keys(f) as (keyof OrderFigures)[]) if (k !== 'key') total[k] += f[k];
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

const ZERO = { orders: 0, accepted: 0, accepted_on_time: 0, dispatched: 0, done: 0, done_on_time: 0, rated: 0, satisfied: 0, service_visits: 0 };

/** A rate alone, for the big figures: "98.0%", or "—" with nothing to count (the counts go beneath it). */
export function ratePercent(num: number, den: number): string {
  return den ? `${((num / den) * 100).toFixed(1)}%` : '—';
}

/** A rate as the tables show it: "98.0%（49/50）", or "—" with nothing to count. */
export function rateText(num: number, den: number): string {
  return den ? `${((num / den) * 100).toFixed(1)}%（${num}/${den}）` : '—';
}

/** The deadlines stored on an order (docs/decisions/106). */
export interface StoredDeadlines {
  status: string;
  acceptBy: number | null;
  dispatchBy: number | null;
  finishBy: number | null;
}

/**
 * Whether an order is past its time limit now (marked 逾期 in the console, escalated by the timer): not
 * accepted by its 受理 deadline, not dispatched by its 派单 deadline after acceptance, or not done by its
 * 办结 deadline — the deadlines stored on the order, counted in working days when they were set.
 */
export function isOverdue(o: StoredDeadlines, now: number): boolean {
  const past = (at: number | null) => at != null && now > at;
  if (o.status === 'new') return past(o.acceptBy);
  if (o.status === 'accepted' || o.status === 'open') return past(o.dispatchBy);
  if (o.status === 'assigned') return past(o.finishBy);
  return false;
}

/** The SQL twin of isOverdue, for `alias` (service_orders): used by the console's 逾期 filter and the escalation timer. */
export const overdueSql = (now: number, alias = 'service_orders') => {
  const o = sql.raw(alias);
  return sql`((${o}.status = 'new' AND ${o}.accept_by < ${now}) OR (${o}.status IN ('accepted', 'open') AND ${o}.dispatch_by < ${now}) OR (${o}.status = 'assigned' AND ${o}.finish_by < ${now}))`;
};

/** A team's record from its orders (issue 20 "ratings feed each team's record"): done, rated, 4–5 stars, average. */
export async function teamOrderRecord(db: Db, teamId: number): Promise<{ done: number; rated: number; satisfied: number; average: number | null }> {
  const [r] = await db.all<{ done: number; rated: number; satisfied: number; average: number | null }>(
    sql`SELECT sum(done_at IS NOT NULL) AS done, sum(rating IS NOT NULL) AS rated, sum(rating >= 4) AS satisfied, avg(rating) AS average
      FROM service_orders WHERE team_id = ${teamId}`,
  );
  return { done: Number(r?.done ?? 0), rated: Number(r?.rated ?? 0), satisfied: Number(r?.satisfied ?? 0), average: r?.average == null ? null : Math.round(Number(r.average) * 10) / 10 };
}

/** One order's deadlines as stored and whether it is overdue now, for the console's order page. */
export function orderTimeLimits(
  o: StoredDeadlines & { acceptedAt: number | null },
  now = Date.now(),
): { acceptBy: number | null; dispatchBy: number | null; finishBy: number | null; overdue: boolean } {
  return { acceptBy: o.acceptBy, dispatchBy: o.acceptedAt == null ? null : o.dispatchBy, finishBy: o.finishBy, overdue: isOverdue(o, now) };
}
