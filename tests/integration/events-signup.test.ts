// Sign-ups under contention and the rules around them, on a real libSQL file.
import { describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { insertEvent, insertTeam, insertUsers, labelledSignup } from '../helpers/events-fixtures.ts';
import { cancelSignup, signUp, SignupError } from '../../src/domain/events/signups.ts';
import type { Db } from '../../db/client.ts';

async function counts(db: Db, eventId: number) {
  const rs = await db.$client.execute({ sql: 'SELECT status, count(*) AS n FROM signups WHERE event_id = ? GROUP BY status', args: [eventId] });
  const out: Record<string, number> = {};
  for (const r of rs.rows) out[String(r.status)] = Number(r.n);
  const ev = await db.$client.execute({ sql: 'SELECT confirmed_count FROM events WHERE id = ?', args: [eventId] });
  return { ...out, confirmedCount: Number(ev.rows[0].confirmed_count) };
}

async function setup(opts: Parameters<typeof insertEvent>[2] = {}, n = 500) {
  const db = await freshDb({ seed: 'none' });
  const [leader] = await insertUsers(db, 1, { prefix: '151' });
  const teamId = await insertTeam(db, leader);
  const eventId = await insertEvent(db, teamId, opts);
  const users = n ? await insertUsers(db, n) : [];
  return { db, leader, teamId, eventId, users };
}

describe('500 parallel sign-ups for 20 seats', () => {
  test('with waitlist: exactly 20 confirmed, 480 waitlisted in arrival order, zero errors', async () => {
    const { db, eventId, users } = await setup({ capacity: 20, waitlist: true });
    const results = await Promise.allSettled(users.map((userId) => signUp(db, { eventId, userId })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const c = await counts(db, eventId);
    expect(c).toEqual({ confirmed: 20, waitlisted: 480, confirmedCount: 20 });
    // Arrival order: seq 1..500 with no gaps; the first 20 arrivals hold the seats.
    const rs = await db.$client.execute({ sql: 'SELECT status, seq FROM signups WHERE event_id = ? ORDER BY seq', args: [eventId] });
    expect(rs.rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(rs.rows.slice(0, 20).every((r) => r.status === 'confirmed')).toBe(true);
    expect(rs.rows.slice(20).every((r) => r.status === 'waitlisted')).toBe(true);
    // The returned statuses agree with the table, and the 21st arrival is 候补第1位.
    const byStatus = results.map((r) => (r as PromiseFulfilledResult<{ status: string }>).value.status);
    expect(byStatus.filter((s) => s === 'confirmed')).toHaveLength(20);
    const firstWait = await db.$client.execute({ sql: `SELECT user_id FROM signups WHERE event_id = ? AND seq = 21`, args: [eventId] });
    expect((await labelledSignup(db, eventId, Number(firstWait.rows[0].user_id)))?.label).toBe('候补第1位');
  });

  test('without waitlist: 20 confirmed, 480 refused with 名额已满', async () => {
    const { db, eventId, users } = await setup({ capacity: 20, waitlist: false });
    const results = await Promise.allSettled(users.map((userId) => signUp(db, { eventId, userId })));
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(refused).toHaveLength(480);
    expect(refused.every((r) => r.reason instanceof SignupError && r.reason.message === '名额已满')).toBe(true);
    expect(await counts(db, eventId)).toEqual({ confirmed: 20, confirmedCount: 20 });
  });
});

describe('one sign-up per volunteer', () => {
  test('the same volunteer pressing twice in parallel gets one row', async () => {
    const { db, eventId, users } = await setup({ capacity: 5 }, 1);
    const [a, b] = await Promise.all([signUp(db, { eventId, userId: users[0] }), signUp(db, { eventId, userId: users[0] })]);
    expect(a.id).toBe(b.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await counts(db, eventId)).toEqual({ confirmed: 1, confirmedCount: 1 });
  });
});

describe('overlap, cancellation, promotion', () => {
  test('a confirmed sign-up overlapping another confirmed event is refused, naming it', async () => {
    const { db, teamId, eventId, users } = await setup({ title: '河道清洁', startsAt: Date.now() + 86400_000 * 3 }, 1);
    const other = await insertEvent(db, teamId, { title: '夜间巡防', startsAt: Date.now() + 86400_000 * 3 + 3600_000 });
    await signUp(db, { eventId, userId: users[0] });
    await expect(signUp(db, { eventId: other, userId: users[0] })).rejects.toThrow('与您已报名的活动“河道清洁”时间冲突');
    const later = await insertEvent(db, teamId, { title: '次日活动', startsAt: Date.now() + 86400_000 * 4 });
    expect((await signUp(db, { eventId: later, userId: users[0] })).status).toBe('confirmed');
  });

  test('cancelling frees the seat for the first waitlisted volunteer, who is notified', async () => {
    const { db, eventId, users } = await setup({ capacity: 1 }, 3);
    const [a, b, c] = users;
    expect((await signUp(db, { eventId, userId: a })).status).toBe('confirmed');
    expect((await signUp(db, { eventId, userId: b })).status).toBe('waitlisted');
    expect((await signUp(db, { eventId, userId: c })).status).toBe('waitlisted');
    expect((await labelledSignup(db, eventId, c))?.label).toBe('候补第2位');
    // Each sign-up's notice was written in its own batch, with the position at that moment.
    const joined = await db.$client.execute({ sql: `SELECT user_id, kind, body FROM notices WHERE user_id IN (?, ?, ?) AND kind LIKE 'signup.%' ORDER BY id`, args: [a, b, c] });
    expect(joined.rows.map((r) => [Number(r.user_id), r.kind])).toEqual([
      [a, 'signup.confirmed'],
      [b, 'signup.waitlisted'],
      [c, 'signup.waitlisted'],
    ]);
    expect(String(joined.rows[1].body)).toContain('候补第 1 位');
    expect(String(joined.rows[2].body)).toContain('候补第 2 位');
    const res = await cancelSignup(db, { eventId, userId: a });
    expect(res.lateCancel).toBe(false);
    expect(res.promotedUserId).toBe(b);
    expect((await labelledSignup(db, eventId, b))?.label).toBe('已报名');
    expect((await labelledSignup(db, eventId, c))?.label).toBe('候补第1位');
    expect((await labelledSignup(db, eventId, a))?.label).toBe('已取消');
    const n = await db.$client.execute({ sql: `SELECT title FROM notices WHERE user_id = ? AND kind = 'signup.promoted'`, args: [b] });
    expect(n.rows.map((r) => r.title)).toEqual(['候补成功：测试活动']);
    expect(await counts(db, eventId)).toEqual({ confirmed: 1, waitlisted: 1, cancelled: 1, confirmedCount: 1 });
    // Signing up again after cancelling re-joins at the back of the queue.
    expect((await signUp(db, { eventId, userId: a })).status).toBe('waitlisted');
    expect((await labelledSignup(db, eventId, a))?.label).toBe('候补第2位');
  });

  test('cancelling within 24 h is flagged and the leader is told', async () => {
    const { db, leader, eventId, users } = await setup({ capacity: 3, startsAt: Date.now() + 5 * 3600_000 }, 1);
    await signUp(db, { eventId, userId: users[0] });
    expect((await cancelSignup(db, { eventId, userId: users[0] })).lateCancel).toBe(true);
    const row = await db.$client.execute({ sql: 'SELECT late_cancel FROM signups WHERE event_id = ?', args: [eventId] });
    expect(Number(row.rows[0].late_cancel)).toBe(1);
    const n = await db.$client.execute({ sql: `SELECT kind FROM notices WHERE user_id = ?`, args: [leader] });
    expect(n.rows.map((r) => r.kind)).toContain('signup.late_cancel');
  });

  test('no cancellation and no promotion after the start', async () => {
    const { db, eventId, users } = await setup({ capacity: 1, startsAt: Date.now() + 3600_000 }, 2);
    await signUp(db, { eventId, userId: users[0] });
    await signUp(db, { eventId, userId: users[1] });
    const later = Date.now() + 2 * 3600_000;
    await expect(cancelSignup(db, { eventId, userId: users[0] }, later)).rejects.toThrow('活动已开始');
  });

  test('the database itself refuses a seat beyond capacity', async () => {
    const { db, eventId, users } = await setup({ capacity: 1 }, 2);
    await signUp(db, { eventId, userId: users[0] });
    await expect(db.$client.execute({ sql: `INSERT INTO signups (event_id, user_id, status, seq, created_at) VALUES (?, ?, 'confirmed', 99, 0)`, args: [eventId, users[1]] })).rejects.toThrow(
      /event_capacity_exceeded/,
    );
  });
});

describe('eligibility', () => {
  test.each([
    ['a minor for a dangerous event', { dangerous: true, insurance: 'PICC-2026-001' }, { birthDate: '2012-01-01' }, '未满 18 周岁'],
    ['someone below the minimum age', { minAge: 16 }, { birthDate: '2014-01-01' }, '年满 16 周岁'],
    ['a non-member for a members-only event', { membersOnly: true }, {}, '仅限本队队员'],
    ['someone without the required skill', { skill: '急救' }, { skills: ['法律'] }, '“急救”技能'],
  ])('refuses %s', async (_t, ev, user, msg) => {
    const { db, eventId } = await setup(ev as Parameters<typeof insertEvent>[2], 0);
    const [u] = await insertUsers(db, 1, user as { birthDate?: string; skills?: string[] });
    await expect(signUp(db, { eventId, userId: u, secretKey: TEST_KEY })).rejects.toThrow(msg);
  });

  test('an adult with the skill signs up for a dangerous event', async () => {
    const { db, eventId } = await setup({ dangerous: true, insurance: 'PICC-2026-001', skill: '急救' }, 0);
    const [u] = await insertUsers(db, 1, { birthDate: '1985-03-03', skills: ['急救'] });
    expect((await signUp(db, { eventId, userId: u, secretKey: TEST_KEY })).status).toBe('confirmed');
  });

  test('a draft event refuses sign-ups', async () => {
    const { db, eventId, users } = await setup({ status: 'draft' }, 1);
    await expect(signUp(db, { eventId, userId: users[0] })).rejects.toThrow('未开放报名');
  });
});
