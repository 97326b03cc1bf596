// Staff maintain the working-day calendar (docs/decisions/100): each statutory holiday on a weekday and
// each 调休 working Saturday/Sunday is one row; the 中心's order staff enter them from the State Council's
// notice each year. Every change is audited; the deadlines stored on the orders still in hand are re-timed
// in the same batch (a holiday added extends them), settled orders keep theirs (docs/decisions/106).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditStatement } from '../audit/index.ts';
import { isPlainLine } from '../../lib/plain-text.ts';
import { OrderError } from './index.ts';
import { orderScope } from './scope.ts';
import { retimeOpenOrders } from './deadlines.ts';
import { loadWorkCalendar } from './working-days.ts';

/** The statement re-timing open orders on the calendar as it will be with `day` set to `working` (null: removed). */
async function retimeWith(db: Db, day: string, working: boolean | null) {
  const calendar = new Map(await loadWorkCalendar(db));
  if (working === null) calendar.delete(day);
  else calendar.set(day, working);
  const statement = await retimeOpenOrders(db, calendar);
  return statement ? [statement] : [];
}

/** One exception of the calendar, as the page lists it. */
export interface WorkDayRow {
  day: string;
  working: number;
  note: string;
}

/** The exceptions of one year, in date order. */
export async function workDaysOfYear(db: Db, year: number): Promise<WorkDayRow[]> {
  return db.all<WorkDayRow>(sql`SELECT day, working, note FROM work_calendar WHERE day >= ${`${year}-01-01`} AND day <= ${`${year}-12-31`} ORDER BY day`);
}

/** Only the county 中心's order staff change the county's calendar: a 所 reads it. */
async function requireCentre(db: Db, user: SessionUser): Promise<void> {
  const scope = await orderScope(db, user);
  if (!scope || scope.townId !== null) throw new OrderError('FORBIDDEN', '工作日历由县新时代文明实践中心维护；如需调整请联系县中心');
}

function validDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

/** Records a day as 放假 (working = false) or 调休上班 (working = true), replacing what was there; audited. */
export async function saveWorkDay(db: Db, user: SessionUser, input: { day: string; working: boolean; note: string }, ip?: string): Promise<void> {
  await requireCentre(db, user);
  const day = input.day.trim();
  if (!validDay(day)) throw new OrderError('BAD_REQUEST', '请填写日期，例如 2027-01-01', 'day');
  const note = input.note.trim();
  if (note.length < 2 || note.length > 20 || !isPlainLine(note)) throw new OrderError('BAD_REQUEST', '请写明节日名称，例如“国庆节”或“春节调休上班”（不超过 20 字）', 'note');
  const now = Date.now();
  await guardedWrite(
    db,
    sql`INSERT INTO work_calendar (day, working, note, updated_by, updated_at) VALUES (${day}, ${input.working ? 1 : 0}, ${note}, ${user.id}, ${now})
      ON CONFLICT (day) DO UPDATE SET working = excluded.working, note = excluded.note, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    [
      auditStatement({ actorId: user.id, action: 'order.calendar_set', targetType: 'work_day', targetId: day, after: { working: input.working, note }, ip }),
      ...(await retimeWith(db, day, input.working)),
    ],
  );
}

/** Removes a day's exception (it becomes an ordinary weekday or weekend day again); audited. */
export async function removeWorkDay(db: Db, user: SessionUser, day: string, ip?: string): Promise<void> {
  await requireCentre(db, user);
  if (!validDay(day)) throw new OrderError('NOT_FOUND', '日历中没有这一天');
  const ok = await guardedWrite(db, sql`DELETE FROM work_calendar WHERE day = ${day}`, [
    auditStatement({ actorId: user.id, action: 'order.calendar_remove', targetType: 'work_day', targetId: day, ip }),
    ...(await retimeWith(db, day, null)),
  ]);
  if (!ok) throw new OrderError('NOT_FOUND', '日历中没有这一天，请刷新后重试');
}
