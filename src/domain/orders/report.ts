// The 结项 report (issue 20 接单): what was done, how many volunteers served, how many people benefited,
// whether hours were recorded, and — when no event served the order — why none was needed (无需活动).
// The order closes only when every linked event is over (completed or cancelled) and at least one was
// completed, or a reason for 无需活动 is given; the guard of `finishOrder` checks the same in SQL.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { isPlainLine, isPlainText } from '../../lib/plain-text.ts';
import { OrderError } from './index.ts';

/** The 结项 form as the leader fills it in. */
export interface ClosingReport {
  /** 做了什么 (close_note). */
  note: string;
  servedVolunteers: number;
  beneficiaries: number;
  hoursRecorded: boolean;
  /** Why no event was needed; ignored when a linked event was completed. */
  noEventReason?: string;
}

/** The report checked field by field (Chinese messages next to each field). */
export function checkClosingReport(r: ClosingReport): Required<ClosingReport> {
  const note = r.note.trim();
  if (note.length < 5) throw new OrderError('BAD_REQUEST', '请写几句结项说明：做了什么（至少 5 个字）', 'note');
  if (note.length > 500 || !isPlainText(note)) throw new OrderError('BAD_REQUEST', '结项说明不超过 500 字，且不含特殊控制字符', 'note');
  if (!Number.isInteger(r.servedVolunteers) || r.servedVolunteers < 1 || r.servedVolunteers > 500) throw new OrderError('BAD_REQUEST', '请填写参加服务的志愿者人数（1–500）', 'servedVolunteers');
  if (!Number.isInteger(r.beneficiaries) || r.beneficiaries < 1 || r.beneficiaries > 100000) throw new OrderError('BAD_REQUEST', '请填写受益群众人数（至少 1 人）', 'beneficiaries');
  const reason = (r.noEventReason ?? '').trim();
  if (reason.length > 200 || (reason && !isPlainLine(reason))) throw new OrderError('BAD_REQUEST', '原因请用一句话说明（不超过 200 字）', 'noEventReason');
  return { note, servedVolunteers: r.servedVolunteers, beneficiaries: r.beneficiaries, hoursRecorded: r.hoursRecorded, noEventReason: reason };
}

/** SQL: the order's linked events are all over and one was completed — or, with none, a reason was given. */
export function eventsAllowClosingSql(orderId: number, reason: string): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM events e WHERE e.service_order_id = ${orderId} AND e.status IN ('draft', 'published'))
    AND (EXISTS (SELECT 1 FROM events e WHERE e.service_order_id = ${orderId} AND e.status = 'completed') OR ${reason} <> '')`;
}

/** After the guard refused: the linked event that is not over yet, or the missing 无需活动 reason. */
export async function explainClosingEvents(db: Db, orderId: number): Promise<void> {
  const events = await db.all<{ title: string; status: string }>(sql`SELECT title, status FROM events WHERE service_order_id = ${orderId} ORDER BY starts_at`);
  const open = events.find((e) => e.status === 'draft' || e.status === 'published');
  if (open) throw new OrderError('CONFLICT', `关联的活动“${open.title}”还没有结束：请先在活动页面确认出勤、点击“结束活动”，或取消不再举办的活动，再确认完成`);
  if (!events.some((e) => e.status === 'completed'))
    throw new OrderError('BAD_REQUEST', '这个点单没有已结束的服务活动：请说明为什么无需活动（例如“电话咨询当场解答”），或先安排一次服务活动', 'noEventReason');
}

/** Defaults for the 结项 form: volunteers with confirmed hours on the order's events, and whether any hours were recorded. */
export async function closingDefaults(db: Db, orderId: number): Promise<{ servedVolunteers: number; hoursRecorded: boolean; completedEvents: number }> {
  const [r] = await db.all<{ volunteers: number; records: number; completed: number }>(
    sql`SELECT (SELECT count(DISTINCT h.user_id) FROM hour_records h JOIN events e ON e.id = h.event_id WHERE e.service_order_id = ${orderId} AND h.status = 'confirmed') AS volunteers,
      (SELECT count(*) FROM hour_records h JOIN events e ON e.id = h.event_id WHERE e.service_order_id = ${orderId} AND h.status = 'confirmed') AS records,
      (SELECT count(*) FROM events e WHERE e.service_order_id = ${orderId} AND e.status = 'completed') AS completed`,
  );
  return { servedVolunteers: Number(r?.volunteers ?? 0), hoursRecorded: Number(r?.records ?? 0) > 0, completedEvents: Number(r?.completed ?? 0) };
}
