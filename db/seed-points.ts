// Demo 积分超市 (issue 21): a county shop and a village one, stocked with donated everyday goods, and one
// redemption by the demo volunteer, waiting at the counter with its pickup code. Points themselves come from the demo's
// confirmed hours through the ledger triggers (db/sql/points.sql), like real ones.
import type { Db } from './client.ts';
import { redeem } from '../src/domain/points/shop.ts';
import { PointsError } from '../src/domain/points/errors.ts';

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

/** Creates the demo shops once (idempotent: nothing when a shop exists). */
export async function seedPoints(db: Db, now = Date.now()): Promise<void> {
  const existing = await db.$client.execute('SELECT count(*) AS n FROM shops');
  if (Number(existing.rows[0].n) > 0) return;
  for (const s of SHOPS) {
    const rs = await db.$client.execute({
      sql: `INSERT INTO shops (name, level, address, open_hours, pickup_days, created_at) VALUES (?, ?, ?, ?, 14, ?) RETURNING id`,
      args: [s.name, s.level, s.address, s.openHours, now],
    });
    const shopId = Number(rs.rows[0].id);
    for (const i of s.items) {
      await db.$client.execute({
        sql: `INSERT INTO shop_items (shop_id, name, description, kind, price, stock, monthly_limit, donor, created_at) VALUES (?, ?, ?, 'volunteer', ?, ?, ?, ?, ?)`,
        args: [shopId, i.name, i.description, i.price, i.stock, i.monthlyLimit, i.donor, now],
      });
    }
  }
  const people = await db.$client.execute(`SELECT id FROM users WHERE phone = '13900000006'`);
  const volunteer = Number(people.rows[0]?.id);
  const towel = await db.$client.execute(`SELECT id FROM shop_items WHERE name LIKE '毛巾%' LIMIT 1`);
  if (!volunteer || !towel.rows.length) return;
  // Only as far as the demo volunteer's points go: a refusal (too few points) just leaves the shop as stocked.
  await redeem(db, { userId: volunteer, itemId: Number(towel.rows[0].id) }, now).catch((e: unknown) => {
    if (!(e instanceof PointsError)) throw e;
  });
}
