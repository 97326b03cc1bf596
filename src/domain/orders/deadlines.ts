// Each order carries the time limits it is held to (issue 22, docs/decisions/106): computed once, in working
// days on the county's calendar, when the order is placed (受理 and 办结) and when it is accepted (派单), so
// the figures can be kept by triggers and a later change to the menu item re-times nothing already placed.
// A change to the calendar re-times the orders still in hand: a holiday added late extends them.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { writeBatch } from '../../../db/write.ts';
import { acceptDeadline, addWorkingDays, dispatchDeadline, loadWorkCalendar, type WorkCalendar } from './working-days.ts';

/** An item's limits as the menu keeps them. */
export interface ItemLimits {
  acceptHours: number;
  dispatchHours: number;
  finishDays: number;
}

/** Statuses of an order still in hand: its open deadlines follow the calendar. */
export const OPEN_ORDER_STATUSES = ['new', 'accepted', 'open', 'assigned'] as const;

/** The deadlines of an order placed at `createdAt` (and accepted at `acceptedAt`, if it was). */
export function deadlinesFor(o: { createdAt: number; acceptedAt: number | null }, item: ItemLimits, calendar: WorkCalendar): { acceptBy: number; dispatchBy: number | null; finishBy: number } {
  return {
    acceptBy: acceptDeadline(o.createdAt, item.acceptHours, calendar),
    dispatchBy: o.acceptedAt == null ? null : dispatchDeadline(o.acceptedAt, item.dispatchHours, calendar),
    finishBy: addWorkingDays(o.createdAt, item.finishDays, calendar),
  };
}

/** The limits a new order of `item` placed at `now` is held to, and its 受理 and 办结 deadlines, for its INSERT. */
export async function newOrderDeadlines(db: Db, item: ItemLimits, now: number) {
  const d = deadlinesFor({ createdAt: now, acceptedAt: null }, item, await loadWorkCalendar(db));
  return { limitAcceptHours: item.acceptHours, limitDispatchHours: item.dispatchHours, limitFinishDays: item.finishDays, acceptBy: d.acceptBy, finishBy: d.finishBy };
}

/** The 派单 deadline of order `orderId` if accepted at `now`, from the limit it was placed with, for the acceptance's UPDATE. */
export async function dispatchDeadlineOf(db: Db, orderId: number, now: number): Promise<number | null> {
  const [r] = await db.all<{ h: number }>(sql`SELECT coalesce(o.limit_dispatch_hours, i.dispatch_hours) AS h FROM service_orders o JOIN service_items i ON i.id = o.item_id WHERE o.id = ${orderId}`);
  return r ? dispatchDeadline(now, Number(r.h), await loadWorkCalendar(db)) : null;
}

type OrderTimes = { id: number; created_at: number; accepted_at: number | null; accept_hours: number; dispatch_hours: number; finish_days: number };

const int = (n: number | null): string => {
  if (n === null) return 'NULL';
  if (!Number.isSafeInteger(n)) throw new Error(`not an instant: ${n}`);
  return String(n);
};

/**
 * One UPDATE that sets the given orders' deadlines on `calendar`; only a row whose acceptance is still the
 * one the deadlines were computed from is changed (an order accepted meanwhile keeps what its step wrote).
 * Every value is an integer we computed, written as a literal: a county's open orders would exceed
 * SQLite's bound on parameters.
 */
function retimeStatement(rows: OrderTimes[], calendar: WorkCalendar, statuses: readonly string[] | null): SQL {
  const values = rows.map((r) => {
    const acceptedAt = r.accepted_at == null ? null : Number(r.accepted_at);
    const d = deadlinesFor(
      { createdAt: Number(r.created_at), acceptedAt },
      { acceptHours: Number(r.accept_hours), dispatchHours: Number(r.dispatch_hours), finishDays: Number(r.finish_days) },
      calendar,
    );
    return `(${int(Number(r.id))}, ${int(acceptedAt)}, ${int(d.acceptBy)}, ${int(d.dispatchBy)}, ${int(d.finishBy)}, ${int(Number(r.accept_hours))}, ${int(Number(r.dispatch_hours))}, ${int(Number(r.finish_days))})`;
  });
  const only = statuses
    ? sql` AND service_orders.status IN (${sql.join(
        statuses.map((s) => sql`${s}`),
        sql`, `,
      )})`
    : sql``;
  return sql`UPDATE service_orders SET accept_by = v.column3, dispatch_by = v.column4, finish_by = v.column5,
      limit_accept_hours = v.column6, limit_dispatch_hours = v.column7, limit_finish_days = v.column8
    FROM (VALUES ${sql.raw(values.join(', '))}) v
    WHERE service_orders.id = v.column1 AND service_orders.accepted_at IS v.column2${only}`;
}

/** Each order's times and the limits it is held to (its item's of today when it has none recorded). */
const TIMES = sql`SELECT o.id, o.created_at, o.accepted_at, coalesce(o.limit_accept_hours, i.accept_hours) AS accept_hours,
    coalesce(o.limit_dispatch_hours, i.dispatch_hours) AS dispatch_hours, coalesce(o.limit_finish_days, i.finish_days) AS finish_days
  FROM service_orders o JOIN service_items i ON i.id = o.item_id`;

/**
 * The statement that re-times every order still in hand on `calendar` (the calendar as it will be after the
 * change that goes in the same batch), or null when no order is open. Orders already settled keep the limits
 * they were held to, so a published rate does not change when a holiday is entered late.
 */
export async function retimeOpenOrders(db: Db, calendar: WorkCalendar): Promise<SQL | null> {
  const rows = await db.all<OrderTimes>(sql`${TIMES} WHERE o.status IN ('new', 'accepted', 'open', 'assigned')`);
  return rows.length ? retimeStatement(rows, calendar, OPEN_ORDER_STATUSES) : null;
}

/**
 * Fills the limits and deadlines of orders that have none (placed before migration 0029, or written by a
 * seed), on today's calendar and each item's current limits — the best record there is of what they were.
 * Runs once at start-up (db/migrate.ts migrateData) and after a seed; returns how many orders it timed.
 */
export async function fillOrderDeadlines(db: Db): Promise<number> {
  const calendar = await loadWorkCalendar(db);
  let done = 0;
  for (;;) {
    const rows = await db.all<OrderTimes>(
      sql`${TIMES} WHERE o.accept_by IS NULL OR o.finish_by IS NULL OR o.limit_finish_days IS NULL OR (o.accepted_at IS NOT NULL AND o.dispatch_by IS NULL) ORDER BY o.id LIMIT 5000`,
    );
    if (!rows.length) return done;
    await writeBatch(db, [retimeStatement(rows, calendar, null)]);
    done += rows.length;
  }
}
