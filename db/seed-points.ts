// Demo 积分超市 (issue 21): a county shop and a village one, stocked with donated everyday goods (each stock
// the item's first movement, donors thanked), a 超市管理员 for the village shop, the demo volunteers placed in
// the 村 of their 乡镇 (so the monthly 积分公示 has rows per 村), and one redemption by the demo volunteer
// waiting at the counter with its pickup code. Points themselves come from the demo's confirmed hours through
// the ledger triggers (db/sql/points.sql), like real ones.
import type { Db } from './client.ts';
import type { DemoAccount } from './seed.ts';
import { redeem } from '../src/domain/points/shop.ts';
import { PointsError } from '../src/domain/points/errors.ts';
import { grantShopManager } from '../src/domain/points/managers.ts';
import { createUser } from '../src/domain/accounts/users.ts';
import { randomToken } from '../src/lib/ids.ts';

const SHOPS = [
  {
    name: '云溪县新时代文明实践积分超市',
    level: 'county',
    address: '城关镇文化路 8 号县新时代文明实践中心一楼',
    openHours: '每周六 9:00–11:30',
    items: [
      { name: '洗衣液（2 kg）', description: '家用洗衣液一瓶', price: 30, stock: 40, monthlyLimit: 2, donor: '云溪县供销社' },
      { name: '食用油（1.8 L）', description: '非转基因菜籽油', price: 60, stock: 25, monthlyLimit: 1, donor: '县粮油公司' },
      { name: '大米（5 kg）', description: '本地优质大米', price: 80, stock: 20, monthlyLimit: 1, donor: null },
      { name: '毛巾两条', description: '纯棉毛巾', price: 15, stock: 60, monthlyLimit: 0, donor: '城关镇商会' },
      { name: '保温杯', description: '不锈钢保温杯 500 ml', price: 100, stock: 3, monthlyLimit: 1, donor: null },
    ],
  },
  {
    name: '青石镇白鹤村爱心超市',
    level: 'village',
    address: '白鹤村党群服务中心',
    openHours: '每月 5 日、20 日 14:00–17:00',
    items: [
      { name: '香皂三块', description: '', price: 10, stock: 50, monthlyLimit: 0, donor: '白鹤村乡贤' },
      { name: '挂面（2 kg）', description: '', price: 20, stock: 30, monthlyLimit: 2, donor: null },
      { name: '儿童文具套装', description: '铅笔、橡皮、笔记本', price: 25, stock: 15, monthlyLimit: 1, donor: '县团委' },
    ],
  },
];

/** The demo 超市管理员 of the village shop (a staff account: not counted as a volunteer). */
const MANAGER = { phone: '13900000022', name: '白玉兰' };

/** Creates the demo shops once (idempotent: nothing when a shop exists); returns the demo 超市管理员's login. */
export async function seedPoints(db: Db, secretKey: Buffer, now = Date.now()): Promise<DemoAccount[]> {
  const existing = await db.$client.execute('SELECT count(*) AS n FROM shops');
  if (Number(existing.rows[0].n) > 0) return [];
  for (const s of SHOPS) {
    const rs = await db.$client.execute({
      sql: `INSERT INTO shops (name, level, address, open_hours, pickup_days, created_at) VALUES (?, ?, ?, ?, 14, ?) RETURNING id`,
      args: [s.name, s.level, s.address, s.openHours, now],
    });
    const shopId = Number(rs.rows[0].id);
    for (const i of s.items) {
      const item = await db.$client.execute({
        sql: `INSERT INTO shop_items (shop_id, name, description, kind, price, stock, monthly_limit, donor, created_at) VALUES (?, ?, ?, 'volunteer', ?, ?, ?, ?, ?) RETURNING id`,
        args: [shopId, i.name, i.description, i.price, i.stock, i.monthlyLimit, i.donor, now],
      });
      await db.$client.execute({
        sql: `INSERT INTO shop_stock_movements (item_id, change, kind, donor, thanks, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
        args: [Number(item.rows[0].id), i.stock, i.donor ? 'donation' : 'purchase', i.donor, i.donor ? '热心公益，传递温暖' : null, now],
      });
    }
  }
  // Every demo volunteer lives in a 村 of their 乡镇 (two per 乡镇, alternating), so points are counted per 村.
  const villages = await db.$client.execute(`SELECT id, parent_id FROM regions WHERE level = 'village' ORDER BY parent_id, sort, id`);
  const residents = await db.$client.execute(`SELECT id, town_id FROM users WHERE village_id IS NULL AND town_id IS NOT NULL ORDER BY id`);
  for (const p of residents.rows) {
    const mine = villages.rows.filter((v) => Number(v.parent_id) === Number(p.town_id)).slice(0, 2);
    if (mine.length) await db.$client.execute({ sql: `UPDATE users SET village_id = ? WHERE id = ?`, args: [Number(mine[Number(p.id) % mine.length].id), Number(p.id)] });
  }
  const admin = await db.$client.execute(`SELECT user_id FROM user_roles WHERE role = 'admin' ORDER BY user_id LIMIT 1`);
  const village = await db.$client.execute(`SELECT id FROM shops WHERE level = 'village' ORDER BY id LIMIT 1`);
  const accounts: DemoAccount[] = [];
  if (admin.rows.length && village.rows.length) {
    const password = randomToken(8);
    const managerId = await createUser(db, secretKey, { phone: MANAGER.phone, password, realName: MANAGER.name, termsVersion: '2026-01', privacyVersion: '2026-01' });
    await grantShopManager(db, { actorId: Number(admin.rows[0].user_id), userId: managerId, shopId: Number(village.rows[0].id) }, now);
    accounts.push({ role: 'shop_manager', label: '超市管理员（白鹤村爱心超市）', phone: MANAGER.phone, password, name: MANAGER.name });
  }
  const people = await db.$client.execute(`SELECT id FROM users WHERE phone = '13900000006'`);
  const volunteer = Number(people.rows[0]?.id);
  const towel = await db.$client.execute(`SELECT id FROM shop_items WHERE name LIKE '毛巾%' LIMIT 1`);
  if (!volunteer || !towel.rows.length) return accounts;
  // Only as far as the demo volunteer's points go: a refusal (too few points) just leaves the shop as stocked.
  await redeem(db, { userId: volunteer, itemId: Number(towel.rows[0].id) }, now).catch((e: unknown) => {
    if (!(e instanceof PointsError)) throw e;
  });
  return accounts;
}
