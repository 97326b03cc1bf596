// 接单 — delivery (issue 20): the team that holds an order runs it as an ordinary event, so volunteers sign
// up, check in and earn hours through the existing ledger. The team creates an event from the order
// (prefilled: the item as title, the preferred time when it names a date, the 村 as place — never the
// resident's address) or links one of its events; events.service_order_id is the link (docs/decisions/099).
// The resident's timeline gets "已安排志愿服务活动：<date>", without names.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { leaderMayWriteSql, leaderWriteRefusal } from '../accounts/policy.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditStatement } from '../audit/index.ts';
import { createEvent, type EventFields } from '../events/manage.ts';
import { formatDate, fromShanghai, parseDateTimeLocal, shanghaiDay } from '../../lib/time.ts';
import { lookupTable, ownValue } from '../../lib/lookup.ts';
import { ORDER_STATUS, OrderError, getServiceOrder, type ServiceItem, type ServiceOrder } from './index.ts';
import type { z } from 'zod';

/** The event category that fits a menu category (the event list's own categories); the rest are 其他. */
const EVENT_CATEGORY: Readonly<Record<string, string>> = lookupTable({ 助老助残: '助老助残', 卫生环保: '环境保护', 法律服务: '法治宣传' });

/** An event's status in the words the team's order page shows. */
export const EVENT_STATUS_WORDS: Readonly<Record<string, string>> = lookupTable({ draft: '草稿', published: '已发布', cancelled: '已取消', completed: '已结束' });

/** Event statuses an order may be linked to: a cancelled event serves nobody. */
const LINKABLE = sql`('draft', 'published', 'completed')`;

const H = 3600_000;

/**
 * The start and end of a preferred time that names a date — "2026-12-12 上午", "12月12日下午", "12/12" —
 * in Beijing time, in the future (else undefined: the leader picks the date). 上午 9–11, 下午 14–16, 晚上 19–21.
 */
export function parsePreferredTime(text: string, now = Date.now()): { startsAt: number; endsAt: number } | undefined {
  const full = /(20\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})/.exec(text);
  const short = full ? null : /(?:^|[^\d])(\d{1,2})\s*(?:月|\/|-)\s*(\d{1,2})\s*(?:日|号)?/.exec(text);
  if (!full && !short) return undefined;
  const thisYear = Number(shanghaiDay(now).slice(0, 4));
  const month = Number(full ? full[2] : short![1]);
  const day = Number(full ? full[3] : short![2]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const hour = /下午/.test(text) ? 14 : /晚上|傍晚/.test(text) ? 19 : 9;
  const at = (year: number) => {
    const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const t = fromShanghai(iso, `${String(hour).padStart(2, '0')}:00`);
    return shanghaiDay(t) === iso ? t : NaN; // 2月30日 rolls over: not a date
  };
  let startsAt = at(full ? Number(full[1]) : thisYear);
  if (!full && startsAt <= now) startsAt = at(thisYear + 1);
  if (!Number.isFinite(startsAt) || startsAt <= now) return undefined;
  return { startsAt, endsAt: startsAt + 2 * H };
}

/** The event form's values prefilled from an order (for EventForm's `e`). */
export function eventDraftFromOrder(o: Pick<ServiceOrder, 'preferredTime' | 'townId' | 'villageId'>, item: Pick<ServiceItem, 'name' | 'category'>, villageName: string, now = Date.now()) {
  const when = parsePreferredTime(o.preferredTime, now);
  return {
    title: `${item.name}（${villageName}）`.slice(0, 60),
    category: ownValue(EVENT_CATEGORY, item.category) ?? '其他',
    townId: o.townId,
    villageId: o.villageId,
    address: villageName,
    capacity: 5,
    waitlistEnabled: false,
    description: `承接群众点单：${item.category} · ${item.name}。服务对象的详细地址和联系方式只有本队队长、副队长掌握，活动前由队长告知参加的志愿者。`,
    startsAt: when?.startsAt,
    endsAt: when?.endsAt,
  };
}

/** The order when the team holds it now (status 服务中), for the prefilled form and the checks before a write. */
export async function orderHeldBy(db: Db, teamId: number, orderId: number): Promise<ServiceOrder | undefined> {
  const o = await getServiceOrder(db, orderId);
  return o && o.status === 'assigned' && o.teamId === teamId ? o : undefined;
}

/** After a guard matched nothing: why the team may not act on this order (arrange an event, add a note). */
export async function refuseHeld(db: Db, user: SessionUser, teamId: number, orderId: number): Promise<never> {
  const refusal = await leaderWriteRefusal(db, user.id, teamId, '安排服务活动');
  if (refusal) throw refusal;
  const o = await getServiceOrder(db, orderId);
  if (!o || o.teamId !== teamId) throw new OrderError('NOT_FOUND', '找不到该点单：只能为本队承接的点单安排活动', 'serviceOrderId');
  throw new OrderError('CONFLICT', `该点单当前状态为“${ORDER_STATUS[o.status] ?? o.status}”，不能再安排活动`, 'serviceOrderId');
}

const heldGuard = (user: SessionUser, teamId: number, orderId: number) =>
  sql`UPDATE service_orders SET status = status WHERE id = ${orderId} AND status = 'assigned' AND team_id = ${teamId} AND ${leaderMayWriteSql(teamId, user.id)}`;

/** The resident's timeline step: the date only, never a volunteer's or the team's name. */
const eventStep = (orderId: number, startsAt: number, now: number): SQL =>
  sql`INSERT INTO service_order_steps (order_id, at, kind, text) VALUES (${orderId}, ${now}, 'event', ${`已安排志愿服务活动：${formatDate(startsAt)}`})`;

/**
 * Creates a draft event for an order the team holds, linked to it, with the resident's timeline step and
 * the audit row — one guarded batch: if the order was reassigned meanwhile, no event is written.
 */
export async function createEventForOrder(db: Db, user: SessionUser, teamId: number, orderId: number, input: z.output<typeof EventFields>, now = Date.now()): Promise<number> {
  if (!Number.isSafeInteger(orderId) || !(await orderHeldBy(db, teamId, orderId))) await refuseHeld(db, user, teamId, orderId);
  return createEvent(db, user.id, teamId, input, {
    serviceOrderId: orderId,
    guard: heldGuard(user, teamId, orderId),
    followUps: () => [
      eventStep(orderId, parseDateTimeLocal(input.startsAt), now),
      auditStatement({ actorId: user.id, action: 'order.event', targetType: 'service_order', targetId: orderId, after: { event: 'created' } }),
    ],
    refused: () => refuseHeld(db, user, teamId, orderId),
  });
}

/** Links one of the team's events (not cancelled, not serving another order) to an order the team holds. */
export async function linkEventToOrder(db: Db, user: SessionUser, teamId: number, orderId: number, eventId: number, now = Date.now()): Promise<void> {
  if (!Number.isSafeInteger(eventId) || eventId <= 0) throw new OrderError('BAD_REQUEST', '请选择本队的一个活动', 'eventId');
  const [ev] = await db.all<{ status: string; starts_at: number; service_order_id: number | null; team_id: number }>(
    sql`SELECT status, starts_at, service_order_id, team_id FROM events WHERE id = ${eventId}`,
  );
  const ok = await guardedWrite(
    db,
    sql`UPDATE events SET service_order_id = ${orderId}, updated_at = ${now}
      WHERE id = ${eventId} AND team_id = ${teamId} AND status IN ${LINKABLE} AND service_order_id IS NULL
        AND EXISTS (SELECT 1 FROM service_orders o WHERE o.id = ${orderId} AND o.status = 'assigned' AND o.team_id = ${teamId})
        AND ${leaderMayWriteSql(teamId, user.id)}`,
    [eventStep(orderId, ev ? Number(ev.starts_at) : now, now), auditStatement({ actorId: user.id, action: 'order.event', targetType: 'service_order', targetId: orderId, after: { eventId } })],
  );
  if (ok) return;
  const refusal = await leaderWriteRefusal(db, user.id, teamId, '安排服务活动');
  if (refusal) throw refusal;
  if (!ev || Number(ev.team_id) !== teamId) throw new OrderError('NOT_FOUND', '找不到该活动：只能关联本队的活动', 'eventId');
  if (!(await orderHeldBy(db, teamId, orderId))) await refuseHeld(db, user, teamId, orderId);
  if (ev.status === 'cancelled') throw new OrderError('CONFLICT', '该活动已取消，不能关联点单', 'eventId');
  if (ev.service_order_id != null) throw new OrderError('CONFLICT', Number(ev.service_order_id) === orderId ? '该活动已关联这个点单' : '该活动已关联另一个点单', 'eventId');
  throw new OrderError('CONFLICT', '该活动不能关联点单（普法讲座活动另有记录），请选择其他活动', 'eventId');
}

/** The events serving each order, by order id (title, date, status), for the team's and staff's pages. */
export async function eventsOfOrders(db: Db, orderIds: number[]) {
  const out = new Map<number, { id: number; title: string; startsAt: number; status: string }[]>();
  if (!orderIds.length) return out;
  const rows = await db.all<{ id: number; service_order_id: number; title: string; starts_at: number; status: string }>(
    sql`SELECT id, service_order_id, title, starts_at, status FROM events WHERE service_order_id IN (${sql.join(
      orderIds.map((i) => sql`${i}`),
      sql`, `,
    )}) ORDER BY starts_at`,
  );
  for (const r of rows) {
    const k = Number(r.service_order_id);
    out.set(k, [...(out.get(k) ?? []), { id: Number(r.id), title: r.title, startsAt: Number(r.starts_at), status: r.status }]);
  }
  return out;
}

/** The team's events an order may be linked to: not cancelled, serving no order yet, from the last 60 days on. */
export async function linkableEvents(db: Db, teamId: number, now = Date.now()) {
  return db.all<{ id: number; title: string; starts_at: number }>(
    sql`SELECT id, title, starts_at FROM events WHERE team_id = ${teamId} AND status IN ${LINKABLE} AND service_order_id IS NULL
      AND starts_at > ${now - 60 * 86400_000} ORDER BY starts_at DESC LIMIT 50`,
  );
}
