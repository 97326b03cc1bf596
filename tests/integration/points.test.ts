// 文明积分 and the 积分超市 (issue 21): points earned from confirmed hours and reversed on correction, an
// append-only ledger whose balance the database keeps, and a shop that never oversells, never overdraws
// and uses a pickup code once — under hundreds of parallel requests.
import { beforeEach, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { openDb, type Db } from '../../db/client.ts';
import { fromShanghai } from '../../src/lib/time.ts';
import { setSetting } from '../../src/domain/settings/index.ts';
import { claimHours } from '../../src/domain/hours/claims.ts';
import { confirmRecords, declineRecord } from '../../src/domain/hours/review.ts';
import { acceptCorrection, requestCorrection } from '../../src/domain/hours/corrections.ts';
import { pointsBalance, pointsEntries } from '../../src/domain/points/ledger.ts';
import { cancelOrder, expireOrders, handOver, redeem } from '../../src/domain/points/shop.ts';
import { PointsError } from '../../src/domain/points/errors.ts';
import { addItem, changeStock } from '../../src/domain/points/catalogue.ts';
import { pointsByMonthAndPlace, topItems } from '../../src/domain/points/stats.ts';
import { addMember, count, makeTeam, makeUser } from './hours-fixtures.ts';

const NOW = fromShanghai('2026-06-15', '20:00');
const DAY = 86_400_000;

let db: Db & { url: string };
let team: number;
let leader: number;
let vol: number;
let manager: number;
let shop: number;
let recordSeq = 0;

async function one(q: string, args: (string | number)[] = []): Promise<Record<string, unknown>> {
  return (await db.$client.execute({ sql: q, args })).rows[0] as Record<string, unknown>;
}

/** A confirmed record of `minutes` for `userId` (each at its own hour, so they never overlap): the trigger grants its points. */
async function confirmedHours(userId: number, minutes: number): Promise<number> {
  recordSeq++;
  const starts = fromShanghai('2025-01-01') + recordSeq * 13 * 3_600_000;
  const rs = await db.$client.execute({
    sql: `INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, status, reviewer_id, reviewed_at, created_at)
          VALUES (?, ?, 'leader', ?, ?, ?, 'confirmed', ?, ?, ?) RETURNING id`,
    args: [userId, team, starts, starts + minutes * 60_000, minutes, leader, NOW, NOW],
  });
  return Number(rs.rows[0].id);
}

async function makeItem(price: number, stock: number, monthlyLimit = 0, name = '洗衣液'): Promise<number> {
  const rs = await db.$client.execute({
    sql: `INSERT INTO shop_items (shop_id, name, kind, price, stock, monthly_limit, created_at) VALUES (?, ?, 'volunteer', ?, ?, ?, ?) RETURNING id`,
    args: [shop, name, price, stock, monthlyLimit, NOW],
  });
  return Number(rs.rows[0].id);
}

async function ledgerSum(userId: number): Promise<number> {
  return Number((await one(`SELECT coalesce(sum(amount), 0) AS s FROM points_entries WHERE user_id = ? AND kind = 'volunteer'`, [userId])).s);
}

async function refusal(p: Promise<unknown>): Promise<PointsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PointsError);
    return e as PointsError;
  }
  throw new Error('expected a refusal');
}

beforeEach(async () => {
  db = await freshDb();
  team = await makeTeam(db, '城关红马甲队');
  leader = await makeUser(db, '李队长');
  vol = await makeUser(db, '何思远');
  manager = await makeUser(db, '超市管理员');
  await addMember(db, team, leader, 'leader');
  await addMember(db, team, vol);
  shop = Number((await one(`INSERT INTO shops (name, level, pickup_days, created_at) VALUES ('城关镇积分超市', 'town', 7, ?) RETURNING id`, [NOW])).id);
  await db.$client.execute({ sql: `INSERT INTO shop_managers (shop_id, user_id, granted_at) VALUES (?, ?, ?)`, args: [shop, manager, NOW] });
});

describe('points from service hours', () => {
  test('confirming hours earns points at the county rate, capped per record; declined hours earn nothing', async () => {
    const claim = (day: string, start: string, end: string) => claimHours(db, vol, { teamId: team, day, start, end, content: '整理图书角' }, NOW);
    const a = await claim('2026-06-10', '09:00', '11:30');
    const b = await claim('2026-06-11', '09:00', '10:00');
    expect(await pointsBalance(db, vol)).toBe(0);
    await confirmRecords(db, leader, [a], NOW);
    await declineRecord(db, leader, b, '当天未到岗', NOW);
    expect(await pointsBalance(db, vol)).toBe(25);
    const [entry] = await pointsEntries(db, vol);
    expect(entry).toMatchObject({ amount: 25, reason: '服务时长确认 2.5 小时' });
    // The county changes the rate: new confirmations use it, and the cap holds (12 h × 20 = 240 → 100).
    await setSetting(db, 'pointsPerHour', 20);
    await confirmedHours(vol, 720);
    expect(await pointsBalance(db, vol)).toBe(125);
  });

  test('a correction reverses exactly what the record earned and grants the new figure; undoing a confirmation reverses it', async () => {
    const id = await claimHours(db, vol, { teamId: team, day: '2026-06-10', start: '09:00', end: '10:00', content: '整理图书角' }, NOW);
    await confirmRecords(db, leader, [id], NOW);
    expect(await pointsBalance(db, vol)).toBe(10);
    await setSetting(db, 'pointsPerHour', 30);
    const c = await requestCorrection(db, vol, { recordId: id, startsAt: '2026-06-10T09:00', endsAt: '2026-06-10T11:00', reason: '签退晚了' }, NOW);
    await acceptCorrection(db, leader, c, NOW);
    const amounts = (await pointsEntries(db, vol)).map((e) => e.amount);
    expect(amounts).toEqual([60, -10, 10]);
    expect(await pointsBalance(db, vol)).toBe(60);
    await db.$client.execute({ sql: `UPDATE hour_records SET status = 'declined' WHERE id = ?`, args: [id] });
    expect(await pointsBalance(db, vol)).toBe(0);
    expect((await pointsEntries(db, vol))[0]).toMatchObject({ amount: -60, reason: '服务时长撤销确认，冲回积分' });
  });

  test('the ledger is append-only: an entry can be neither changed nor deleted', async () => {
    await confirmedHours(vol, 60);
    await expect(db.$client.execute(`UPDATE points_entries SET amount = 1000`)).rejects.toThrow(/POINTS_APPEND_ONLY/);
    await expect(db.$client.execute(`DELETE FROM points_entries`)).rejects.toThrow(/POINTS_APPEND_ONLY/);
    expect(await pointsBalance(db, vol)).toBe(10);
  });
});

describe('积分超市', () => {
  test('redeem: order with a pickup code, points and stock taken, audited; refusals say why in Chinese', async () => {
    await confirmedHours(vol, 300); // 50 分
    const item = await makeItem(30, 2);
    const { code } = await redeem(db, { userId: vol, itemId: item }, NOW);
    expect(code).toMatch(/^\d{8}$/);
    expect(await pointsBalance(db, vol)).toBe(20);
    expect(await one(`SELECT stock FROM shop_items WHERE id = ?`, [item])).toMatchObject({ stock: 1 });
    expect((await pointsEntries(db, vol))[0]).toMatchObject({ amount: -30, reason: '兑换：洗衣液' });
    expect(await count(db, `audit_log WHERE action = 'points.redeem' AND actor_id = ?`, [vol])).toBe(1);
    const poor = await refusal(redeem(db, { userId: vol, itemId: item }, NOW));
    expect(poor.message).toBe('志愿积分不足：兑换“洗衣液”需 30 分，您现有 20 分');
    expect(await one(`SELECT stock FROM shop_items WHERE id = ?`, [item])).toMatchObject({ stock: 1 });
    expect((await refusal(redeem(db, { userId: vol, itemId: 999_999 }, NOW))).status).toBe('NOT_FOUND');
  });

  test('monthly limit per person, counted in Beijing months', async () => {
    await confirmedHours(vol, 600);
    const item = await makeItem(10, 10, 2, '大米');
    await redeem(db, { userId: vol, itemId: item }, NOW);
    await redeem(db, { userId: vol, itemId: item }, NOW);
    expect((await refusal(redeem(db, { userId: vol, itemId: item }, NOW))).message).toContain('每人每月限兑 2 件');
    await redeem(db, { userId: vol, itemId: item }, fromShanghai('2026-07-01', '00:05'));
    expect(await count(db, `shop_orders WHERE user_id = ?`, [vol])).toBe(3);
  });

  test('200 people redeeming the last 10 at once get exactly 10 orders', async () => {
    const item = await makeItem(10, 10, 0, '爱心米面油');
    const people: number[] = [];
    for (let i = 0; i < 200; i++) {
      const u = await makeUser(db, `抢兑者${i}`);
      await confirmedHours(u, 60);
      people.push(u);
    }
    // Two connections, as two app processes would hold.
    const other = await openDb({ url: db.url });
    const results = await Promise.allSettled(people.map((u, i) => redeem(i % 2 ? other : db, { userId: u, itemId: item }, NOW)));
    const won = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof PointsError).length;
    expect(won).toBe(10);
    expect(refused).toBe(190);
    expect(await count(db, `shop_orders WHERE item_id = ?`, [item])).toBe(10);
    expect(await one(`SELECT stock FROM shop_items WHERE id = ?`, [item])).toMatchObject({ stock: 0 });
    expect(await count(db, `points_balances WHERE balance < 0`)).toBe(0);
    expect(await count(db, `points_entries WHERE source_type = 'shop_order'`)).toBe(10);
    other.$client.close();
  });

  test('parallel redemptions never take a balance below zero', async () => {
    await confirmedHours(vol, 180); // 30 分: three items of 10
    const item = await makeItem(10, 500);
    const other = await openDb({ url: db.url });
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => redeem(i % 2 ? other : db, { userId: vol, itemId: item }, NOW)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(await pointsBalance(db, vol)).toBe(0);
    expect(await ledgerSum(vol)).toBe(0);
    expect(await one(`SELECT stock FROM shop_items WHERE id = ?`, [item])).toMatchObject({ stock: 497 });
    // The database refuses an overdraw even on a path that skipped the guard.
    await expect(
      db.$client.execute({ sql: `INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at) VALUES (?, 'volunteer', -1, 'x', 'shop_order', 1, 1)`, args: [vol] }),
    ).rejects.toThrow(/POINTS_OVERDRAWN/);
    other.$client.close();
  });

  test('a pickup code hands goods over once, however many counters enter it at once', async () => {
    await confirmedHours(vol, 60);
    const { code } = await redeem(db, { userId: vol, itemId: await makeItem(10, 1) }, NOW);
    const other = await openDb({ url: db.url });
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => handOver(i % 2 ? other : db, { actorId: manager, code }, NOW + 1000)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const again = await refusal(handOver(db, { actorId: manager, code }, NOW + 2000));
    expect(again.message).toContain('已领取');
    expect(again.field).toBe('code');
    expect(await one(`SELECT status, collected_by FROM shop_orders WHERE code = ?`, [code])).toMatchObject({ status: 'collected', collected_by: manager });
    expect(await count(db, `audit_log WHERE action = 'points.handover'`)).toBe(1);
    expect(await count(db, `notices WHERE user_id = ? AND kind = 'points.collected'`, [vol])).toBe(1);
    other.$client.close();
  });

  test('nobody hands over their own order; unknown and malformed codes are refused at the field', async () => {
    await confirmedHours(manager, 60);
    const { code } = await redeem(db, { userId: manager, itemId: await makeItem(10, 1) }, NOW);
    expect((await refusal(handOver(db, { actorId: manager, code }, NOW))).message).toContain('本人');
    expect(await one(`SELECT status FROM shop_orders WHERE code = ?`, [code])).toMatchObject({ status: 'reserved' });
    const unknownCode = code === '00000000' ? '00000001' : '00000000';
    expect((await refusal(handOver(db, { actorId: vol, code: unknownCode }, NOW))).status).toBe('NOT_FOUND');
    expect((await refusal(handOver(db, { actorId: vol, code: '12ab' }, NOW))).field).toBe('code');
    // A second manager of the same shop hands it over.
    await db.$client.execute({ sql: `INSERT INTO shop_managers (shop_id, user_id, granted_at) VALUES (?, ?, ?)`, args: [shop, vol, NOW] });
    await handOver(db, { actorId: vol, code: ` ${code.slice(0, 4)} ${code.slice(4)} ` }, NOW);
  });

  test('cancel and expiry return the points and the stock; an expired code can no longer be handed over', async () => {
    await confirmedHours(vol, 120); // 20 分
    const item = await makeItem(10, 2);
    const first = await redeem(db, { userId: vol, itemId: item }, NOW);
    const second = await redeem(db, { userId: vol, itemId: item }, NOW);
    expect(await pointsBalance(db, vol)).toBe(0);
    const stranger = await makeUser(db, '路人');
    await refusal(cancelOrder(db, { userId: stranger, orderId: first.orderId }, NOW));
    await cancelOrder(db, { userId: vol, orderId: first.orderId }, NOW);
    await refusal(cancelOrder(db, { userId: vol, orderId: first.orderId }, NOW));
    expect(await pointsBalance(db, vol)).toBe(10);
    const late = NOW + 7 * DAY + 1;
    expect((await refusal(handOver(db, { actorId: manager, code: second.code }, late))).message).toContain('期限');
    expect(await expireOrders(db, NOW + 6 * DAY)).toBe(0);
    expect(await expireOrders(db, late)).toBe(1);
    expect(await expireOrders(db, late)).toBe(0);
    expect(await pointsBalance(db, vol)).toBe(20);
    expect(await one(`SELECT stock FROM shop_items WHERE id = ?`, [item])).toMatchObject({ stock: 2 });
    expect(await one(`SELECT status FROM shop_orders WHERE id = ?`, [second.orderId])).toMatchObject({ status: 'expired' });
    expect(await count(db, `audit_log WHERE action IN ('points.cancel', 'points.expire')`)).toBe(2);
  });
});

describe('keeping the catalogue', () => {
  test('the manager puts an item on the shelf and records stock in and out; every change is audited, stock never below zero', async () => {
    await addItem(db, manager, { shopId: shop, name: '雨伞', description: '折叠伞', kind: 'volunteer', price: 40, stock: 2, monthlyLimit: 1, householdMonthlyLimit: 0, donor: '' }, NOW);
    const item = Number((await one(`SELECT id FROM shop_items WHERE name = '雨伞'`)).id);
    await changeStock(db, manager, { itemId: item, change: 10, donor: '城关镇商会' });
    expect(await one(`SELECT stock, donor FROM shop_items WHERE id = ?`, [item])).toMatchObject({ stock: 12, donor: '城关镇商会' });
    const short = await refusal(changeStock(db, manager, { itemId: item, change: -13, kind: 'count', reason: '盘点' }));
    expect(short.message).toBe('库存只有 12 件，出库后不能少于 0');
    expect(short.field).toBe('change');
    await changeStock(db, manager, { itemId: item, change: -12, kind: 'count', reason: '全部破损' });
    expect(await one(`SELECT stock FROM shop_items WHERE id = ?`, [item])).toMatchObject({ stock: 0 });
    expect(await count(db, `audit_log WHERE action = 'points.item.add' AND actor_id = ?`, [manager])).toBe(1);
    expect(await count(db, `audit_log WHERE action = 'points.stock' AND target_id = ?`, [String(item)])).toBe(2);
    await db.$client.execute({ sql: `UPDATE shops SET active = 0 WHERE id = ?`, args: [shop] });
    expect((await refusal(addItem(db, manager, { shopId: shop, name: '雨衣', description: '', kind: 'volunteer', price: 40, stock: 2, monthlyLimit: 0, householdMonthlyLimit: 0 }, NOW))).field).toBe(
      'shopId',
    );
    expect(await count(db, `shop_items WHERE name = '雨衣'`)).toBe(0);
  });
});

test('figures: points issued and spent per month and place, net of reversals and returns; the most redeemed items', async () => {
  const rec = await confirmedHours(vol, 300); // 50
  await confirmedHours(manager, 60); // 10
  const item = await makeItem(20, 5, 0, '挂面');
  const a = await redeem(db, { userId: vol, itemId: item }, NOW);
  await redeem(db, { userId: vol, itemId: item }, NOW);
  await cancelOrder(db, { userId: vol, orderId: a.orderId }, NOW);
  await db.$client.execute({ sql: `UPDATE hour_records SET minutes = 120 WHERE id = ?`, args: [rec] }); // 50 → 20
  const rows = await pointsByMonthAndPlace(db, 0);
  const total = rows.reduce((t, r) => ({ issued: t.issued + r.issued, spent: t.spent + r.spent }), { issued: 0, spent: 0 });
  expect(total).toEqual({ issued: 30, spent: 20 });
  expect(rows.every((r) => r.place === '未填写')).toBe(true);
  expect(await topItems(db, 0)).toEqual([{ name: '挂面', shopName: '城关镇积分超市', orders: 1 }]);
});

test('randomised: every balance equals the sum of its ledger, and no redemption ever overdraws', async () => {
  const users = [vol, await makeUser(db, '甲'), await makeUser(db, '乙')];
  const items = [await makeItem(7, 5), await makeItem(15, 3), await makeItem(40, 2)];
  const records: number[] = [];
  const orders: number[] = [];
  const op = fc.oneof(
    fc.record({ t: fc.constant('hours' as const), u: fc.nat(2), m: fc.integer({ min: 1, max: 720 }) }),
    fc.record({ t: fc.constant('undo' as const), r: fc.nat(50), to: fc.constantFrom('declined', 'pending') }),
    fc.record({ t: fc.constant('minutes' as const), r: fc.nat(50), m: fc.integer({ min: 1, max: 600 }) }),
    fc.record({ t: fc.constant('redeem' as const), u: fc.nat(2), i: fc.nat(2) }),
    fc.record({ t: fc.constant('cancel' as const), o: fc.nat(30) }),
    fc.record({ t: fc.constant('rate' as const), p: fc.integer({ min: 1, max: 40 }) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
      for (const o of ops) {
        if (o.t === 'hours') records.push(await confirmedHours(users[o.u], o.m));
        else if (o.t === 'undo' && records.length) await db.$client.execute({ sql: `UPDATE hour_records SET status = ? WHERE id = ?`, args: [o.to, records[o.r % records.length]] });
        else if (o.t === 'minutes' && records.length) await db.$client.execute({ sql: `UPDATE hour_records SET minutes = ? WHERE id = ?`, args: [o.m, records[o.r % records.length]] });
        else if (o.t === 'redeem') {
          try {
            orders.push((await redeem(db, { userId: users[o.u], itemId: items[o.i] }, NOW)).orderId);
          } catch (e) {
            if (!(e instanceof PointsError)) throw e;
          }
        } else if (o.t === 'cancel' && orders.length) {
          const orderId = orders[o.o % orders.length];
          const owner = Number((await one(`SELECT user_id FROM shop_orders WHERE id = ?`, [orderId])).user_id);
          await cancelOrder(db, { userId: owner, orderId }, NOW).catch((e: unknown) => {
            if (!(e instanceof PointsError)) throw e;
          });
        } else if (o.t === 'rate') await setSetting(db, 'pointsPerHour', o.p);
      }
      for (const u of users) expect(await pointsBalance(db, u)).toBe(await ledgerSum(u));
      // A record no longer confirmed has earned nothing net; a confirmed one never less than nothing.
      const wrong = await one(
        `SELECT count(*) AS n FROM hour_records h WHERE CASE WHEN h.status = 'confirmed' THEN net < 0 ELSE net <> 0 END`
          .replace('net', `(SELECT coalesce(sum(amount), 0) FROM points_entries e WHERE e.source_type = 'hour_record' AND e.source_id = h.id)`)
          .replace('net', `(SELECT coalesce(sum(amount), 0) FROM points_entries e WHERE e.source_type = 'hour_record' AND e.source_id = h.id)`),
      );
      expect(Number(wrong.n)).toBe(0);
      // Redemptions net per order: −price while reserved or collected, 0 once returned.
      const badOrders = await one(`SELECT count(*) AS n FROM shop_orders o WHERE (SELECT sum(amount) FROM points_entries e WHERE e.source_type = 'shop_order' AND e.source_id = o.id)
        <> CASE WHEN o.status IN ('reserved', 'collected') THEN -o.price ELSE 0 END`);
      expect(Number(badOrders.n)).toBe(0);
    }),
    { numRuns: 25 },
  );
});

test('注销: a reserved order is closed with the account, its item back on the shelf and the ledger still balanced', async () => {
  const { hashPassword } = await import('../../src/domain/accounts/passwords.ts');
  const { deleteAccount } = await import('../../src/domain/accounts/profile.ts');
  await db.$client.execute({ sql: `UPDATE users SET password_hash = ? WHERE id = ?`, args: [await hashPassword('correct horse battery staple'), vol] });
  await confirmedHours(vol, 60);
  const item = await makeItem(10, 1);
  const { code } = await redeem(db, { userId: vol, itemId: item }, NOW);
  await deleteAccount(db, { secretKey: TEST_KEY, userId: vol, password: 'correct horse battery staple' });
  expect(await one(`SELECT status FROM shop_orders WHERE code = ?`, [code])).toMatchObject({ status: 'cancelled' });
  expect(await one(`SELECT stock FROM shop_items WHERE id = ?`, [item])).toMatchObject({ stock: 1 });
  expect(await pointsBalance(db, vol)).toBe(await ledgerSum(vol));
  expect((await refusal(handOver(db, { actorId: manager, code }, NOW))).message).toContain('已取消');
});
