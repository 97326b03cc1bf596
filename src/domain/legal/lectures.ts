// 点单式普法 as a category of the 四单 loop (issue 20, docs/decisions/101): a lecture order is a service
// order whose menu item is of kind 'lecture'. Residents order on /legal/order; staff accept or refuse it
// like any order (orders.accept / orders.reject), then dispatch it to a lecturer — the lecture becomes an
// event (category 普法讲座) — and record its delivery with the audience counted (受教育人次) and photos.
// Orders placed before 0023 keep their PF… numbers and their private rating links.
import { createHash } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { guardedWrite, writeBatch } from '../../../db/write.ts';
import { events, regions, serviceOrders, teams, users, type LectureDetails } from '../../../db/schema/index.ts';
import { can } from '../accounts/policy.ts';
import { PERSON_NAME_MESSAGE, realNameProblem } from '../accounts/schemas.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditStatement } from '../audit/index.ts';
import { getSetting } from '../settings/index.ts';
import { validRegionPair } from '../regions/index.ts';
import { randomToken } from '../../lib/ids.ts';
import { formatDateTime } from '../../lib/time.ts';
import { isPlainLine, plainLineError } from '../../lib/plain-text.ts';
import { eventTimeProblem } from '../events/rules.ts';
import { Refusal } from '../refusal.ts';
import { lookupTable } from '../../lib/lookup.ts';
import { MediaError } from '../media/index.ts';
import { discardPrivateFiles, uploadPrivateImage } from '../media/private.ts';
import { publicTextOptions, requirePublicText } from '../public-text.ts';
import { maskPersonalData, type PersonalDataOptions } from '../../lib/personal-data.ts';
import { newTrackingNo } from '../orders/index.ts';
import { dispatchDeadlineOf, newOrderDeadlines } from '../orders/deadlines.ts';

/** A lecture order as the lecture pages read it: the service order's columns with its lecture facts alongside. */
export interface LectureOrder {
  id: number;
  trackingNo: string;
  requesterName: string;
  requesterPhone: string;
  organisation: string | null;
  topic: string;
  audienceType: string;
  townId: number;
  villageId: number;
  audienceExpected: number;
  preferredDates: string;
  note: string;
  /** The service order's status (new | accepted | assigned | done | rated | rejected). */
  status: string;
  lecturerId: number | null;
  teamId: number | null;
  eventId: number | null;
  audienceActual: number | null;
  deliveredAt: number | null;
  rating: number | null;
  ratingComment: string | null;
  ratedAt: number | null;
  photoFileIds: number[];
  declineReason: string | null;
  createdAt: number;
}

/** Each service-order status in the words of a lecture. */
export const LECTURE_STATUS: Readonly<Record<string, string>> = lookupTable({
  new: '待受理',
  accepted: '已受理，待排期',
  open: '待安排',
  assigned: '已排期',
  done: '已开讲，待评价',
  rated: '已评价',
  rejected: '未能安排',
});

/** Who a lecture is for, as the order form offers it. */
export const LECTURE_AUDIENCES = ['村（居）民', '中小学生', '企业职工', '机关事业单位干部职工', '老年人', '妇女儿童', '其他'] as const;

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
  /** Who will listen; '' when not said (orders placed before the field existed). */
  audienceType: z.union([z.enum(LECTURE_AUDIENCES, { error: '请选择听众类型' }), z.literal('')]).default(''),
});
export type LectureOrderInput = z.input<typeof LectureOrderSchema>;

const hashToken = (t: string) => createHash('sha256').update(t).digest('hex');

function requireHandler(user: SessionUser) {
  if (!can(user, 'lectures.handle')) throw new LectureError('FORBIDDEN', '只有宣传编辑可以处理普法点单');
}

/** SQL: the order's item is a 普法讲座. */
const IS_LECTURE = sql`EXISTS (SELECT 1 FROM service_items li WHERE li.id = service_orders.item_id AND li.kind = 'lecture')`;

type Row = typeof serviceOrders.$inferSelect;
const view = (o: Row, eventId: number | null): LectureOrder => {
  const l: Partial<LectureDetails> = o.lecture ?? {};
  return {
    id: o.id,
    trackingNo: o.trackingNo,
    requesterName: o.requesterName,
    requesterPhone: o.requesterPhone,
    organisation: l.organisation ?? null,
    topic: l.topic ?? '',
    audienceType: l.audienceType ?? '',
    townId: o.townId,
    villageId: o.villageId,
    audienceExpected: Number(l.audienceExpected ?? 0),
    preferredDates: o.preferredTime,
    note: o.need,
    status: o.status,
    lecturerId: l.lecturerId ?? null,
    teamId: o.teamId,
    eventId,
    audienceActual: l.audienceActual == null ? null : Number(l.audienceActual),
    deliveredAt: o.doneAt,
    rating: o.rating,
    ratingComment: o.ratingComment,
    ratedAt: o.ratedAt,
    photoFileIds: Array.isArray(l.photoFileIds) ? l.photoFileIds.map(Number) : [],
    declineReason: o.rejectReason,
    createdAt: o.createdAt,
  };
};

const lectureRows = (db: Db) =>
  db
    .select({ o: serviceOrders, eventId: sql<number | null>`(SELECT max(e.id) FROM events e WHERE e.service_order_id = service_orders.id)` })
    .from(serviceOrders)
    .$dynamic();

/** Records an order as a service order of the lecture item, with its first timeline step; returns its DD- number. */
export async function createLectureOrder(db: Db, input: LectureOrderInput, now = Date.now()): Promise<{ id: number; trackingNo: string }> {
  const o = LectureOrderSchema.parse(input);
  const topics = await getSetting(db, 'legalTopics');
  if (!topics.includes(o.topic)) throw new LectureError('BAD_REQUEST', '请从菜单中选择讲座主题', 'topic');
  if (!(await validRegionPair(db, o.townId, o.villageId))) throw new LectureError('BAD_REQUEST', '所选村（社区）不属于该乡镇，请重新选择', 'villageId');
  const [item] = await db.all<{ id: number; accept_hours: number; dispatch_hours: number; finish_days: number }>(
    sql`SELECT id, accept_hours, dispatch_hours, finish_days FROM service_items WHERE kind = 'lecture' AND active = 1 ORDER BY sort, id LIMIT 1`,
  );
  if (!item) throw new LectureError('BAD_REQUEST', '点单式普法暂停预约，请拨打县普法办电话咨询');
  // Held to the item's limits of today, as every service order (docs/decisions/106).
  const deadlines = await newOrderDeadlines(db, { acceptHours: Number(item.accept_hours), dispatchHours: Number(item.dispatch_hours), finishDays: Number(item.finish_days) }, now);
  const trackingNo = newTrackingNo(now);
  const lecture: LectureDetails = {
    topic: o.topic,
    audienceType: o.audienceType,
    audienceExpected: o.audienceExpected,
    audienceActual: null,
    organisation: o.organisation || null,
    lecturerId: null,
    photoFileIds: [],
    handledBy: null,
    legacyId: null,
  };
  await writeBatch(db, [
    db.insert(serviceOrders).values({
      trackingNo,
      itemId: item.id,
      requesterName: o.requesterName,
      requesterPhone: o.requesterPhone,
      townId: o.townId,
      villageId: o.villageId,
      address: o.organisation,
      need: o.note,
      preferredTime: o.preferredDates,
      source: '网上',
      status: 'new',
      lecture,
      ...deadlines,
      createdAt: now,
    }),
    sql`INSERT INTO service_order_steps (order_id, at, kind, text) VALUES ((SELECT id FROM service_orders WHERE tracking_no = ${trackingNo}), ${now}, 'created', ${`网上预约普法讲座：${o.topic}`})`,
  ]);
  const [row] = await db.select({ id: serviceOrders.id }).from(serviceOrders).where(eq(serviceOrders.trackingNo, trackingNo));
  return { id: row.id, trackingNo };
}

/** Lecture orders for the console, newest first. */
export async function listLectureOrders(db: Db, f: { status?: string } = {}): Promise<LectureOrder[]> {
  const rows = await lectureRows(db)
    .where(and(IS_LECTURE, f.status ? eq(serviceOrders.status, f.status) : undefined))
    .orderBy(desc(serviceOrders.createdAt), desc(serviceOrders.id))
    .limit(200);
  return rows.map((r) => view(r.o, r.eventId == null ? null : Number(r.eventId)));
}

/** One lecture order by its service order id (undefined for any other order). */
export async function getLectureOrder(db: Db, id: number): Promise<LectureOrder | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const [r] = await lectureRows(db).where(and(eq(serviceOrders.id, id), IS_LECTURE));
  return r ? view(r.o, r.eventId == null ? null : Number(r.eventId)) : undefined;
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
    serviceOrderId: o.id,
    createdBy: userId,
    createdAt: now,
  };
}

/**
 * 派单 to a lecturer: the order is assigned to the lecturer and the 承办 team, and the lecture is
 * published as an event, in one guarded batch. An order scheduled straight from 待受理 counts as accepted now.
 */
export async function scheduleLecture(db: Db, user: SessionUser, id: number, s: LectureSchedule, now = Date.now()): Promise<number> {
  requireHandler(user);
  const o = await getLectureOrder(db, id);
  if (!o) throw new LectureError('NOT_FOUND', '点单不存在');
  if (!(s.endsAt > s.startsAt)) throw new LectureError('BAD_REQUEST', '结束时间应晚于开始时间', 'end');
  if (s.startsAt < now) throw new LectureError('BAD_REQUEST', '讲座时间不能早于现在', 'day');
  const far = eventTimeProblem(s.startsAt, '讲座时间', now); // the lecture becomes an event: same sane range
  if (far) throw new LectureError('BAD_REQUEST', far, 'day');
  await requirePublicText(db, { address: s.address }, { address: '讲座地点' });
  const lecturer = (await listLecturers(db)).find((l) => l.id === s.lecturerId);
  if (!lecturer) throw new LectureError('BAD_REQUEST', '请选择具有“法律”技能或“法律明白人”身份的主讲人', 'lecturerId');
  const [team] = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.id, s.teamId), eq(teams.status, 'active')));
  if (!team) throw new LectureError('BAD_REQUEST', '请选择承办队伍', 'teamId');
  const [village] = o.villageId ? await db.select({ name: regions.name }).from(regions).where(eq(regions.id, o.villageId)) : [];
  // Scheduled straight from 待受理, it is accepted now and its 派单 limit starts now (kept if accepted before).
  const dispatchBy = await dispatchDeadlineOf(db, id, now);
  const ok = await guardedWrite(
    db,
    sql`UPDATE service_orders SET status = 'assigned', team_id = ${s.teamId}, dispatch_mode = 'lecturer', dispatched_at = ${now}, accepted_at = coalesce(accepted_at, ${now}),
      dispatch_by = coalesce(dispatch_by, ${dispatchBy}),
      lecture = json_set(lecture, '$.lecturerId', ${s.lecturerId}, '$.handledBy', ${user.id})
      WHERE id = ${id} AND status IN ('new', 'accepted') AND ${IS_LECTURE}`,
    [
      db
        .insert(events)
        .values(lectureEventValues(o, s, lecturer.realName, village?.name ?? '', user.id, now, await publicTextOptions(db)))
        .returning({ id: events.id }),
      sql`INSERT INTO service_order_steps (order_id, at, kind, text) SELECT ${id}, ${now}, 'accepted', '县普法办已受理'
        WHERE NOT EXISTS (SELECT 1 FROM service_order_steps WHERE order_id = ${id} AND kind = 'accepted')`,
      sql`INSERT INTO service_order_steps (order_id, at, kind, text) VALUES (${id}, ${now}, 'assigned', ${`已安排主讲人，讲座时间 ${formatDateTime(s.startsAt)}`})`,
      auditStatement({ actorId: user.id, action: 'lecture.schedule', targetType: 'service_order', targetId: id, after: { lecturerId: s.lecturerId, teamId: s.teamId, startsAt: s.startsAt } }),
    ],
  );
  if (!ok) throw new LectureError('CONFLICT', '该点单已排期或已处理，请刷新');
  return Number(ok[1].rows[0].id);
}

/** Photos of one delivered lecture at most. */
export const MAX_LECTURE_PHOTOS = 12;

/**
 * Records delivery (办结): audience count (受教育人次) and optional photos; the event is marked completed.
 * The photos show residents, so they are private evidence for lecture staff (docs/decisions/076).
 */
export async function recordLectureDelivery(
  db: Db,
  user: SessionUser,
  id: number,
  d: { audience: number; photos?: { uploadsDir: string; files: { bytes: Uint8Array; name: string }[] } },
  now = Date.now(),
): Promise<void> {
  requireHandler(user);
  if (!Number.isInteger(d.audience) || d.audience < 1 || d.audience > 5000) throw new LectureError('BAD_REQUEST', '请填写实际听众人数（1–5000）', 'audience');
  const o = await getLectureOrder(db, id);
  if (!o) throw new LectureError('NOT_FOUND', '点单不存在');
  if (o.status !== 'assigned') throw new LectureError('CONFLICT', '只有已排期的讲座可以登记开讲情况');
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
    sql`UPDATE service_orders SET status = 'done', done_at = ${now},
      lecture = json_set(lecture, '$.audienceActual', ${d.audience}, '$.photoFileIds', json(${JSON.stringify(stored)}), '$.handledBy', ${user.id})
      WHERE id = ${id} AND status = 'assigned' AND ${IS_LECTURE}`,
    [
      sql`UPDATE events SET status = 'completed', updated_at = ${now} WHERE service_order_id = ${id} AND status = 'published'`,
      sql`INSERT INTO service_order_steps (order_id, at, kind, text) VALUES (${id}, ${now}, 'done', ${`讲座已开讲，听众 ${d.audience} 人，欢迎评价`})`,
      auditStatement({ actorId: user.id, action: 'lecture.deliver', targetType: 'service_order', targetId: id, after: { audience: d.audience, photos: stored.length } }),
    ],
  );
  if (!ok) {
    await discardPrivateFiles(db, dir, stored);
    throw new LectureError('CONFLICT', '只有已排期的讲座可以登记开讲情况');
  }
}

/** The order an old private rating link (/legal/rate/<token>, given before 0023) points to. */
export async function orderByRateToken(db: Db, token: string): Promise<LectureOrder | undefined> {
  if (!/^[a-z0-9]{20,64}$/.test(token)) return undefined;
  const [r] = await lectureRows(db).where(eq(serviceOrders.rateTokenHash, hashToken(token)));
  return r ? view(r.o, r.eventId == null ? null : Number(r.eventId)) : undefined;
}

/** The requester rates a delivered lecture once through the old private link; 1–2 stars ask staff to call back (回访). */
export async function rateLecture(db: Db, token: string, r: { rating: number; comment: string }, now = Date.now()): Promise<void> {
  if (!Number.isInteger(r.rating) || r.rating < 1 || r.rating > 5) throw new LectureError('BAD_REQUEST', '请选择 1–5 分', 'rating');
  const o = await orderByRateToken(db, token);
  if (!o) throw new LectureError('NOT_FOUND', '评价链接无效');
  if (o.status === 'rated') throw new LectureError('CONFLICT', '您已评价过这场讲座，谢谢！');
  if (o.status !== 'done') throw new LectureError('CONFLICT', '讲座开讲后才能评价');
  const revisit = r.rating <= 2 ? 1 : 0;
  const ok = await guardedWrite(
    db,
    sql`UPDATE service_orders SET status = 'rated', rating = ${r.rating}, rating_comment = ${r.comment.trim().slice(0, 500)}, rated_at = ${now}, revisit_due = ${revisit}
    WHERE id = ${o.id} AND status = 'done'`,
    [
      sql`INSERT INTO service_order_steps (order_id, at, kind, text) VALUES (${o.id}, ${now}, 'rated', ${`群众评价：${r.rating} 星${revisit ? '，工作人员将回访' : ''}`})`,
      auditStatement({ action: 'lecture.rate', targetType: 'service_order', targetId: o.id, after: { rating: r.rating } }),
    ],
  );
  if (!ok) throw new LectureError('CONFLICT', '您已评价过这场讲座，谢谢！');
}

/**
 * 场次 and 受教育人次 of delivered lectures by year, topic and 乡镇 (optionally one year), from stats_lectures:
 * kept by triggers in db/sql/stats.sql (docs/decisions/106), so /legal reads a few hundred rows, not every lecture.
 */
export async function lectureTotals(db: Db, f: { year?: number } = {}) {
  const where = f.year ? sql`WHERE year = ${String(f.year)}` : sql``;
  const sums = sql`sum(sessions) AS sessions, sum(audience) AS audience FROM stats_lectures ${where}`;
  const byYear = await db.all<{ year: string; sessions: number; audience: number }>(sql`SELECT year, ${sums} GROUP BY year HAVING sum(sessions) > 0 ORDER BY year DESC`);
  const byTopic = await db.all<{ topic: string | null; sessions: number; audience: number }>(
    sql`SELECT nullif(topic, '') AS topic, ${sums} GROUP BY topic HAVING sum(sessions) > 0 ORDER BY sessions DESC, topic`,
  );
  const byTown = await db.all<{ townId: number; town: string | null; sessions: number; audience: number }>(
    sql`SELECT town_id AS townId, (SELECT name FROM regions WHERE id = town_id) AS town, ${sums} GROUP BY town_id HAVING sum(sessions) > 0 ORDER BY sessions DESC, town_id`,
  );
  const num = <T extends { sessions: number; audience: number }>(rows: T[]) => rows.map((r) => ({ ...r, sessions: Number(r.sessions), audience: Number(r.audience) }));
  const total = num(byYear).reduce((a, r) => ({ sessions: a.sessions + r.sessions, audience: a.audience + r.audience }), { sessions: 0, audience: 0 });
  return {
    // '' is a lecture without a delivery date, which the old count grouped as NULL (year 0).
    byYear: num(byYear).map((r) => ({ ...r, year: Number(r.year || 0) })),
    byTopic: num(byTopic),
    byTown: num(byTown).map((r) => ({ ...r, townId: Number(r.townId) })),
    total,
  };
}

/** Recent delivered lectures for the public record (no personal data). */
export async function recentLectures(db: Db, limit = 10) {
  type Found = { id: number; topic: string; town_id: number; village_id: number; audience: number | null; done_at: number; rating: number | null; event_id: number | null };
  // Per lecture item (one or two), the newest delivered orders by service_orders_item_done, then the newest
  // `limit` of those: sorting every delivered order by date read 100,000 rows at scale 10 (issue 22). The
  // event is looked up for those rows only, by the order's own index: with statistics that rated
  // events_service_order unselective, SQLite read every published event per delivered lecture (9 s of CPU).
  const items = await db.all<{ id: number }>(sql`SELECT id FROM service_items WHERE kind = 'lecture'`);
  const found: Found[] = [];
  for (const item of items)
    found.push(
      ...(await db.all<Found>(
        sql`SELECT r.*, (SELECT max(e.id) FROM events e INDEXED BY events_service_order WHERE e.service_order_id = r.id AND e.status IN ('published', 'completed')) AS event_id
          FROM (SELECT o.id, json_extract(o.lecture, '$.topic') AS topic, o.town_id, o.village_id, json_extract(o.lecture, '$.audienceActual') AS audience, o.done_at, o.rating
            FROM service_orders o INDEXED BY service_orders_item_done WHERE o.item_id = ${Number(item.id)} AND o.status IN ('done', 'rated')
            ORDER BY o.done_at DESC, o.id DESC LIMIT ${limit}) r`,
      )),
    );
  const rows = found.sort((a, b) => Number(b.done_at ?? 0) - Number(a.done_at ?? 0) || Number(b.id) - Number(a.id)).slice(0, limit);
  return rows.map((r) => ({
    id: r.id,
    topic: r.topic,
    townId: r.town_id,
    villageId: r.village_id,
    audience: r.audience == null ? null : Number(r.audience),
    deliveredAt: r.done_at == null ? null : Number(r.done_at),
    rating: r.rating,
    eventId: r.event_id == null ? null : Number(r.event_id),
  }));
}
