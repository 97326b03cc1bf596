// 点单式普法: residents order a lecture, staff accept and assign a lecturer, the
// lecture becomes an event (category 普法讲座), delivery is recorded and the
// requester rates it through a private link (only the token's hash is stored).
import { createHash } from 'node:crypto';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { events, lectureOrders, regions, teams, users } from '../../../db/schema/index.ts';
import { can } from '../accounts/policy.ts';
import { PERSON_NAME_MESSAGE, realNameProblem } from '../accounts/schemas.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditStatement } from '../audit/index.ts';
import { getSetting } from '../settings/index.ts';
import { validRegionPair } from '../regions/index.ts';
import { humanCode, randomToken } from '../../lib/ids.ts';
import { shanghaiDay } from '../../lib/time.ts';
import { isPlainLine, plainLineError } from '../../lib/plain-text.ts';
import { eventTimeProblem } from '../events/rules.ts';
import { Refusal } from '../refusal.ts';
import { lookupTable } from '../../lib/lookup.ts';
import { MediaError } from '../media/index.ts';
import { discardPrivateFiles, uploadPrivateImage } from '../media/private.ts';
import { publicTextOptions, requirePublicText } from '../public-text.ts';
import { maskPersonalData, type PersonalDataOptions } from '../../lib/personal-data.ts';

export type LectureOrder = typeof lectureOrders.$inferSelect;

export const LECTURE_STATUS: Readonly<Record<string, string>> = lookupTable({
  new: '待受理',
  accepted: '已受理',
  scheduled: '已排期',
  delivered: '已开讲',
  rated: '已评价',
  declined: '未能安排',
});

/** A problem with a lecture order, in Chinese. */
export class LectureError extends Refusal {
  readonly code: 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST';
  constructor(code: LectureError['code'], message: string, field?: string) {
    super(code, message, field);
    this.name = 'LectureError';
    this.code = code;
  }
}

/** The public order form. */
export const LectureOrderSchema = z.object({
  topic: z.string().trim().min(1, '请选择讲座主题'),
  townId: z.coerce.number({ error: '请选择乡镇（街道）' }).int().positive('请选择乡镇（街道）'),
  villageId: z.coerce.number({ error: '请选择村（社区）' }).int().positive('请选择村（社区）'),
  audienceExpected: z.coerce.number({ error: '请填写预计听众人数' }).int('人数应为整数').min(10, '预计听众至少 10 人才能开讲').max(2000, '预计听众不超过 2000 人'),
  preferredDates: z.string().trim().refine(isPlainLine, plainLineError('希望时间')).min(2, '请写明希望的时间，例如“12月4日上午”').max(200, '不超过 200 字'),
  // The one real-name rule (accounts/schemas.ts): the lecturer calls this person back by name.
  requesterName: z
    .string()
    .trim()
    .refine(isPlainLine, plainLineError('联系人姓名'))
    .min(1, '请填写联系人姓名')
    .refine((n) => !n || realNameProblem(n) === null, `联系人${PERSON_NAME_MESSAGE}`),
  requesterPhone: z
    .string()
    .trim()
    .regex(/^1[3-9]\d{9}$/, '请填写 11 位手机号码'),
  organisation: z.string().trim().refine(isPlainLine, plainLineError('单位名称')).max(60, '单位名称不超过 60 字').default(''),
  note: z.string().trim().max(500, '备注不超过 500 字').default(''),
});
export type LectureOrderInput = z.infer<typeof LectureOrderSchema>;

const hashToken = (t: string) => createHash('sha256').update(t).digest('hex');

function requireHandler(user: SessionUser) {
  if (!can(user, 'lectures.handle')) throw new LectureError('FORBIDDEN', '只有宣传编辑可以处理普法点单');
}

/** Records an order; returns the tracking number and the private rating token (shown once). */
export async function createLectureOrder(db: Db, input: LectureOrderInput, now = Date.now()): Promise<{ id: number; trackingNo: string; rateToken: string }> {
  const o = LectureOrderSchema.parse(input);
  const topics = await getSetting(db, 'legalTopics');
  if (!topics.includes(o.topic)) throw new LectureError('BAD_REQUEST', '请从菜单中选择讲座主题');
  if (!(await validRegionPair(db, o.townId, o.villageId))) throw new LectureError('BAD_REQUEST', '所选村（社区）不属于该乡镇，请重新选择');
  const rateToken = randomToken(20);
  const trackingNo = `PF${shanghaiDay(now).replace(/-/g, '')}${humanCode(4)}`;
  const [row] = await db
    .insert(lectureOrders)
    .values({
      trackingNo,
      requesterName: o.requesterName,
      requesterPhone: o.requesterPhone,
      organisation: o.organisation || null,
      topic: o.topic,
      townId: o.townId,
      villageId: o.villageId,
      audienceExpected: o.audienceExpected,
      preferredDates: o.preferredDates,
      note: o.note || null,
      status: 'new',
      rateTokenHash: hashToken(rateToken),
      createdAt: now,
    })
    .returning({ id: lectureOrders.id });
  return { id: row.id, trackingNo, rateToken };
}

/** Orders for the console, newest first. */
export async function listLectureOrders(db: Db, f: { status?: string } = {}) {
  return db
    .select()
    .from(lectureOrders)
    .where(f.status ? eq(lectureOrders.status, f.status) : undefined)
    .orderBy(desc(lectureOrders.createdAt), desc(lectureOrders.id))
    .limit(200);
}

/** One order by id. */
export async function getLectureOrder(db: Db, id: number): Promise<LectureOrder | undefined> {
  const [o] = await db.select().from(lectureOrders).where(eq(lectureOrders.id, id));
  return o;
}

/** Users who can lecture: active, with the 法律 skill or the 法律明白人 role (legal_aide). */
export async function listLecturers(db: Db) {
  return db
    .select({ id: users.id, realName: users.realName, townId: users.townId })
    .from(users)
    .where(
      and(
        eq(users.status, 'active'),
        sql`(EXISTS (SELECT 1 FROM json_each(${users.skills}) WHERE value = '法律')
      OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = ${users.id} AND r.role = 'legal_aide'))`,
      ),
    )
    .orderBy(users.id)
    .limit(200);
}

/** Active teams that run legal education (listed first) and all other active teams. */
export async function listLectureTeams(db: Db) {
  const rows = await db.select({ id: teams.id, name: teams.name, serviceTypes: teams.serviceTypes }).from(teams).where(eq(teams.status, 'active')).orderBy(teams.id);
  const legal = (r: { serviceTypes: string }) => /普法|法治|法律/.test(r.serviceTypes);
  return [...rows.filter(legal), ...rows.filter((r) => !legal(r))].map(({ id, name }) => ({ id, name }));
}

/** Accepts a new order. */
export async function acceptLectureOrder(db: Db, user: SessionUser, id: number): Promise<void> {
  requireHandler(user);
  const ok = await guardedWrite(db, sql`UPDATE lecture_orders SET status = 'accepted', handled_by = ${user.id} WHERE id = ${id} AND status = 'new'`, [
    auditStatement({ actorId: user.id, action: 'lecture.accept', targetType: 'lecture_order', targetId: id, after: { status: 'accepted' } }),
  ]);
  if (!ok) throw new LectureError('CONFLICT', '该点单已被处理，请刷新');
}

/** Declines an order with a reason the requester sees when tracking it. */
export async function declineLectureOrder(db: Db, user: SessionUser, id: number, reason: string): Promise<void> {
  requireHandler(user);
  const r = reason.trim();
  if (!r) throw new LectureError('BAD_REQUEST', '请填写未能安排的原因');
  const ok = await guardedWrite(db, sql`UPDATE lecture_orders SET status = 'declined', decline_reason = ${r}, handled_by = ${user.id} WHERE id = ${id} AND status IN ('new','accepted')`, [
    auditStatement({ actorId: user.id, action: 'lecture.decline', targetType: 'lecture_order', targetId: id, after: { status: 'declined' }, detail: r }),
  ]);
  if (!ok) throw new LectureError('CONFLICT', '该点单已排期或已处理，不能再拒绝');
}

export interface LectureSchedule {
  lecturerId: number;
  teamId: number;
  startsAt: number;
  endsAt: number;
  address: string;
  capacity: number;
}

/** The events row for a lecture (category 普法讲座, published, visible on /events). */
export function lectureEventValues(o: LectureOrder, s: LectureSchedule, lecturerName: string, villageName: string, userId: number, now: number, opts: PersonalDataOptions = {}) {
  return {
    teamId: s.teamId,
    title: `普法讲座：${o.topic}（${villageName}）`,
    category: '普法讲座',
    // The requester's own words reach a public page that nobody edits first: numbers in them are masked.
    description: `应${maskPersonalData(o.organisation || villageName, opts)}点单，举办“${o.topic}”主题普法讲座。\n\n主讲人：${lecturerName}\n\n欢迎村（社区）群众参加，现场可咨询法律问题。`,
    risks: '室内讲座，无特殊风险。',
    townId: o.townId,
    villageId: o.villageId,
    address: s.address,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    signupOpensAt: now,
    signupClosesAt: s.startsAt,
    capacity: s.capacity,
    status: 'published',
    checkinSecret: randomToken(16),
    lectureOrderId: o.id,
    createdBy: userId,
    createdAt: now,
  };
}

/** Assigns a lecturer and creates the lecture as an event, in one batch. Returns the event id. */
export async function scheduleLecture(db: Db, user: SessionUser, id: number, s: LectureSchedule, now = Date.now()): Promise<number> {
  requireHandler(user);
  const o = await getLectureOrder(db, id);
  if (!o) throw new LectureError('NOT_FOUND', '点单不存在');
  if (!(s.endsAt > s.startsAt)) throw new LectureError('BAD_REQUEST', '结束时间应晚于开始时间');
  if (s.startsAt < now) throw new LectureError('BAD_REQUEST', '讲座时间不能早于现在');
  const far = eventTimeProblem(s.startsAt, '讲座时间', now); // the lecture becomes an event: same sane range
  if (far) throw new LectureError('BAD_REQUEST', far);
  await requirePublicText(db, { address: s.address }, { address: '讲座地点' });
  const lecturer = (await listLecturers(db)).find((l) => l.id === s.lecturerId);
  if (!lecturer) throw new LectureError('BAD_REQUEST', '请选择具有“法律”技能或“法律明白人”身份的主讲人');
  const [team] = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.id, s.teamId), eq(teams.status, 'active')));
  if (!team) throw new LectureError('BAD_REQUEST', '请选择承办队伍');
  const [village] = o.villageId ? await db.select({ name: regions.name }).from(regions).where(eq(regions.id, o.villageId)) : [];
  const ok = await guardedWrite(db, sql`UPDATE lecture_orders SET status = 'scheduled', lecturer_id = ${s.lecturerId}, handled_by = ${user.id} WHERE id = ${id} AND status IN ('new','accepted')`, [
    db
      .insert(events)
      .values(lectureEventValues(o, s, lecturer.realName, village?.name ?? '', user.id, now, await publicTextOptions(db)))
      .returning({ id: events.id }),
    // The lecture's event is the one carrying this order's id.
    sql`UPDATE lecture_orders SET event_id = (SELECT id FROM events WHERE lecture_order_id = ${id}) WHERE id = ${id}`,
    auditStatement({ actorId: user.id, action: 'lecture.schedule', targetType: 'lecture_order', targetId: id, after: { lecturerId: s.lecturerId, startsAt: s.startsAt } }),
  ]);
  if (!ok) throw new LectureError('CONFLICT', '该点单已排期或已处理');
  return Number(ok[1].rows[0].id);
}

/** Photos of one delivered lecture at most. */
export const MAX_LECTURE_PHOTOS = 12;

/**
 * Records delivery: audience count and optional photos; the event is marked completed. The photos
 * show residents, so they are private evidence for lecture staff (docs/decisions/076), never library media.
 */
export async function recordLectureDelivery(
  db: Db,
  user: SessionUser,
  id: number,
  d: { audience: number; photos?: { uploadsDir: string; files: { bytes: Uint8Array; name: string }[] } },
  now = Date.now(),
): Promise<void> {
  requireHandler(user);
  if (!Number.isInteger(d.audience) || d.audience < 1 || d.audience > 5000) throw new LectureError('BAD_REQUEST', '请填写实际听众人数（1–5000）');
  const o = await getLectureOrder(db, id);
  if (!o) throw new LectureError('NOT_FOUND', '点单不存在');
  if (o.status !== 'scheduled') throw new LectureError('CONFLICT', '只有已排期的讲座可以登记开讲情况');
  const files = (d.photos?.files ?? []).filter((f) => f.bytes.length > 0);
  if (files.length > MAX_LECTURE_PHOTOS) throw new LectureError('BAD_REQUEST', `现场照片最多 ${MAX_LECTURE_PHOTOS} 张`, 'photos');
  const stored: number[] = [];
  const dir = d.photos?.uploadsDir ?? '';
  for (const f of files) {
    try {
      stored.push((await uploadPrivateImage(db, dir, { bytes: f.bytes, name: f.name, purpose: 'lecture', userId: user.id })).id);
    } catch (e) {
      await discardPrivateFiles(db, dir, stored);
      if (e instanceof MediaError) throw new LectureError('BAD_REQUEST', `照片“${f.name}”：${e.message}`, 'photos');
      throw e;
    }
  }
  const ok = await guardedWrite(
    db,
    sql`UPDATE lecture_orders SET status = 'delivered', audience_actual = ${d.audience}, photo_file_ids = ${JSON.stringify(stored)}, delivered_at = ${now}
    WHERE id = ${id} AND status = 'scheduled'`,
    [
      sql`UPDATE events SET status = 'completed', updated_at = ${now} WHERE id = ${o.eventId ?? -1} AND status = 'published'`,
      auditStatement({ actorId: user.id, action: 'lecture.deliver', targetType: 'lecture_order', targetId: id, after: { audience: d.audience, photos: stored.length } }),
    ],
  );
  if (!ok) {
    await discardPrivateFiles(db, dir, stored);
    throw new LectureError('CONFLICT', '只有已排期的讲座可以登记开讲情况');
  }
}

/** The order a private rating link points to. */
export async function orderByRateToken(db: Db, token: string): Promise<LectureOrder | undefined> {
  if (!/^[a-z0-9]{20,64}$/.test(token)) return undefined;
  const [o] = await db
    .select()
    .from(lectureOrders)
    .where(eq(lectureOrders.rateTokenHash, hashToken(token)));
  return o;
}

/** The requester rates a delivered lecture once (1–5 and a comment). */
export async function rateLecture(db: Db, token: string, r: { rating: number; comment: string }, now = Date.now()): Promise<void> {
  if (!Number.isInteger(r.rating) || r.rating < 1 || r.rating > 5) throw new LectureError('BAD_REQUEST', '请选择 1–5 分');
  const o = await orderByRateToken(db, token);
  if (!o) throw new LectureError('NOT_FOUND', '评价链接无效');
  if (o.status === 'rated') throw new LectureError('CONFLICT', '您已评价过这场讲座，谢谢！');
  if (o.status !== 'delivered') throw new LectureError('CONFLICT', '讲座开讲后才能评价');
  const ok = await guardedWrite(
    db,
    sql`UPDATE lecture_orders SET status = 'rated', rating = ${r.rating}, rating_comment = ${r.comment.trim().slice(0, 500)}, rated_at = ${now}
    WHERE id = ${o.id} AND status = 'delivered'`,
    [auditStatement({ action: 'lecture.rate', targetType: 'lecture_order', targetId: o.id, after: { rating: r.rating } })],
  );
  if (!ok) throw new LectureError('CONFLICT', '您已评价过这场讲座，谢谢！');
}

const YEAR = sql<string>`strftime('%Y', (${lectureOrders.deliveredAt} / 1000) + 8 * 3600, 'unixepoch')`;

/** 场次 and 受教育人次 of delivered lectures by year, topic and 乡镇 (optionally one year). */
export async function lectureTotals(db: Db, f: { year?: number } = {}) {
  const where = and(inArray(lectureOrders.status, ['delivered', 'rated']), f.year ? sql`${YEAR} = ${String(f.year)}` : undefined);
  const sessions = sql<number>`count(*)`;
  const audience = sql<number>`coalesce(sum(${lectureOrders.audienceActual}), 0)`;
  const byYear = await db.select({ year: YEAR, sessions, audience }).from(lectureOrders).where(where).groupBy(YEAR).orderBy(desc(YEAR));
  const byTopic = await db.select({ topic: lectureOrders.topic, sessions, audience }).from(lectureOrders).where(where).groupBy(lectureOrders.topic).orderBy(desc(sessions));
  const byTown = await db
    .select({ townId: lectureOrders.townId, town: regions.name, sessions, audience })
    .from(lectureOrders)
    .leftJoin(regions, eq(regions.id, lectureOrders.townId))
    .where(where)
    .groupBy(lectureOrders.townId)
    .orderBy(desc(sessions));
  const num = <T extends { sessions: number; audience: number }>(rows: T[]) => rows.map((r) => ({ ...r, sessions: Number(r.sessions), audience: Number(r.audience) }));
  const total = num(byYear).reduce((a, r) => ({ sessions: a.sessions + r.sessions, audience: a.audience + r.audience }), { sessions: 0, audience: 0 });
  return { byYear: num(byYear).map((r) => ({ ...r, year: Number(r.year) })), byTopic: num(byTopic), byTown: num(byTown), total };
}

/** Recent delivered lectures for the public record (no personal data). */
export async function recentLectures(db: Db, limit = 10) {
  return db
    .select({
      id: lectureOrders.id,
      topic: lectureOrders.topic,
      townId: lectureOrders.townId,
      villageId: lectureOrders.villageId,
      audience: lectureOrders.audienceActual,
      deliveredAt: lectureOrders.deliveredAt,
      rating: lectureOrders.rating,
      eventId: lectureOrders.eventId,
    })
    .from(lectureOrders)
    .where(inArray(lectureOrders.status, ['delivered', 'rated']))
    .orderBy(desc(lectureOrders.deliveredAt))
    .limit(limit);
}
