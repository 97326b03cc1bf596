// 超市管理员 per shop and the catalogue (issue 21, docs/decisions/103): a manager runs only the shops they
// were granted — hands over only those orders (refused inside the guarded UPDATE), edits only that
// catalogue — and an order they redeem at their own shop needs a second person at the counter. Stock
// changes are movements (入库, donations thanked, 盘点 with a reason), each audited.
import { beforeEach, describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { fromShanghai } from '../../src/lib/time.ts';
import { handOver, listShops, recentHandovers, redeem, expireOrders } from '../../src/domain/points/shop.ts';
import { addItem, changeStock, editItem, itemMovements, recentDonations, stockList } from '../../src/domain/points/catalogue.ts';
import { grantShopManager, revokeShopManager, shopsManagedBy } from '../../src/domain/points/managers.ts';
import { PointsError } from '../../src/domain/points/errors.ts';
import { pointsBalance } from '../../src/domain/points/ledger.ts';
import { grantRoleAsAdmin, revokeRoleAsAdmin } from '../../src/domain/accounts/admin.ts';
import { managedShopIds } from '../../src/domain/accounts/policy.ts';
import { sessionTtl, STAFF_TTL_MS } from '../../src/domain/accounts/sessions.ts';
import { registeredVolunteerSql } from '../../src/domain/stats/volunteers.ts';
import { openDb } from '../../db/client.ts';
import { sql } from 'drizzle-orm';
import { count, makeUser } from './hours-fixtures.ts';

const NOW = fromShanghai('2026-06-15', '20:00');
const DAY = 86_400_000;

let db: Db & { url: string };
let admin: number;
let managerA: number;
let managerA2: number;
let managerB: number;
let vol: number;
let shopA: number;
let shopB: number;

async function one(q: string, args: (string | number | null)[] = []): Promise<Record<string, unknown>> {
  return (await db.$client.execute({ sql: q, args })).rows[0] as Record<string, unknown>;
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

/** Points for a person without hours: a grant entry (the ledger's triggers keep the balance). */
async function givePoints(userId: number, amount: number): Promise<void> {
  await db.$client.execute({
    sql: `INSERT INTO points_entries (user_id, kind, amount, reason, source_type, created_at) VALUES (?, 'volunteer', ?, '测试发放', 'grant', ?)`,
    args: [userId, amount, NOW],
  });
}

async function item(shopId: number, name: string, stock = 5, price = 10): Promise<number> {
  const rs = await db.$client.execute({
    sql: `INSERT INTO shop_items (shop_id, name, kind, price, stock, created_at) VALUES (?, ?, 'volunteer', ?, ?, ?) RETURNING id`,
    args: [shopId, name, price, stock, NOW],
  });
  return Number(rs.rows[0].id);
}

const fields = { description: '', kind: 'volunteer' as const, monthlyLimit: 0, householdMonthlyLimit: 0 };

beforeEach(async () => {
  db = await freshDb();
  admin = await makeUser(db, '周管理');
  await db.$client.execute({ sql: `INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, 'admin', ?)`, args: [admin, NOW] });
  managerA = await makeUser(db, '白鹤村管理员');
  managerA2 = await makeUser(db, '白鹤村副管理员');
  managerB = await makeUser(db, '县超市管理员');
  vol = await makeUser(db, '何思远');
  shopA = Number((await one(`INSERT INTO shops (name, level, pickup_days, created_at) VALUES ('白鹤村爱心超市', 'village', 7, ?) RETURNING id`, [NOW])).id);
  shopB = Number((await one(`INSERT INTO shops (name, level, pickup_days, created_at) VALUES ('县积分超市', 'county', 7, ?) RETURNING id`, [NOW])).id);
  await grantShopManager(db, { actorId: admin, userId: managerA, shopId: shopA });
  await grantShopManager(db, { actorId: admin, userId: managerA2, shopId: shopA });
  await grantShopManager(db, { actorId: admin, userId: managerB, shopId: shopB });
});

describe('超市管理员 per shop', () => {
  test('granting a shop gives the marker role, a staff session and an audit row; revoking the last shop takes the role', async () => {
    expect(await shopsManagedBy(db, managerA)).toEqual([expect.objectContaining({ shopId: shopA, name: '白鹤村爱心超市' })]);
    expect(await count(db, `user_roles WHERE user_id = ? AND role = 'shop_manager'`, [managerA])).toBe(1);
    expect(sessionTtl(['volunteer', 'shop_manager'])).toBe(STAFF_TTL_MS);
    expect(await count(db, `audit_log WHERE action = 'points.manager.grant' AND target_id = ? AND detail = '白鹤村爱心超市'`, [String(managerA)])).toBe(1);
    // A second grant of the same shop changes nothing and records nothing.
    await grantShopManager(db, { actorId: admin, userId: managerA, shopId: shopA });
    expect(await count(db, `audit_log WHERE action = 'points.manager.grant' AND target_id = ?`, [String(managerA)])).toBe(1);
    await grantShopManager(db, { actorId: admin, userId: managerA, shopId: shopB });
    await revokeShopManager(db, { actorId: admin, userId: managerA, shopId: shopA });
    expect(await count(db, `user_roles WHERE user_id = ? AND role = 'shop_manager'`, [managerA])).toBe(1);
    await revokeShopManager(db, { actorId: admin, userId: managerA, shopId: shopB });
    expect(await count(db, `user_roles WHERE user_id = ? AND role = 'shop_manager'`, [managerA])).toBe(0);
    expect(await count(db, `audit_log WHERE action = 'points.manager.revoke' AND target_id = ?`, [String(managerA)])).toBe(2);
    // Not a bare role any more; revoking the role takes every shop with it.
    await expect(grantRoleAsAdmin(db, { actorId: admin, userId: vol, role: 'shop_manager' })).rejects.toMatchObject({ field: 'role' });
    await revokeRoleAsAdmin(db, { actorId: admin, userId: managerB, role: 'shop_manager' });
    expect(await count(db, `shop_managers WHERE user_id = ?`, [managerB])).toBe(0);
    // A closed shop cannot be granted.
    await db.$client.execute({ sql: `UPDATE shops SET active = 0 WHERE id = ?`, args: [shopB] });
    expect((await refusal(grantShopManager(db, { actorId: admin, userId: vol, shopId: shopB }))).field).toBe('shopId');
  });

  test('a 超市管理员 is staff: not counted as a registered volunteer', async () => {
    const [r] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM users u WHERE u.id = ${managerA} AND ${registeredVolunteerSql('u')}`);
    expect(Number(r.n)).toBe(0);
    const [v] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM users u WHERE u.id = ${vol} AND ${registeredVolunteerSql('u')}`);
    expect(Number(v.n)).toBe(1);
  });

  test('a manager of another shop cannot hand an order over — refused inside the guarded UPDATE, even racing', async () => {
    await givePoints(vol, 100);
    const { code } = await redeem(db, { userId: vol, itemId: await item(shopA, '香皂') }, NOW);
    const other = await openDb({ url: db.url });
    const tries = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => handOver(i % 2 ? other : db, { actorId: managerB, code }, NOW + 1000)));
    expect(tries.every((t) => t.status === 'rejected' && t.reason instanceof PointsError && t.reason.status === 'FORBIDDEN')).toBe(true);
    const wrong = (tries[0] as PromiseRejectedResult).reason as PointsError;
    expect(wrong.message).toBe('该兑换单应到“白鹤村爱心超市”领取，您不是该积分超市的管理员');
    expect(wrong.field).toBe('code');
    expect(await one(`SELECT status FROM shop_orders WHERE code = ?`, [code])).toMatchObject({ status: 'reserved' });
    expect(await count(db, `audit_log WHERE action = 'points.handover'`)).toBe(0);
    // The shop's own manager hands it over; an administrator could too.
    await handOver(db, { actorId: managerA, code }, NOW + 2000);
    expect(await one(`SELECT status, collected_by FROM shop_orders WHERE code = ?`, [code])).toMatchObject({ status: 'collected', collected_by: managerA });
    // Each counter sees only its own shops' handovers.
    expect(await recentHandovers(db, await managedShopIds(db, { id: managerB, realName: '', phone: null, roles: ['shop_manager'], status: 'active' }))).toEqual([]);
    expect(await recentHandovers(db, [shopA])).toHaveLength(1);
    expect(await recentHandovers(db, null)).toHaveLength(1);
    other.$client.close();
  });

  test('a manager redeeming at their own shop needs a second person: not themselves, but another manager of that shop or an administrator', async () => {
    await givePoints(managerA, 100);
    const soap = await item(shopA, '香皂');
    const first = await redeem(db, { userId: managerA, itemId: soap }, NOW);
    const own = await refusal(handOver(db, { actorId: managerA, code: first.code }, NOW));
    expect(own.status).toBe('FORBIDDEN');
    expect(own.message).toContain('不能由本人发放');
    expect(await one(`SELECT status FROM shop_orders WHERE code = ?`, [first.code])).toMatchObject({ status: 'reserved' });
    // Nor by a manager of another shop.
    expect((await refusal(handOver(db, { actorId: managerB, code: first.code }, NOW))).status).toBe('FORBIDDEN');
    await handOver(db, { actorId: managerA2, code: first.code }, NOW);
    const second = await redeem(db, { userId: managerA, itemId: soap }, NOW);
    await handOver(db, { actorId: admin, code: second.code }, NOW);
    expect(await count(db, `shop_orders WHERE user_id = ? AND status = 'collected' AND collected_by <> user_id`, [managerA])).toBe(2);
  });

  test('a disabled manager can no longer hand over', async () => {
    await givePoints(vol, 100);
    const { code } = await redeem(db, { userId: vol, itemId: await item(shopA, '香皂') }, NOW);
    await db.$client.execute({ sql: `UPDATE users SET status = 'disabled' WHERE id = ?`, args: [managerA] });
    expect((await refusal(handOver(db, { actorId: managerA, code }, NOW))).status).toBe('FORBIDDEN');
  });
});

describe('keeping the catalogue of one shop', () => {
  test("a manager adds, edits and stocks only their shop's items; another shop's are refused and unchanged", async () => {
    const mine = await addItem(db, managerA, { ...fields, shopId: shopA, name: '挂面', price: 20, stock: 10 }, NOW);
    expect((await refusal(addItem(db, managerB, { ...fields, shopId: shopA, name: '雨衣', price: 20, stock: 1 }, NOW))).status).toBe('FORBIDDEN');
    expect(await count(db, `shop_items WHERE name = '雨衣'`)).toBe(0);
    const edit = { ...fields, itemId: mine, name: '挂面（2 kg）', price: 25, monthlyLimit: 2, active: true };
    expect((await refusal(editItem(db, managerB, edit))).status).toBe('FORBIDDEN');
    expect((await refusal(changeStock(db, managerB, { itemId: mine, change: 5, kind: 'purchase' }))).status).toBe('FORBIDDEN');
    expect(await one(`SELECT name, price, stock FROM shop_items WHERE id = ?`, [mine])).toMatchObject({ name: '挂面', price: 20, stock: 10 });
    await editItem(db, managerA, edit);
    expect(await one(`SELECT name, price, monthly_limit FROM shop_items WHERE id = ?`, [mine])).toMatchObject({ name: '挂面（2 kg）', price: 25, monthly_limit: 2 });
    const audit = await one(`SELECT before, after FROM audit_log WHERE action = 'points.item.edit' AND target_id = ?`, [String(mine)]);
    expect(JSON.parse(String(audit.before))).toMatchObject({ price: 20 });
    expect(JSON.parse(String(audit.after))).toMatchObject({ price: 25 });
    // An administrator runs every shop; a manager's stock list shows only theirs.
    await changeStock(db, admin, { itemId: mine, change: 1, kind: 'purchase' });
    expect((await stockList(db, [shopB])).map((i) => i.id)).not.toContain(mine);
    expect((await stockList(db, [shopA])).map((i) => i.id)).toContain(mine);
  });

  test('stock movements: 入库, a donation thanked on the shop page, a 盘点 correction with its reason; each audited, never below zero', async () => {
    const soap = await addItem(db, managerA, { ...fields, shopId: shopA, name: '香皂三块', price: 10, stock: 5, donor: '白鹤村乡贤', thanks: '情系桑梓' }, NOW);
    await changeStock(db, managerA, { itemId: soap, change: 20, kind: 'donation', donor: '青石镇卫生院', thanks: '感谢对爱心超市的支持' }, NOW + 1);
    await changeStock(db, managerA, { itemId: soap, change: 10, kind: 'purchase' }, NOW + 2);
    // Wrong shapes are refused at their field, nothing written.
    expect((await refusal(changeStock(db, managerA, { itemId: soap, change: -2, kind: 'count' }))).field).toBe('reason');
    expect((await refusal(changeStock(db, managerA, { itemId: soap, change: 3, kind: 'donation' }))).field).toBe('donor');
    expect((await refusal(changeStock(db, managerA, { itemId: soap, change: -3, kind: 'purchase' }))).field).toBe('change');
    const tooMany = await refusal(changeStock(db, managerA, { itemId: soap, change: -36, kind: 'count', reason: '盘点' }));
    expect(tooMany.message).toBe('库存只有 35 件，出库后不能少于 0');
    await changeStock(db, managerA, { itemId: soap, change: -2, kind: 'count', reason: '盘点短少 2 块' }, NOW + 3);
    expect(await one(`SELECT stock FROM shop_items WHERE id = ?`, [soap])).toMatchObject({ stock: 33 });
    const moves = await itemMovements(db, soap);
    expect(moves.map((m) => [m.kindLabel, m.change, m.donor ?? m.reason])).toEqual([
      ['盘点更正', -2, '盘点短少 2 块'],
      ['采购入库', 10, null],
      ['捐赠入库', 20, '青石镇卫生院'],
      ['捐赠入库', 5, '白鹤村乡贤'],
    ]);
    expect(moves.reduce((t, m) => t + m.change, 0)).toBe(33);
    expect(await count(db, `audit_log WHERE action = 'points.stock' AND target_id = ?`, [String(soap)])).toBe(3);
    expect(await count(db, `audit_log WHERE action = 'points.item.add' AND target_id = ?`, [String(soap)])).toBe(1);
    const thanks = await recentDonations(db);
    expect(thanks.map((d) => [d.donor, d.thanks, d.quantity])).toEqual([
      ['青石镇卫生院', '感谢对爱心超市的支持', 20],
      ['白鹤村乡贤', '情系桑梓', 5],
    ]);
  });

  test('下架: the item leaves the public shop and cannot be redeemed; its reserved orders are still handed over', async () => {
    await givePoints(vol, 100);
    const soap = await item(shopA, '香皂');
    const { code } = await redeem(db, { userId: vol, itemId: soap }, NOW);
    await editItem(db, managerA, { ...fields, itemId: soap, name: '香皂', price: 10, active: false });
    expect((await listShops(db)).flatMap((s) => s.items).map((i) => i.id)).not.toContain(soap);
    expect((await refusal(redeem(db, { userId: vol, itemId: soap }, NOW))).status).toBe('NOT_FOUND');
    await handOver(db, { actorId: managerA, code }, NOW);
  });
});

test('uncollected orders: expiry run by two processes at once returns each order exactly once (points and stock)', async () => {
  const people: number[] = [];
  const soap = await item(shopA, '香皂', 30, 10);
  for (let i = 0; i < 20; i++) {
    const u = await makeUser(db, `兑换者${i}`);
    await givePoints(u, 10);
    await redeem(db, { userId: u, itemId: soap }, NOW);
    people.push(u);
  }
  const other = await openDb({ url: db.url });
  const late = NOW + 7 * DAY + 1;
  const [a, b] = await Promise.all([expireOrders(db, late), expireOrders(other, late)]);
  expect(a + b).toBe(20);
  expect(await one(`SELECT stock FROM shop_items WHERE id = ?`, [soap])).toMatchObject({ stock: 30 });
  for (const u of people) expect(await pointsBalance(db, u)).toBe(10);
  expect(await count(db, `points_entries WHERE source_type = 'shop_order' AND amount > 0`)).toBe(20);
  expect(await count(db, `audit_log WHERE action = 'points.expire'`)).toBe(20);
  other.$client.close();
});

test('figures: issued and spent per month and 村 equal a hand count of the ledger; top items and low stock', async () => {
  const { pointsByMonthAndPlace, pointsByMonth, topItems, lowStock } = await import('../../src/domain/points/stats.ts');
  const region = async (code: string, name: string, level: string, parent: number | null) =>
    Number((await one(`INSERT INTO regions (code, name, level, kind, parent_id) VALUES (?, ?, ?, ?, ?) RETURNING id`, [code, name, level, level === 'town' ? '镇' : '村', parent])).id);
  const town = await region('t1', '青石镇', 'town', null);
  const baihe = await region('v1', '白鹤村', 'village', town);
  const yunxi = await region('v2', '云溪村', 'village', town);
  const place = (u: number, v: number) => db.$client.execute({ sql: `UPDATE users SET town_id = ?, village_id = ? WHERE id = ?`, args: [town, v, u] });
  const a = await makeUser(db, '白鹤甲');
  const b = await makeUser(db, '白鹤乙');
  const c = await makeUser(db, '云溪丙');
  await place(a, baihe);
  await place(b, baihe);
  await place(c, yunxi);
  const june = fromShanghai('2026-06-10', '10:00');
  const july = fromShanghai('2026-07-01', '00:30'); // a Beijing July, still June 30 in UTC
  const entry = (u: number, amount: number, type: string, at: number) =>
    db.$client.execute({ sql: `INSERT INTO points_entries (user_id, kind, amount, reason, source_type, created_at) VALUES (?, 'volunteer', ?, 'x', ?, ?)`, args: [u, amount, type, at] });
  await entry(a, 30, 'hour_record', june);
  await entry(b, 20, 'grant', june);
  await entry(b, -5, 'hour_record', june); // a reversal nets out
  await entry(c, 40, 'hour_record', june);
  await entry(a, 10, 'hour_record', july);
  const soap = await item(shopA, '香皂', 3, 10);
  await redeem(db, { userId: c, itemId: soap }, june);
  await redeem(db, { userId: a, itemId: soap }, july);
  const rows = await pointsByMonthAndPlace(db, 0);
  expect(rows.map((r) => [r.month, r.place, r.earners, r.issued, r.spent])).toEqual([
    ['2026-07', '青石镇 白鹤村', 1, 10, 10],
    ['2026-06', '青石镇 白鹤村', 2, 45, 0],
    ['2026-06', '青石镇 云溪村', 1, 40, 10],
  ]);
  expect(await pointsByMonth(db, 0)).toEqual([
    { month: '2026-07', issued: 10, spent: 10 },
    { month: '2026-06', issued: 85, spent: 10 },
  ]);
  expect(await topItems(db, 0)).toEqual([{ name: '香皂', shopName: '白鹤村爱心超市', orders: 2 }]);
  expect((await lowStock(db)).map((i) => [i.name, i.stock])).toEqual([['香皂', 1]]);
});
