// Migration 0023 (docs/decisions/101): every lecture order of the old lecture_orders table becomes a service
// order of the 普法讲座 item with nothing lost — its PF number still tracks on /track, its private rating
// link still works, its event still finds it, its dates become timeline steps — and /legal's 场次 and
// 受教育人次 (and those on /stats and the home page) are the same numbers before and after.
import { beforeAll, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { sql } from 'drizzle-orm';
import { openDb, type Db } from '../../db/client.ts';
import { migrateDb, migrationsFolder } from '../../db/migrate.ts';
import { TEST_KEY } from '../helpers/db.ts';
import { getLectureOrder, lectureTotals, orderByRateToken, rateLecture } from '../../src/domain/legal/lectures.ts';
import { lecturesByTopic } from '../../src/domain/stats/index.ts';
import { homeFigures } from '../../src/domain/stats/home.ts';
import { orderSteps } from '../../src/domain/orders/index.ts';
import { trackNumber } from '../../src/domain/tracking/index.ts';
import { fromShanghai } from '../../src/lib/time.ts';

const DAY = 86400_000;
const token = (n: number) => `tok${String(n).padStart(29, '0')}`;
const hash = (t: string) => createHash('sha256').update(t).digest('hex');

interface Old {
  id: number;
  tracking_no: string;
  requester_name: string;
  requester_phone: string;
  organisation: string | null;
  topic: string;
  town_id: number;
  village_id: number;
  audience_expected: number;
  preferred_dates: string;
  note: string | null;
  status: string;
  lecturer_id: number | null;
  event_id: number | null;
  audience_actual: number | null;
  delivered_at: number | null;
  rating: number | null;
  rating_comment: string | null;
  rate_token_hash: string | null;
  rated_at: number | null;
  photo_file_ids: string;
  handled_by: number | null;
  decline_reason: string | null;
  created_at: number;
}

let db: Db;
let old: Old[];
let auditAt: Record<string, number>;
let before: { totals: unknown; byTopic: unknown; home: unknown };
const now = Date.now();

/** The figures as the code before 0023 computed them from lecture_orders (src/domain/legal/lectures.ts, stats). */
async function oldFigures(d: Db) {
  const yearStart = fromShanghai(`${new Date(now + 8 * 3600_000).getUTCFullYear()}-01-01`);
  const year = sql`strftime('%Y', (delivered_at / 1000) + 8 * 3600, 'unixepoch')`;
  const where = sql`status IN ('delivered', 'rated')`;
  const byYear = await d.all<{ year: string; sessions: number; audience: number }>(
    sql`SELECT ${year} AS year, count(*) AS sessions, coalesce(sum(audience_actual), 0) AS audience FROM lecture_orders WHERE ${where} GROUP BY ${year} ORDER BY ${year} DESC`,
  );
  const byTopic = await d.all<{ topic: string; sessions: number; audience: number }>(
    sql`SELECT topic, count(*) AS sessions, coalesce(sum(audience_actual), 0) AS audience FROM lecture_orders WHERE ${where} GROUP BY topic ORDER BY sessions DESC, topic`,
  );
  const byTown = await d.all<{ townId: number; town: string; sessions: number; audience: number }>(
    sql`SELECT l.town_id AS townId, r.name AS town, count(*) AS sessions, coalesce(sum(l.audience_actual), 0) AS audience FROM lecture_orders l LEFT JOIN regions r ON r.id = l.town_id
      WHERE ${where} GROUP BY l.town_id ORDER BY sessions DESC, l.town_id`,
  );
  const byTopicStats = await d.all<{ topic: string; sessions: number; audience: number; sy: number; ay: number }>(
    sql`SELECT topic, count(*) AS sessions, coalesce(sum(audience_actual), 0) AS audience, sum(CASE WHEN delivered_at >= ${yearStart} THEN 1 ELSE 0 END) AS sy,
      coalesce(sum(CASE WHEN delivered_at >= ${yearStart} THEN audience_actual ELSE 0 END), 0) AS ay FROM lecture_orders WHERE ${where} GROUP BY topic ORDER BY sessions DESC, topic`,
  );
  const n = <T extends object>(rows: T[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'topic' || k === 'town' ? v : Number(v)])));
  const total = byYear.reduce((a, r) => ({ sessions: a.sessions + Number(r.sessions), audience: a.audience + Number(r.audience) }), { sessions: 0, audience: 0 });
  return {
    totals: { byYear: n(byYear), byTopic: n(byTopic), byTown: n(byTown), total },
    byTopic: byTopicStats.map((r) => ({ topic: r.topic, sessions: Number(r.sessions), audience: Number(r.audience), sessionsYear: Number(r.sy), audienceYear: Number(r.ay) })),
    home: { lecturesThisYear: byTopicStats.reduce((a, r) => a + Number(r.sy), 0), audienceThisYear: byTopicStats.reduce((a, r) => a + Number(r.ay), 0) },
  };
}

beforeAll(async () => {
  // A database as it was at migration 0020, holding lecture orders in every old state.
  const root = mkdtempSync(join(tmpdir(), 'shanxing-legal-'));
  const folder = join(root, 'migrations');
  cpSync(migrationsFolder, folder, { recursive: true });
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= 20);
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  db = await openDb({ url: `file:${join(root, 'old.db')}` });
  await migrate(db, { migrationsFolder: folder });
  const run = async (q: string, args: (string | number | null)[] = []) => (await db.$client.execute({ sql: q, args })).rows;
  const id = async (q: string, args: (string | number | null)[]) => Number((await run(`${q} RETURNING id`, args))[0].id);
  const towns = [
    await id(`INSERT INTO regions (code, name, level, kind) VALUES ('t1', '城关镇', 'town', '镇')`, []),
    await id(`INSERT INTO regions (code, name, level, kind) VALUES ('t2', '河坝乡', 'town', '乡')`, []),
  ];
  const villages = [
    await id(`INSERT INTO regions (code, name, level, kind, parent_id) VALUES ('v1', '田坝村', 'village', '村', ?)`, [towns[0]]),
    await id(`INSERT INTO regions (code, name, level, kind, parent_id) VALUES ('v2', '河东社区', 'village', '社区', ?)`, [towns[1]]),
  ];
  const lecturer = await id(
    `INSERT INTO users (phone, real_name, id_type, id_number_masked, volunteer_no, created_at) VALUES ('13900000001', '李律师', '居民身份证', '5101**********123X', 'V1', 0)`,
    [],
  );
  const editor = await id(
    `INSERT INTO users (phone, real_name, id_type, id_number_masked, volunteer_no, created_at) VALUES ('13900000002', '林编辑', '居民身份证', '5101**********124X', 'V2', 0)`,
    [],
  );
  const team = await id(`INSERT INTO teams (slug, name, status, leader_name, contact_phone, created_at) VALUES ('lawyers', '律师服务团', 'active', '队长甲', '0838-7654321', 0)`, []);
  const lastYear = fromShanghai(`${new Date(now + 8 * 3600_000).getUTCFullYear() - 1}-06-15`, '10:00');
  const plan: [string, string, number, number | null, number | null, string][] = [
    // status, topic, town index, audience, rating, organisation
    ['new', '宪法', 0, null, null, ''],
    ['accepted', '禁毒', 1, null, null, '河东社区居委会'],
    ['scheduled', '民法典', 0, null, null, '田坝村村委会'],
    ['delivered', '反电信诈骗', 0, 86, null, '田坝村村委会'],
    ['delivered', '反电信诈骗', 1, 40, null, ''],
    ['rated', '民法典', 1, 64, 4, '中心小学'],
    ['rated', '婚姻家庭', 0, 45, 1, '妇女之家'],
    ['declined', '国家安全', 1, null, null, ''],
  ];
  auditAt = {};
  for (const [i, [status, topic, t, audience, rating, org]] of plan.entries()) {
    const created = i === 5 ? lastYear - 20 * DAY : now - (60 - i * 5) * DAY + i * 1000;
    const delivered = status === 'delivered' || status === 'rated' ? (i === 5 ? lastYear : created + 10 * DAY) : null;
    let eventId: number | null = null;
    if (['scheduled', 'delivered', 'rated'].includes(status))
      eventId = await id(`INSERT INTO events (team_id, title, category, starts_at, ends_at, capacity, status, created_at) VALUES (?, ?, '普法讲座', ?, ?, 80, ?, ?)`, [
        team,
        `普法讲座：${topic}`,
        delivered ?? created + 12 * DAY,
        (delivered ?? created + 12 * DAY) + 5400_000,
        status === 'scheduled' ? 'published' : 'completed',
        created,
      ]);
    const lid = await id(
      `INSERT INTO lecture_orders (tracking_no, requester_name, requester_phone, organisation, topic, town_id, village_id, audience_expected, preferred_dates, note, status, lecturer_id, event_id,
        audience_actual, delivered_at, rating, rating_comment, rate_token_hash, rated_at, photo_file_ids, handled_by, decline_reason, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        `PF2026110${i}AB${i}C`,
        `联系人${i}`,
        `1381234${String(5000 + i)}`,
        org || null,
        topic,
        towns[t],
        villages[t],
        30 + i * 10,
        `${i + 1}月上旬`,
        i % 2 ? `备注${i}` : null,
        status,
        eventId ? lecturer : null,
        eventId,
        audience,
        delivered,
        rating,
        rating ? `评价${i}` : null,
        hash(token(i)),
        rating ? (delivered ?? 0) + DAY : null,
        delivered ? JSON.stringify([100 + i, 200 + i]) : '[]',
        status === 'new' ? null : editor,
        status === 'declined' ? '讲师档期已满' : null,
        created,
      ],
    );
    if (eventId) await run('UPDATE events SET lecture_order_id = ? WHERE id = ?', [lid, eventId]);
    // Staff actions were dated only in the audit log; the fourth order (delivered) has no audit rows at all.
    if (status !== 'new' && i !== 3) {
      const accept = created + 3600_000;
      auditAt[`${lid}:accept`] = accept;
      await run(`INSERT INTO audit_log (at, actor_id, action, target_type, target_id) VALUES (?, ?, ?, 'lecture_order', ?)`, [
        accept,
        editor,
        status === 'declined' ? 'lecture.decline' : 'lecture.accept',
        String(lid),
      ]);
      if (eventId) {
        auditAt[`${lid}:schedule`] = created + 2 * DAY;
        await run(`INSERT INTO audit_log (at, actor_id, action, target_type, target_id) VALUES (?, ?, 'lecture.schedule', 'lecture_order', ?)`, [created + 2 * DAY, editor, String(lid)]);
      }
    }
  }
  old = (await run('SELECT * FROM lecture_orders ORDER BY id')).map((r) => ({ ...r }) as unknown as Old);
  before = await oldFigures(db);
  // Now this code base's migrations (0023 among them) and SQL scripts.
  await migrateDb(db);
}, 60_000);

const byNumber = async (no: string) => (await db.$client.execute({ sql: 'SELECT * FROM service_orders WHERE tracking_no = ?', args: [no] })).rows[0];
const STATUS: Record<string, string> = { new: 'new', accepted: 'accepted', scheduled: 'assigned', delivered: 'done', rated: 'rated', declined: 'rejected' };

describe('migration 0023: lecture orders become service orders', () => {
  test('the old table is gone and every order arrived as an order of the 普法讲座 item in 法律服务', async () => {
    expect((await db.$client.execute("SELECT count(*) AS n FROM sqlite_master WHERE name = 'lecture_orders'")).rows[0].n).toBe(0);
    const items = (await db.$client.execute('SELECT o.tracking_no, i.kind, i.category FROM service_orders o JOIN service_items i ON i.id = o.item_id WHERE o.lecture IS NOT NULL')).rows;
    expect(items).toHaveLength(old.length);
    expect(items.every((r) => r.kind === 'lecture' && r.category === '法律服务')).toBe(true);
  });

  test('every field of every row arrived', async () => {
    for (const o of old) {
      const n = await byNumber(o.tracking_no);
      const lecture = JSON.parse(String(n.lecture));
      expect(n, o.tracking_no).toMatchObject({
        requester_name: o.requester_name,
        requester_phone: o.requester_phone,
        town_id: o.town_id,
        village_id: o.village_id,
        address: o.organisation ?? '',
        need: o.note ?? '',
        preferred_time: o.preferred_dates,
        status: STATUS[o.status],
        reject_reason: o.decline_reason,
        rating: o.rating,
        rating_comment: o.rating_comment,
        rate_token_hash: o.rate_token_hash,
        rated_at: o.rated_at,
        done_at: o.delivered_at,
        created_at: o.created_at,
        source: '网上',
        revisit_due: 0,
      });
      expect(lecture, o.tracking_no).toEqual({
        topic: o.topic,
        audienceType: '',
        audienceExpected: o.audience_expected,
        audienceActual: o.audience_actual,
        organisation: o.organisation,
        lecturerId: o.lecturer_id,
        photoFileIds: JSON.parse(o.photo_file_ids),
        handledBy: o.handled_by,
        legacyId: o.id,
      });
      // The event of the lecture now names the service order; the order page finds it.
      if (o.event_id) {
        // 0023 pointed lecture_order_id at the service order; 0027 moved it to the one link, service_order_id.
        const ev = (await db.$client.execute({ sql: 'SELECT service_order_id, team_id FROM events WHERE id = ?', args: [o.event_id] })).rows[0];
        expect(ev.service_order_id).toBe(n.id);
        expect(n).toMatchObject({ team_id: ev.team_id, dispatch_mode: 'lecturer' });
        expect((await getLectureOrder(db, Number(n.id)))?.eventId).toBe(o.event_id);
      }
    }
  });

  test('staff dates come from the audit log and become dated timeline steps; an order without audit rows takes its own time', async () => {
    for (const o of old) {
      const n = await byNumber(o.tracking_no);
      const steps = await orderSteps(db, Number(n.id));
      expect(steps[0]).toMatchObject({ kind: 'created', at: o.created_at, text: `网上预约普法讲座：${o.topic}` });
      const accept = auditAt[`${o.id}:accept`];
      if (o.status === 'new' || o.status === 'declined') expect(n.accepted_at).toBeNull();
      else expect(n.accepted_at).toBe(accept ?? o.created_at);
      if (o.event_id) expect(n.dispatched_at).toBe(auditAt[`${o.id}:schedule`] ?? o.created_at);
      const kinds = steps.map((s) => s.kind);
      const expected = [
        'created',
        ...(n.accepted_at ? ['accepted'] : []),
        ...(o.event_id ? ['assigned'] : []),
        ...(o.status === 'declined' ? ['rejected'] : []),
        ...(o.delivered_at ? ['done'] : []),
        ...(o.rated_at ? ['rated'] : []),
      ];
      expect(kinds, o.tracking_no).toEqual(expected);
      if (o.status === 'declined') expect(steps.at(-1)).toMatchObject({ at: accept, text: '未能安排：讲师档期已满' });
      if (o.delivered_at) expect(steps.find((s) => s.kind === 'done')).toMatchObject({ at: o.delivered_at, text: `讲座已开讲，听众 ${o.audience_actual} 人，欢迎评价` });
      if (o.rated_at) expect(steps.find((s) => s.kind === 'rated')).toMatchObject({ at: o.rated_at, text: `群众评价：${o.rating} 星` });
    }
  });

  test('/legal, /stats and the home page show the same 场次 and 受教育人次 as before', async () => {
    const after = await lectureTotals(db);
    expect(after).toEqual(before.totals);
    expect(after.total).toEqual({ sessions: 4, audience: 86 + 40 + 64 + 45 });
    expect(await lecturesByTopic(db, now)).toEqual(before.byTopic);
    const home = await homeFigures(db, now);
    expect({ lecturesThisYear: home.lecturesThisYear, audienceThisYear: home.audienceThisYear }).toEqual(before.home);
  });

  test('a resident’s old PF number still tracks with the last four digits, and the old rating link still rates', async () => {
    const o = old.find((x) => x.status === 'delivered')!;
    const t = await trackNumber(db, { number: o.tracking_no, digits: o.requester_phone.slice(-4), ip: '198.51.100.7', secretKey: TEST_KEY });
    expect(t).toMatchObject({ kind: '普法讲座预约', subject: `讲座主题：${o.topic}`, rateable: true });
    expect(t!.timeline[0].text).toBe(`网上预约普法讲座：${o.topic}`);
    const i = old.indexOf(o);
    expect((await orderByRateToken(db, token(i)))?.trackingNo).toBe(o.tracking_no);
    await rateLecture(db, token(i), { rating: 5, comment: '很好' });
    expect(await byNumber(o.tracking_no)).toMatchObject({ status: 'rated', rating: 5 });
  });
});
