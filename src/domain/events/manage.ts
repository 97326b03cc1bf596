// Leaders' side of events: create, edit, publish, cancel, complete, roster, attendance.
// Leader write powers are checked by the caller (policy.leaderWriteRefusal through actionLeader);
// functions here also match the event to the team so an id from another team is never touched.
// Every change is one guarded write with its audit row and notices (db/write.ts).
import { z } from 'zod';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import type { Db } from '../../../db/client.ts';
import { guardedWrite, writeBatch, type Statement } from '../../../db/write.ts';
import { events, signups, teams, users } from '../../../db/schema/index.ts';
import { auditStatement } from '../audit/index.ts';
import { noticeInsert } from '../notices/index.ts';
import { parseDateTimeLocal, formatDateTime } from '../../lib/time.ts';
import { EVENT_CATEGORIES, eventTimeProblem, overlapMinutes, publishProblem } from './rules.ts';
import { validRegionPair } from '../regions/index.ts';
import { fillFreedSeats, SignupError } from './signups.ts';
import { Refusal } from '../refusal.ts';
import { isPlainLine, plainLineError } from '../../lib/plain-text.ts';
import { requirePublicText } from '../public-text.ts';

/** A leader's event action refused (state, rules, ownership). */
export class EventError extends Refusal {
  constructor(message: string, field?: string) {
    super('BAD_REQUEST', message, field);
    this.name = 'EventError';
  }
}

/** A datetime-local field: a real time, and within the sane range of `eventTimeProblem` (no year 0001). */
const dt = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .refine((v) => !Number.isNaN(parseDateTimeLocal(v)), `${label}格式不正确`)
    .refine((v) => Number.isNaN(parseDateTimeLocal(v)) || !eventTimeProblem(parseDateTimeLocal(v), label), {
      error: (iss) => eventTimeProblem(parseDateTimeLocal(String(iss.input)), label) ?? `${label}不正确`,
    });
const optDt = (label: string) =>
  z
    .string()
    .optional()
    .refine((v) => !v || !Number.isNaN(parseDateTimeLocal(v)), `${label}格式不正确`)
    .refine((v) => !v || Number.isNaN(parseDateTimeLocal(v)) || !eventTimeProblem(parseDateTimeLocal(v), label), {
      error: (iss) => eventTimeProblem(parseDateTimeLocal(String(iss.input)), label) ?? `${label}不正确`,
    });

/**
 * The event form fields (create and edit), shared by the action and tests. An optional text field is
 * `.default('').optional()`, outermost optional: Astro hands an empty input to the Action as
 * `undefined` only when the field's outer schema is optional, `null` otherwise — which refused a
 * blank 详细地点, 风险提示 or 活动内容 with 「期望 string，实际接收 空值(null)」 (issue 18, item 5).
 */
export const EventFields = z.object({
  title: z.string({ error: '请填写活动名称' }).trim().refine(isPlainLine, plainLineError('活动名称')).min(2, '活动名称至少 2 个字').max(60, '活动名称不超过 60 个字'),
  category: z.string({ error: '请选择活动类别' }).refine((v) => EVENT_CATEGORIES.includes(v), '请选择活动类别'),
  description: z.string().max(20000, '活动内容过长').default('').optional(),
  risks: z.string().max(2000, '风险提示不超过 2000 字').default('').optional(),
  townId: z.number().int().positive().optional(),
  villageId: z.number().int().positive().optional(),
  address: z.string().trim().refine(isPlainLine, plainLineError('详细地点')).max(100, '详细地点不超过 100 字').default('').optional(),
  startsAt: dt('开始时间'),
  endsAt: dt('结束时间'),
  signupOpensAt: optDt('报名开始时间'),
  signupClosesAt: optDt('报名截止时间'),
  capacity: z.number({ error: '请填写名额' }).int('名额须为整数').min(1, '名额至少为 1').max(10000, '名额不超过 10000'),
  waitlistEnabled: z.boolean().optional().default(false),
  dangerous: z.boolean().optional().default(false),
  insurancePolicy: z.string().trim().refine(isPlainLine, plainLineError('保单号')).max(60, '保单号不超过 60 字').optional(),
  minAge: z.number().int('年龄须为整数').min(0).max(100, '年龄要求不超过 100').optional(),
  membersOnly: z.boolean().optional().default(false),
  requiredSkill: z.string().trim().refine(isPlainLine, plainLineError('技能要求')).max(20).optional(),
});

/** Cross-field check: the end comes after the start. */
export function endAfterStart(v: { startsAt: string; endsAt: string }, ctx: z.RefinementCtx): void {
  if (parseDateTimeLocal(v.endsAt) <= parseDateTimeLocal(v.startsAt)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: '结束时间须晚于开始时间' });
}

/** The validated event form. */
export const EventInputSchema = EventFields.superRefine(endAfterStart);

export type EventInput = z.input<typeof EventInputSchema>;

function toColumns(v: z.output<typeof EventFields>) {
  return {
    title: v.title,
    category: v.category,
    description: v.description ?? '',
    risks: v.risks ?? '',
    townId: v.townId ?? null,
    villageId: v.villageId ?? null,
    address: v.address ?? '',
    startsAt: parseDateTimeLocal(v.startsAt),
    endsAt: parseDateTimeLocal(v.endsAt),
    signupOpensAt: v.signupOpensAt ? parseDateTimeLocal(v.signupOpensAt) : null,
    signupClosesAt: v.signupClosesAt ? parseDateTimeLocal(v.signupClosesAt) : null,
    capacity: v.capacity,
    waitlistEnabled: v.waitlistEnabled ?? false,
    dangerous: v.dangerous ?? false,
    insurancePolicy: v.insurancePolicy?.trim() || null,
    minAge: v.minAge ?? null,
    membersOnly: v.membersOnly ?? false,
    requiredSkill: v.requiredSkill?.trim() || null,
  };
}

export type EventRow = typeof events.$inferSelect;

/** The free-text fields of an event page, with their form labels (personal-data check, decision 078). */
export const EVENT_TEXT_LABELS: Record<string, string> = { title: '活动名称', description: '活动内容', risks: '风险提示', address: '详细地点' };

/** Refuses an event whose public text holds personal data (a phone, an ID number, a protected name). */
function requireEventText(db: Db, c: { title: string; description: string; risks: string; address: string }): Promise<void> {
  return requirePublicText(db, { title: c.title, description: c.description, risks: c.risks, address: c.address }, EVENT_TEXT_LABELS, { markdown: ['description'] });
}

/** One event of a team (undefined when the id belongs to another team). */
export async function teamEvent(db: Db, teamId: number, eventId: number): Promise<EventRow | undefined> {
  const [e] = await db
    .select()
    .from(events)
    .where(and(eq(events.id, eventId), eq(events.teamId, teamId)));
  return e;
}

/** All events of a team for its leaders, newest first. */
export async function listTeamEvents(db: Db, teamId: number) {
  return db.select().from(events).where(eq(events.teamId, teamId)).orderBy(desc(events.startsAt)).limit(200);
}

/** Refuses region ids that do not exist or do not fit together (a village must lie in the chosen town). */
async function assertRegions(db: Db, townId: number | null | undefined, villageId: number | null | undefined): Promise<void> {
  if (townId == null) {
    if (villageId != null) throw new EventError('请先选择所在乡镇', 'townId');
    return;
  }
  if (!(await validRegionPair(db, townId))) throw new EventError('所选乡镇不存在，请重新选择', 'townId');
  if (villageId != null && !(await validRegionPair(db, townId, villageId))) throw new EventError('所选村（社区）不属于该乡镇，请重新选择', 'villageId');
}

/**
 * An event created for a 四单 service order (issue 20 接单): the order's guard (still held by the team)
 * runs first in the same batch, and its follow-ups (timeline step, audit) get the new event's id.
 */
export interface EventOrderLink {
  serviceOrderId: number;
  guard: Statement;
  followUps: (eventId: ReturnType<typeof sql>) => Statement[];
  /** Thrown when the guard matched nothing. */
  refused: () => Promise<never>;
}

/** Creates a draft event (for a service order when `link` is given: nothing is written unless its guard holds). */
export async function createEvent(db: Db, actorId: number, teamId: number, input: z.output<typeof EventFields>, link?: EventOrderLink): Promise<number> {
  const [t] = await db.select({ status: teams.status }).from(teams).where(eq(teams.id, teamId));
  if (t?.status !== 'active') throw new EventError('队伍未处于正常状态，不能新建活动');
  await assertRegions(db, input.townId, input.villageId);
  const cols = toColumns(input);
  await requireEventText(db, cols);
  // The random check-in secret names the new row for its audit entry in the same batch.
  const checkinSecret = randomBytes(20).toString('hex');
  const newId = sql`(SELECT id FROM events WHERE checkin_secret = ${checkinSecret})`;
  const statements = [
    db
      .insert(events)
      .values({ ...cols, teamId, status: 'draft', checkinSecret, serviceOrderId: link?.serviceOrderId ?? null, createdBy: actorId, createdAt: Date.now() })
      .returning({ id: events.id }),
    auditStatement({ actorId, action: 'event.create', targetType: 'event', targetId: sql`SELECT id FROM events WHERE checkin_secret = ${checkinSecret}`, after: cols }),
  ];
  if (!link) {
    const [ins] = await writeBatch(db, statements);
    return Number(ins.rows[0].id);
  }
  const rs = await guardedWrite(db, link.guard, [...statements, ...link.followUps(newId)]);
  if (!rs) return link.refused();
  return Number(rs[1].rows[0].id);
}

/**
 * Edits an event. For a published event a change of time or place notifies every
 * volunteer signed up (confirmed or waitlisted), in the same batch as the change.
 */
export async function updateEvent(db: Db, actorId: number, teamId: number, eventId: number, input: z.output<typeof EventFields>): Promise<{ notified: number }> {
  const before = await teamEvent(db, teamId, eventId);
  if (!before) throw new EventError('活动不存在');
  if (before.status === 'cancelled' || before.status === 'completed') throw new EventError('已取消或已结束的活动不能修改');
  await assertRegions(db, input.townId, input.villageId);
  const cols = toColumns(input);
  await requireEventText(db, cols);
  if (before.status === 'published' && cols.dangerous && !cols.insurancePolicy) throw new EventError('高风险活动须填写意外保险保单号', 'insurancePolicy');
  if (cols.capacity < before.confirmedCount) throw new EventError(`已有 ${before.confirmedCount} 人报名，名额不能少于该人数`, 'capacity');
  const moved = before.startsAt !== cols.startsAt || before.endsAt !== cols.endsAt || before.address !== cols.address || before.townId !== cols.townId || before.villageId !== cols.villageId;
  const followUps: Statement[] = [auditStatement({ actorId, action: 'event.update', targetType: 'event', targetId: eventId, before, after: cols })];
  let notified = 0;
  if (moved && before.status === 'published') {
    const people = await db
      .select({ userId: signups.userId })
      .from(signups)
      .where(and(eq(signups.eventId, eventId), sql`${signups.status} IN ('confirmed','waitlisted')`));
    const body = `活动时间或地点有变更。新时间：${formatDateTime(cols.startsAt)}–${formatDateTime(cols.endsAt).slice(-5)}；地点：${cols.address || '见活动页面'}。如不能参加，请及时取消报名。`;
    for (const p of people) {
      const n = { userId: p.userId, kind: 'event.changed', title: `活动变更：${cols.title}`, body, link: `/events/${eventId}` };
      followUps.push(noticeInsert(db, n));
    }
    notified = people.length;
  }
  let written;
  try {
    // Guarded: seats taken since the check above must still fit the new capacity, or nothing (no notice) is written.
    written = await guardedWrite(
      db,
      db
        .update(events)
        .set({ ...cols, updatedAt: Date.now() })
        .where(and(eq(events.id, eventId), eq(events.teamId, teamId), sql`${events.status} = ${before.status}`, sql`${events.confirmedCount} <= ${cols.capacity}`)),
      followUps,
    );
  } catch (err) {
    if (String((err as Error).message).includes('event_capacity_exceeded')) throw new EventError('名额不能少于已报名人数', 'capacity');
    throw err;
  }
  if (!written) {
    const current = await teamEvent(db, teamId, eventId);
    if (current?.status !== before.status) throw new EventError('活动状态刚刚发生变化，请刷新后重试');
    throw new EventError(`已有 ${current.confirmedCount} 人报名，名额不能少于该人数`, 'capacity');
  }
  if (cols.capacity > before.capacity && before.status === 'published') await fillFreedSeats(db, eventId);
  return { notified };
}

/** Moves an event to a new state: publish (draft→published), cancel, complete. */
export async function setEventStatus(db: Db, actorId: number, teamId: number, eventId: number, to: 'published' | 'cancelled' | 'completed', now = Date.now()): Promise<void> {
  const e = await teamEvent(db, teamId, eventId);
  if (!e) throw new EventError('活动不存在');
  const from: Record<string, string[]> = { published: ['draft'], cancelled: ['draft', 'published'], completed: ['published'] };
  if (!from[to].includes(e.status)) throw new EventError(`当前状态不能执行此操作`);
  if (to === 'published') {
    const [t] = await db.select({ status: teams.status }).from(teams).where(eq(teams.id, teamId));
    if (t?.status !== 'active') throw new EventError('队伍未处于正常状态，不能发布活动');
    const p = publishProblem(e, now);
    if (p) throw new EventError(p, e.dangerous && !e.insurancePolicy ? 'insurancePolicy' : undefined);
  }
  if (to === 'completed' && e.startsAt > now) throw new EventError('活动尚未开始，不能标记为已结束');
  const followUps: Statement[] = [auditStatement({ actorId, action: `event.${to}`, targetType: 'event', targetId: eventId, before: { status: e.status }, after: { status: to } })];
  if (to === 'cancelled' && e.status === 'published') {
    const people = await db
      .select({ userId: signups.userId })
      .from(signups)
      .where(and(eq(signups.eventId, eventId), sql`${signups.status} IN ('confirmed','waitlisted')`));
    for (const p of people) {
      const n = { userId: p.userId, kind: 'event.cancelled', title: `活动取消：${e.title}`, body: `原定于 ${formatDateTime(e.startsAt)} 的活动已取消，感谢您的报名。`, link: `/events/${eventId}` };
      followUps.push(noticeInsert(db, n));
    }
  }
  // Guarded on the status read above: of two leaders pressing 取消 at once, one changes it and notifies.
  const written = await guardedWrite(
    db,
    db
      .update(events)
      .set({ status: to, updatedAt: now })
      .where(and(eq(events.id, eventId), eq(events.status, e.status))),
    followUps,
  );
  if (!written) throw new EventError('活动状态刚刚发生变化，请刷新后重试');
}

/** The roster of an event for its leaders, in arrival order. Phones masked by the page. */
export async function roster(db: Db, eventId: number) {
  return db
    .select({
      id: signups.id,
      userId: signups.userId,
      status: signups.status,
      seq: signups.seq,
      lateCancel: signups.lateCancel,
      removedReason: signups.removedReason,
      checkinAt: signups.checkinAt,
      checkoutAt: signups.checkoutAt,
      proposedMinutes: signups.proposedMinutes,
      createdAt: signups.createdAt,
      updatedAt: signups.updatedAt,
      realName: users.realName,
      phone: users.phone,
      volunteerNo: users.volunteerNo,
    })
    .from(signups)
    .innerJoin(users, eq(users.id, signups.userId))
    .where(eq(signups.eventId, eventId))
    .orderBy(asc(signups.seq));
}

/** Leader removes a sign-up with a reason; the volunteer is told; a freed seat is promoted. */
export async function removeSignup(db: Db, actorId: number, teamId: number, eventId: number, signupId: number, reason: string): Promise<void> {
  const e = await teamEvent(db, teamId, eventId);
  if (!e) throw new EventError('活动不存在');
  const r = reason.trim();
  if (r.length < 2) throw new EventError('请填写移出原因', 'reason');
  const [s] = await db
    .select()
    .from(signups)
    .where(and(eq(signups.id, signupId), eq(signups.eventId, eventId)));
  if (!s || (s.status !== 'confirmed' && s.status !== 'waitlisted')) throw new EventError('该报名不存在或已不在名单中');
  const written = await guardedWrite(
    db,
    db
      .update(signups)
      .set({ status: 'removed', removedReason: r, updatedAt: Date.now() })
      .where(and(eq(signups.id, signupId), sql`${signups.status} IN ('confirmed','waitlisted')`)),
    [
      auditStatement({ actorId, action: 'signup.remove', targetType: 'signup', targetId: signupId, before: { status: s.status }, after: { status: 'removed', reason: r } }),
      noticeInsert(db, { userId: s.userId, kind: 'signup.removed', title: `您已被移出活动：${e.title}`, body: `原因：${r}`, link: `/events/${eventId}` }),
    ],
  );
  if (!written) throw new EventError('该报名不存在或已不在名单中');
  await fillFreedSeats(db, eventId);
}

/**
 * Leader marks attendance: 'attended' (proposed minutes from check-in/out, else the
 * whole event) or 'no_show'. Only from 30 minutes before the start.
 */
export async function markAttendance(db: Db, actorId: number, teamId: number, eventId: number, signupId: number, mark: 'attended' | 'no_show', now = Date.now()): Promise<void> {
  const e = await teamEvent(db, teamId, eventId);
  if (!e) throw new EventError('活动不存在');
  if (now < e.startsAt - 30 * 60_000) throw new EventError('活动开始前 30 分钟起才能登记出勤');
  const [s] = await db
    .select()
    .from(signups)
    .where(and(eq(signups.id, signupId), eq(signups.eventId, eventId)));
  if (!s || !['confirmed', 'attended', 'no_show'].includes(s.status)) throw new EventError('只有已报名的志愿者才能登记出勤');
  const minutes =
    mark === 'no_show' ? null : s.checkinAt && s.checkoutAt ? overlapMinutes(s.checkinAt, s.checkoutAt, e.startsAt, e.endsAt) : overlapMinutes(e.startsAt, e.endsAt, e.startsAt, e.endsAt);
  const written = await guardedWrite(
    db,
    db
      .update(signups)
      .set({ status: mark, proposedMinutes: minutes, updatedAt: now })
      .where(and(eq(signups.id, signupId), sql`${signups.status} IN ('confirmed','attended','no_show')`)),
    [auditStatement({ actorId, action: `signup.${mark}`, targetType: 'signup', targetId: signupId, before: { status: s.status }, after: { status: mark, proposedMinutes: minutes } })],
  );
  if (!written) throw new EventError('只有已报名的志愿者才能登记出勤');
}

/** For the hours capability (issue 5): attended sign-ups with check-in/out and proposed minutes. */
export async function attendanceForEvent(db: Db, eventId: number) {
  return db
    .select({ signupId: signups.id, userId: signups.userId, status: signups.status, checkinAt: signups.checkinAt, checkoutAt: signups.checkoutAt, proposedMinutes: signups.proposedMinutes })
    .from(signups)
    .where(and(eq(signups.eventId, eventId), eq(signups.status, 'attended')))
    .orderBy(asc(signups.seq));
}

export { SignupError };
