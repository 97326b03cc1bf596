// /stats and home figures equal what direct SQL on the source tables says,
// including after hour records are inserted, confirmed, moved and deleted.
import { describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import { insertLectureOrder } from './publishing-helpers.ts';
import { hoursByMonth, volunteersByTown, eventsByCategory, honoreesByCategoryYear, lecturesByTopic, rebuildStats, lastMonths } from '../../src/domain/stats/index.ts';
import { homeFigures, publicityCandidates } from '../../src/domain/stats/home.ts';
import { fromShanghai } from '../../src/lib/time.ts';
import type { Db } from '../../db/client.ts';

const num = async (db: Db, sql: string, args: (string | number)[] = []) => Number((await db.$client.execute({ sql, args })).rows[0].n);

async function directMonthly(db: Db, month: string) {
  return num(db, `SELECT coalesce(sum(minutes), 0) AS n FROM hour_records WHERE status = 'confirmed' AND strftime('%Y-%m', starts_at / 1000 + 28800, 'unixepoch') = ?`, [month]);
}

describe('statistics', () => {
  test('lastMonths spans 24 calendar months ending now (Shanghai)', () => {
    const m = lastMonths(fromShanghai('2026-01-01', '00:30'));
    expect(m).toHaveLength(24);
    expect(m[0]).toBe('2024-02');
    expect(m[23]).toBe('2026-01');
  });

  test('every figure equals direct SQL on the demo county', async () => {
    const db = await freshDb({ seed: 'demo' });
    const now = Date.now();
    const hours = await hoursByMonth(db, now);
    expect(hours).toHaveLength(24);
    for (const r of hours) expect(r.minutes, r.month).toBe(await directMonthly(db, r.month));
    expect(hours.some((r) => r.minutes > 0)).toBe(true);

    const towns = await volunteersByTown(db);
    // 注册志愿者: active accounts that are not staff accounts (issue 18, item 15).
    const volunteers = await num(
      db,
      `SELECT count(*) AS n FROM users u WHERE u.status = 'active' AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('admin', 'editor', 'reviewer', 'shop_manager'))`,
    );
    expect(towns.reduce((a, r) => a + r.n, 0)).toBe(volunteers);
    const cats = await eventsByCategory(db);
    for (const c of cats) expect(c.n).toBe(await num(db, `SELECT count(*) AS n FROM events WHERE category = ? AND status IN ('published','completed')`, [c.category]));
    const hon = await honoreesByCategoryYear(db);
    expect(hon.rows.reduce((a, r) => a + r.n, 0)).toBe(await num(db, `SELECT count(*) AS n FROM honorees WHERE status = 'published'`));

    const fig = await homeFigures(db, now);
    expect(fig.minutes).toBe(await num(db, `SELECT coalesce(sum(minutes), 0) AS n FROM hour_records WHERE status = 'confirmed'`));
    expect(fig.volunteers).toBe(volunteers);
    expect(fig.teams).toBe(await num(db, `SELECT count(*) AS n FROM teams WHERE status = 'active'`));
    expect(fig.honorees).toBe(hon.rows.reduce((a, r) => a + r.n, 0));
  });

  test('monthly totals follow inserts, confirmations, edits and deletes', async () => {
    const db = await freshDb({ seed: 'demo' });
    const now = Date.now();
    const [{ id: userId }] = (await db.$client.execute(`SELECT id FROM users LIMIT 1`)).rows as unknown as { id: number }[];
    const [{ id: teamId }] = (await db.$client.execute(`SELECT id FROM teams LIMIT 1`)).rows as unknown as { id: number }[];
    const month = lastMonths(now)[23];
    const start = fromShanghai(`${month}-01`, '00:10'); // just after midnight Shanghai: UTC is the previous month
    const ins = await db.$client.execute({
      sql: `INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, status, created_at) VALUES (?, ?, 'claim', ?, ?, 90, 'pending', 0) RETURNING id`,
      args: [userId, teamId, start, start + 90 * 60000],
    });
    const id = Number(ins.rows[0].id);
    const at = async () => (await hoursByMonth(db, now))[23].minutes;
    expect(await at()).toBe(await directMonthly(db, month));
    await db.$client.execute({ sql: `UPDATE hour_records SET status = 'confirmed' WHERE id = ?`, args: [id] });
    expect(await at()).toBe(await directMonthly(db, month));
    await db.$client.execute({ sql: `UPDATE hour_records SET minutes = 120 WHERE id = ?`, args: [id] });
    expect(await at()).toBe(await directMonthly(db, month));
    await db.$client.execute({ sql: `UPDATE hour_records SET starts_at = starts_at - 40 * 86400000 WHERE id = ?`, args: [id] });
    expect(await at()).toBe(await directMonthly(db, month));
    const prev = lastMonths(now)[22];
    expect((await hoursByMonth(db, now))[22].minutes).toBe(await directMonthly(db, prev));
    await db.$client.execute({ sql: `DELETE FROM hour_records WHERE id = ?`, args: [id] });
    expect((await hoursByMonth(db, now))[22].minutes).toBe(await directMonthly(db, prev));
    const before = await hoursByMonth(db, now);
    await rebuildStats(db);
    expect(await hoursByMonth(db, now)).toEqual(before);
  });

  test('普法 lectures count delivered and rated orders, this year and in total; 公示 candidates listed', async () => {
    const db = await freshDb({ seed: 'base' });
    const now = Date.now();
    const thisYear = now - 1000;
    const lastYear = fromShanghai(`${new Date(now).getUTCFullYear() - 1}-06-01`);
    // Lecture orders are service orders of the lecture item (docs/decisions/101): done = 已开讲.
    const rows: [string, string, number, number][] = [
      ['反电信诈骗', 'done', 80, thisYear],
      ['反电信诈骗', 'rated', 40, thisYear],
      ['反电信诈骗', 'assigned', 99, thisYear],
      ['民法典', 'rated', 25, lastYear],
    ];
    let i = 0;
    for (const [topic, status, aud, at] of rows) await insertLectureOrder(db, { trackingNo: `T${i++}`, topic, status, audienceActual: aud, doneAt: at });
    const lec = await lecturesByTopic(db, now);
    expect(lec).toEqual([
      { topic: '反电信诈骗', sessions: 2, audience: 120, sessionsYear: 2, audienceYear: 120 },
      { topic: '民法典', sessions: 1, audience: 25, sessionsYear: 0, audienceYear: 0 },
    ]);
    const fig = await homeFigures(db, now);
    expect(fig.lecturesThisYear).toBe(2);
    expect(fig.audienceThisYear).toBe(120);

    await db.$client.execute(`INSERT INTO honor_batches (slug, title, period, status, publicity_ends_at, created_at) VALUES ('b1', '2026年第四季度', '2026Q4', 'publicity', ${now + 86400000}, 0)`);
    await db.$client.execute(`INSERT INTO honor_batches (slug, title, period, status, created_at) VALUES ('b0', '草稿批次', 'x', 'draft', 0)`);
    await db.$client.execute(`INSERT INTO honorees (slug, batch_id, name, category, level, summary, status, like_count, created_at) VALUES
      ('c1', (SELECT id FROM honor_batches WHERE slug = 'b1'), '王大妈', '助人为乐', '县', '事迹', 'candidate', 3, 0),
      ('c2', (SELECT id FROM honor_batches WHERE slug = 'b1'), '李大爷', '助人为乐', '县', '事迹', 'candidate', 9, 0),
      ('c3', (SELECT id FROM honor_batches WHERE slug = 'b0'), '不公示', '助人为乐', '县', '事迹', 'candidate', 0, 0)`);
    expect((await publicityCandidates(db)).map((c) => c.name)).toEqual(['李大爷', '王大妈']);
  });
});
