// 工作日 time limits for service orders (issue 20, docs/decisions/100), counted like the 12345 hotline's:
// Monday to Friday are working days, Saturday and Sunday rest days, except where the State Council's
// holiday notice says otherwise (a statutory holiday off, a 调休 Saturday or Sunday on) — those
// exceptions are the `work_calendar` table staff maintain. Everything here is in Beijing time.
import type { Db } from '../../../db/client.ts';
import { workCalendar } from '../../../db/schema/index.ts';

/** The calendar's exceptions: day (YYYY-MM-DD, Beijing) → true for a working day, false for a rest day. */
export type WorkCalendar = ReadonlyMap<string, boolean>;

const DAY = 86400_000;
const BEIJING = 8 * 3600_000;
/** An order arriving after this hour (Beijing) on a working day is counted from the next working day: the office has closed. */
export const OFFICE_CLOSES_HOUR = 17;

/** The Beijing calendar day of an instant. */
export function beijingDay(ms: number): string {
  return new Date(ms + BEIJING).toISOString().slice(0, 10);
}

/** 00:00 Beijing of a day, as an instant. */
function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - BEIJING;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
}

/** Whether a Beijing day is a working day: the calendar's word, or Monday to Friday. */
export function isWorkingDay(day: string, calendar: WorkCalendar): boolean {
  const listed = calendar.get(day);
  if (listed !== undefined) return listed;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The deadline for work started at `start` that must be done within `n` working days: 24:00 Beijing at
 * the end of the n-th working day after the day of `start` (the day itself does not count, as in
 * "3 个工作日内办结"). With n = 0: the end of the day of `start` if it is a working day, else of the next one.
 */
export function addWorkingDays(start: number, n: number, calendar: WorkCalendar): number {
  const day = beijingDay(start);
  const left = Math.max(0, Math.floor(n));
  // The answer depends on the start's day and n only: the figures ask it for every order (issue 22), so
  // each calendar keeps its answers (a calendar is read fresh per request and dropped with it).
  let memo = deadlines.get(calendar);
  if (!memo) deadlines.set(calendar, (memo = new Map()));
  const key = `${day}|${left}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const end = countWorkingDays(day, left, calendar);
  memo.set(key, end);
  return end;
}

const deadlines = new WeakMap<WorkCalendar, Map<string, number>>();

function countWorkingDays(day: string, left: number, calendar: WorkCalendar): number {
  if (left === 0) {
    // Bounded: no calendar has a year of rest days in a row.
    for (let i = 0; i < 366 && !isWorkingDay(day, calendar); i++) day = nextDay(day);
    return dayStart(nextDay(day));
  }
  for (let i = 0; left > 0 && i < 3660; i++) {
    day = nextDay(day);
    if (isWorkingDay(day, calendar)) left--;
  }
  return dayStart(nextDay(day));
}

/** Whole working days in a limit kept in hours (the menu's 受理 and 派单 limits): 24 h is one day, "当日". */
export const hoursAsWorkingDays = (hours: number): number => Math.max(1, Math.ceil(hours / 24));

/**
 * 受理 by: within the item's limit in working days, where one day is "当日" — the end of the working day the
 * order arrived on, or of the next working day when it arrived on a rest day or after office hours.
 */
export function acceptDeadline(createdAt: number, acceptHours: number, calendar: WorkCalendar): number {
  let day = beijingDay(createdAt);
  if (!isWorkingDay(day, calendar) || createdAt - dayStart(day) >= OFFICE_CLOSES_HOUR * 3600_000) {
    day = nextDay(day);
    for (let i = 0; i < 366 && !isWorkingDay(day, calendar); i++) day = nextDay(day);
  }
  return addWorkingDays(dayStart(day), hoursAsWorkingDays(acceptHours) - 1, calendar);
}

/** 派单 by: the item's 派单 limit in working days from the order's acceptance. */
export function dispatchDeadline(acceptedAt: number, dispatchHours: number, calendar: WorkCalendar): number {
  return addWorkingDays(acceptedAt, hoursAsWorkingDays(dispatchHours), calendar);
}

/** The limits of one order, as instants: 受理 from its arrival, 派单 from its acceptance, 办结 from its arrival. */
export function orderDeadlines(
  o: { createdAt: number; acceptedAt: number | null },
  item: { acceptHours: number; dispatchHours: number; finishDays: number },
  calendar: WorkCalendar,
): { acceptBy: number; dispatchBy: number; finishBy: number } {
  return {
    acceptBy: acceptDeadline(o.createdAt, item.acceptHours, calendar),
    dispatchBy: dispatchDeadline(o.acceptedAt ?? o.createdAt, item.dispatchHours, calendar),
    finishBy: addWorkingDays(o.createdAt, item.finishDays, calendar),
  };
}

/** The calendar's exceptions from the database (a few dozen rows a year). */
export async function loadWorkCalendar(db: Db): Promise<WorkCalendar> {
  const rows = await db.select({ day: workCalendar.day, working: workCalendar.working }).from(workCalendar);
  return new Map(rows.map((r) => [r.day, r.working === 1]));
}

/** A limit as the menu and order pages say it: "当日受理", "3 个工作日内". */
export function workingDaysText(days: number): string {
  return `${days} 个工作日内`;
}
