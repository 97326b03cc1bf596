// Records a leader makes for others: from an event's attendance, or entered for a roster of volunteers.
// Each record is its own guarded write (new-record.ts); the result lists who got one and why not.
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { users } from '../../../db/schema/index.ts';
import { HoursError } from './errors.ts';
import { createHourRecord, spanLimits } from './new-record.ts';
import { isActiveMember } from './queries.ts';
import { assertLeader } from './review.ts';
import { checkEventWindow, checkSpan } from './rules.ts';
import { num, type Row } from './sql.ts';

export interface BulkResult {
  userId: number;
  name: string;
  ok: boolean;
  recordId?: number;
  message?: string;
}

async function eventOf(db: Db, eventId: number) {
  const [e] = await db.all<Row>(sql`SELECT id, team_id, title, starts_at, ends_at FROM events WHERE id = ${eventId}`);
  if (!e) throw new HoursError('NOT_FOUND', '活动不存在');
  return { id: num(e, 'id'), teamId: num(e, 'team_id'), title: String(e.title), startsAt: num(e, 'starts_at'), endsAt: num(e, 'ends_at') };
}

async function namesOf(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db.select({ id: users.id, realName: users.realName }).from(users).where(inArray(users.id, ids));
  return new Map(rows.map((r) => [r.id, r.realName]));
}

/** Runs one createHourRecord per volunteer, collecting refusals as messages instead of stopping. */
async function createEach(userId: number, name: string, make: () => Promise<number>): Promise<BulkResult> {
  try {
    return { userId, name, ok: true, recordId: await make() };
  } catch (e) {
    if (!(e instanceof HoursError)) throw e;
    return { userId, name, ok: false, message: e.message };
  }
}

/** Turns an event's attendance into pending records: one per attended sign-up; minutes = overlap of check-in/out with the event window, or the whole window for a roster mark. */
export async function recordsFromAttendance(db: Db, actorId: number, eventId: number, now = Date.now()): Promise<BulkResult[]> {
  const ev = await eventOf(db, eventId);
  await assertLeader(db, actorId, ev.teamId, '生成服务时长');
  const limits = await spanLimits(db);
  const rows = await db.all<Row>(sql`SELECT s.id, s.user_id, s.status, s.checkin_at, s.checkout_at, u.real_name FROM signups s JOIN users u ON u.id = s.user_id
    WHERE s.event_id = ${eventId} AND (s.status = 'attended' OR (s.checkin_at IS NOT NULL AND s.checkout_at IS NOT NULL AND s.status NOT IN ('cancelled','removed','refused','no_show')))
      AND NOT EXISTS (SELECT 1 FROM hour_records h WHERE h.signup_id = s.id)
    ORDER BY s.seq`);
  const out: BulkResult[] = [];
  for (const s of rows) {
    const userId = num(s, 'user_id');
    const name = String(s.real_name);
    const ci = s.checkin_at == null ? null : num(s, 'checkin_at');
    const co = s.checkout_at == null ? null : num(s, 'checkout_at');
    let startsAt = ev.startsAt;
    let endsAt = ev.endsAt;
    if (ci != null || co != null) {
      if (ci == null || co == null) {
        out.push({ userId, name, ok: false, message: ci == null ? '未签到' : '未签退' });
        continue;
      }
      startsAt = Math.max(ci, ev.startsAt);
      endsAt = Math.min(co, ev.endsAt);
      if (endsAt <= startsAt) {
        out.push({ userId, name, ok: false, message: '签到签退时间不在活动时间范围内' });
        continue;
      }
    }
    const record = { userId, teamId: ev.teamId, eventId, signupId: num(s, 'id'), source: 'attendance' as const, startsAt, endsAt, content: ev.title, createdBy: actorId };
    out.push(await createEach(userId, name, () => createHourRecord(db, record, { now, limits, event: ev })));
  }
  return out;
}

export interface LeaderEntryInput {
  teamId: number;
  eventId?: number | null;
  /** Omitted (with endsAt) for the event's whole window. */
  startsAt?: number;
  endsAt?: number;
  content: string;
  userIds: number[];
}

/** Whether the volunteer may get a leader-entered record for the event: signed up for it (not cancelled, removed or refused). */
async function signedUpFor(db: Db, eventId: number, userId: number): Promise<boolean> {
  const rows = await db.all(sql`SELECT 1 FROM signups WHERE event_id = ${eventId} AND user_id = ${userId} AND status NOT IN ('cancelled','removed','refused') LIMIT 1`);
  return rows.length > 0;
}

/** A leader enters hours for a roster: one pending record per ticked volunteer (members of the team, or signed up for the event). */
export async function leaderEntry(db: Db, actorId: number, input: LeaderEntryInput, now = Date.now()): Promise<BulkResult[]> {
  await assertLeader(db, actorId, input.teamId, '录入服务时长');
  if (!input.userIds.length) throw new HoursError('BAD_REQUEST', '请至少勾选一名志愿者');
  const limits = await spanLimits(db);
  let event: Awaited<ReturnType<typeof eventOf>> | undefined;
  if (input.eventId) {
    event = await eventOf(db, input.eventId);
    if (event.teamId !== input.teamId) throw new HoursError('FORBIDDEN', '只能为本队的活动录入时长');
  }
  const startsAt = input.startsAt ?? event?.startsAt;
  const endsAt = input.endsAt ?? event?.endsAt;
  if (startsAt == null || endsAt == null) throw new HoursError('BAD_REQUEST', '请选择活动，或填写服务日期、开始时间和结束时间');
  const problem = checkSpan(startsAt, endsAt, limits, now) ?? (event ? checkEventWindow(startsAt, endsAt, event) : null);
  if (problem) throw new HoursError('BAD_REQUEST', problem);
  const ids = [...new Set(input.userIds)];
  const names = await namesOf(db, ids);
  const content = input.content.trim() || event?.title || '';
  if (!content) throw new HoursError('BAD_REQUEST', '请填写服务内容');
  const out: BulkResult[] = [];
  for (const userId of ids) {
    const name = names.get(userId) ?? `用户 ${userId}`;
    const eligible = (event && (await signedUpFor(db, event.id, userId))) || (await isActiveMember(db, userId, input.teamId));
    if (!eligible) {
      out.push({ userId, name, ok: false, message: '不是本队队员' });
      continue;
    }
    const record = { userId, teamId: input.teamId, eventId: event?.id ?? null, source: 'leader' as const, startsAt, endsAt, content, createdBy: actorId };
    out.push(await createEach(userId, name, () => createHourRecord(db, record, { now, limits, event })));
  }
  return out;
}
