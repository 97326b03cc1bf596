// Points for named events (issue 21, docs/decisions/103): 上榜好人榜 for an honoree linked to an account, and a
// 五星 rating of a delivered service order for whoever delivered it. Each grant happens once (a unique key on
// its source), is reversed by a compensating entry when the honoree is withdrawn, and the amounts come from
// the county's settings. Triggers, so every path that publishes, withdraws or rates is covered.
import { beforeEach, describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { setSetting } from '../../src/domain/settings/index.ts';
import { rateOrder } from '../../src/domain/orders/index.ts';
import { pointsBalance, pointsEntries } from '../../src/domain/points/ledger.ts';
import { count, makeUser } from './hours-fixtures.ts';

let db: Db & { url: string };
let person: number;
let leader: number;

async function one(q: string, args: (string | number | null)[] = []): Promise<Record<string, unknown>> {
  return (await db.$client.execute({ sql: q, args })).rows[0] as Record<string, unknown>;
}

async function honoree(userId: number | null, slug = 'he-siyuan'): Promise<number> {
  return Number(
    (
      await one(`INSERT INTO honorees (slug, name, category, level, summary, user_id, status, created_at) VALUES (?, '何思远', '助人为乐', '县', '照顾独居老人三年', ?, 'candidate', 1) RETURNING id`, [
        slug,
        userId,
      ])
    ).id,
  );
}

const setStatus = (id: number, status: string) => db.$client.execute({ sql: `UPDATE honorees SET status = ? WHERE id = ?`, args: [status, id] });

/** A service order, done: by a 微心愿 volunteer (claimedBy) or by a team whose leader closed it (the order.done audit row). */
async function doneOrder(no: string, opts: { claimedBy?: number; closedBy?: number }): Promise<void> {
  const id = Number(
    (
      await one(
        `INSERT INTO service_orders (tracking_no, item_id, requester_name, requester_phone, town_id, village_id, address, need, status, claimed_by_user, done_at, created_at)
         VALUES (?, 1, '王大妈', '13800001234', 1, 1, '白鹤村 3 组', '换灯泡', 'done', ?, 1, 1) RETURNING id`,
        [no, opts.claimedBy ?? null],
      )
    ).id,
  );
  if (opts.closedBy) {
    await db.$client.execute({ sql: `INSERT INTO audit_log (at, actor_id, action, target_type, target_id) VALUES (1, ?, 'order.done', 'service_order', ?)`, args: [opts.closedBy, String(id)] });
  }
}

beforeEach(async () => {
  db = await freshDb();
  person = await makeUser(db, '何思远');
  leader = await makeUser(db, '李队长');
});

describe('上榜好人榜', () => {
  test('publishing an honoree linked to an account grants the county amount once; withdrawing reverses it by a compensating entry', async () => {
    await setSetting(db, 'pointsForHonor', 80);
    const h = await honoree(person);
    await setStatus(h, 'published');
    expect(await pointsBalance(db, person)).toBe(80);
    expect((await pointsEntries(db, person))[0]).toMatchObject({ amount: 80, reason: '上榜好人榜' });
    // Published again (any path touching the status) grants nothing more.
    await db.$client.execute({ sql: `UPDATE honorees SET status = 'published', summary = '改' WHERE id = ?`, args: [h] });
    expect(await pointsBalance(db, person)).toBe(80);
    expect(await count(db, `points_grants WHERE source_type = 'honoree' AND source_id = ?`, [h])).toBe(1);
    // The unique key holds even against a direct second insert.
    await expect(db.$client.execute({ sql: `INSERT INTO points_grants (source_type, source_id, user_id, amount, created_at) VALUES ('honoree', ?, ?, 80, 1)`, args: [h, person] })).rejects.toThrow(
      /UNIQUE/,
    );
    await setStatus(h, 'withdrawn');
    expect(await pointsBalance(db, person)).toBe(0);
    expect((await pointsEntries(db, person)).map((e) => e.amount)).toEqual([-80, 80]);
    expect(await one(`SELECT status FROM points_grants WHERE source_id = ?`, [h])).toMatchObject({ status: 'reversed' });
    expect(await count(db, `audit_log WHERE action = 'points.grant' AND target_id = ?`, [String(h)])).toBe(1);
    expect(await count(db, `audit_log WHERE action = 'points.grant.reverse' AND target_id = ?`, [String(h)])).toBe(1);
    // Withdrawing twice reverses nothing more.
    await setStatus(h, 'withdrawn');
    expect(await pointsBalance(db, person)).toBe(0);
  });

  test('an honoree without an account earns nothing; linking the account of a published honoree grants to it', async () => {
    const h = await honoree(null);
    await setStatus(h, 'published');
    expect(await count(db, `points_entries`)).toBe(0);
    await db.$client.execute({ sql: `UPDATE honorees SET user_id = ? WHERE id = ?`, args: [person, h] });
    expect(await pointsBalance(db, person)).toBe(50);
  });
});

describe('五星 rating of a service order', () => {
  test('a 微心愿 rated five stars earns its volunteer the county amount, once; a team order earns the leader who closed it', async () => {
    await setSetting(db, 'pointsForFiveStar', 15);
    await doneOrder('DD-2026-000001', { claimedBy: person });
    await rateOrder(db, { secretKey: TEST_KEY, number: 'DD-2026-000001', digits: '1234', rating: 5, comment: '很满意' });
    expect(await pointsBalance(db, person)).toBe(15);
    expect((await pointsEntries(db, person))[0]).toMatchObject({ amount: 15, reason: '服务点单获群众五星评价' });
    await doneOrder('DD-2026-000002', { closedBy: leader });
    await rateOrder(db, { secretKey: TEST_KEY, number: 'DD-2026-000002', digits: '1234', rating: 5, comment: '' });
    expect(await pointsBalance(db, leader)).toBe(15);
    // A second rating is refused by the order itself; the grant stays one.
    await expect(rateOrder(db, { secretKey: TEST_KEY, number: 'DD-2026-000002', digits: '1234', rating: 5, comment: '' })).rejects.toMatchObject({ status: 'CONFLICT' });
    expect(await count(db, `points_grants WHERE source_type = 'order_rating'`)).toBe(2);
  });

  test('four stars earn nothing; a five-star rating taken back is reversed by a compensating entry', async () => {
    await doneOrder('DD-2026-000003', { claimedBy: person });
    await rateOrder(db, { secretKey: TEST_KEY, number: 'DD-2026-000003', digits: '1234', rating: 4, comment: '' });
    expect(await pointsBalance(db, person)).toBe(0);
    await db.$client.execute(`UPDATE service_orders SET rating = 5 WHERE tracking_no = 'DD-2026-000003'`);
    expect(await pointsBalance(db, person)).toBe(10);
    await db.$client.execute(`UPDATE service_orders SET rating = 3 WHERE tracking_no = 'DD-2026-000003'`);
    expect(await pointsBalance(db, person)).toBe(0);
    expect((await pointsEntries(db, person)).map((e) => e.amount)).toEqual([-10, 10]);
  });
});

test('the county sets the amounts on the settings page: audited, bad values refused at their field, new grants use them', async () => {
  const { savePointsRates } = await import('../../src/domain/settings/points-rates.ts');
  const admin = await makeUser(db, '周管理');
  const rates = { pointsPerHour: 12, pointsCapPerRecord: 80, pointsForHonor: 30, pointsForFiveStar: 5 };
  await expect(savePointsRates(db, admin, { ...rates, pointsForHonor: -1 })).rejects.toMatchObject({ field: 'pointsForHonor' });
  expect(await count(db, `settings WHERE key = 'pointsForHonor'`)).toBe(0);
  await savePointsRates(db, admin, rates);
  const row = await one(`SELECT before, after FROM audit_log WHERE action = 'settings.points' AND actor_id = ?`, [admin]);
  expect(JSON.parse(String(row.before))).toMatchObject({ pointsForHonor: 50 });
  expect(JSON.parse(String(row.after))).toEqual(rates);
  const h = await honoree(person);
  await setStatus(h, 'published');
  expect(await pointsBalance(db, person)).toBe(30);
});
