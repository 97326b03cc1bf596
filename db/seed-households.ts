// Demo household 文明积分 (issue 21, docs/decisions/102): two villages of 城关镇 (河坝村, 金竹村) with a register,
// the county scoring table copied, 评议员 from the demo's volunteers, and a season of entries made through the
// domain functions like real ones — one month posted, last month on 公示 (one entry held by an objection),
// this month still being judged — and a village 爱心超市 stocked with goods that accept household points.
// The demo volunteer (13900000006) is a member of a 河坝村 household. Idempotent: nothing when a household exists.
import type { Db } from './client.ts';
import { SURNAMES, GIVEN } from './seed.ts';
import { startVillage, updateVillageSettings } from '../src/domain/households/scoring.ts';
import { addHousehold, addMember } from '../src/domain/households/register.ts';
import { approveEntry, inspectionEntry } from '../src/domain/households/entries.ts';
import { objectToEntry, openPublicity, postMonth } from '../src/domain/households/month.ts';
import { monthOf } from '../src/domain/households/entries.ts';
import { fromShanghai, shanghaiDay } from '../src/lib/time.ts';

const DAY = 86_400_000;

/** Seeds the demo's household points once. */
export async function seedHouseholds(db: Db, secretKey: Buffer, now = Date.now()): Promise<void> {
  const existing = await db.$client.execute('SELECT count(*) AS n FROM households');
  if (Number(existing.rows[0].n) > 0) return;
  const one = async (q: string, args: (string | number)[] = []) => (await db.$client.execute({ sql: q, args })).rows[0];
  const admin = Number((await one(`SELECT id FROM users WHERE phone = '13900000001'`))?.id);
  const volunteer = Number((await one(`SELECT id FROM users WHERE phone = '13900000006'`))?.id);
  if (!admin) return;
  // 评议员 from the newest demo volunteers, leaving out the very newest two (trust tests pick those as targets).
  const others = (await db.$client.execute(`SELECT id FROM users WHERE phone LIKE '137%' ORDER BY id DESC LIMIT 12 OFFSET 2`)).rows.map((r) => Number(r.id));
  if (others.length < 12) return;
  const villages = (
    await db.$client.execute(`SELECT v.id, v.name FROM regions v JOIN regions t ON t.id = v.parent_id WHERE t.name = '城关镇' AND v.name IN ('河坝村', '金竹村') ORDER BY v.sort`)
  ).rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
  // Entries at 09:00 Beijing on their day, so a batch (a few hours apart) never crosses into another month.
  const seasonStart = fromShanghai(shanghaiDay(now - 62 * DAY), '09:00');
  const lastMonth = fromShanghai(shanghaiDay(now - 31 * DAY), '09:00');
  // One 村积分管理员 (a demo volunteer, appointed by the administrator) keeps both villages' registers.
  const clerk = others[6];
  for (const v of villages) {
    await db.$client.execute({ sql: `INSERT INTO village_roles (user_id, village_id, role, granted_by, granted_at) VALUES (?, ?, 'clerk', ?, ?)`, args: [clerk, v.id, admin, seasonStart - DAY] });
  }
  let n = 0;
  for (const [vi, v] of villages.entries()) {
    await startVillage(db, clerk, v.id, seasonStart - DAY);
    if (vi === 1) await updateVillageSettings(db, clerk, { villageId: v.id, publicityDays: 7, baseScore: 100, annualReset: true });
    // Three 评议员 a village, from the demo's volunteers (staff grant them; here the seed writes the rows).
    const assessors = others.slice(vi * 3, vi * 3 + 3);
    for (const a of assessors) {
      await db.$client.execute({ sql: `INSERT INTO village_roles (user_id, village_id, role, granted_by, granted_at) VALUES (?, ?, 'assessor', ?, ?)`, args: [a, v.id, admin, seasonStart] });
    }
    const homes: number[] = [];
    for (let h = 0; h < 8; h++) {
      n++;
      const head = SURNAMES[(n * 5) % SURNAMES.length] + GIVEN[(n * 13) % GIVEN.length];
      const id = await addHousehold(
        db,
        secretKey,
        clerk,
        { villageId: v.id, number: `${(h % 4) + 1}组-${String(h + 1).padStart(3, '0')}`, headName: head, phone: `1390000${String(1000 + n).slice(-4)}`, nameConsent: h % 3 === 0 },
        seasonStart,
      );
      await addMember(db, clerk, { householdId: id, name: SURNAMES[(n * 5) % SURNAMES.length] + GIVEN[(n * 17 + 3) % GIVEN.length], relation: h % 2 ? '配偶' : '子女' }, seasonStart);
      homes.push(id);
    }
    if (vi === 0 && volunteer) await addMember(db, clerk, { householdId: homes[0], name: '何思远', relation: '子女', accountPhone: '13900000006' }, seasonStart);
    const items = (await db.$client.execute({ sql: `SELECT id, direction FROM scoring_items WHERE village_id = ? AND active = 1 ORDER BY sort`, args: [v.id] })).rows.map((r) => ({
      id: Number(r.id),
      minus: r.direction === 'minus',
    }));
    const plus = items.filter((i) => !i.minus);
    const minus = items.filter((i) => i.minus);
    const enter = async (home: number, k: number, at: number, approvals: number) => {
      const item = k % 5 === 4 ? minus[k % minus.length] : plus[k % plus.length];
      const id = await inspectionEntry(db, assessors[0], { householdId: home, itemId: item.id, note: item.minus ? '评议小组入户查看，经劝导仍未整改' : '评议小组入户评定' }, at);
      if (approvals > 0) await approveEntry(db, assessors[1], id, at + 3_600_000);
      if (approvals > 1) await approveEntry(db, assessors[2], id, at + 7_200_000);
      return id;
    };
    // Two months back: judged, on 公示, posted.
    for (const [k, home] of homes.entries()) await enter(home, k, seasonStart + k * 3_600_000, 2);
    for (const [k, home] of homes.slice(0, 5).entries()) await enter(home, k + 3, seasonStart + DAY + k * 3_600_000, 2);
    await openPublicity(db, clerk, { villageId: v.id, month: monthOf(seasonStart) }, now - 40 * DAY);
    await postMonth(db, clerk, { villageId: v.id, month: monthOf(seasonStart) }, now - 30 * DAY);
    // Last month: judged and on 公示 now; one entry held by an objection.
    const onShow: number[] = [];
    for (const [k, home] of homes.entries()) onShow.push(await enter(home, k + 1, lastMonth + k * 3_600_000, 2));
    await openPublicity(db, clerk, { villageId: v.id, month: monthOf(lastMonth) }, now - 2 * DAY);
    if (vi === 0) await objectToEntry(db, secretKey, { entryId: onShow[2], reason: '据我了解这户的实际情况与评定不符，请评议小组再入户核实', ip: '192.0.2.10' }, now - DAY);
    // This month: still being judged.
    await enter(homes[1], 2, now - 2 * DAY, 1);
    await enter(homes[2], 6, now - DAY, 0);
  }
  // A village 爱心超市 whose goods accept household points.
  const shop = await one(
    `INSERT INTO shops (name, level, address, open_hours, pickup_days, created_at) VALUES ('城关镇河坝村爱心超市', 'village', '河坝村党群服务中心', '每月 10 日、25 日 9:00–12:00', 14, ?) RETURNING id`,
    [seasonStart],
  );
  const goods: [string, string, number, number, number, string | null][] = [
    ['洗洁精（1.5 kg）', '', 12, 30, 2, '河坝村乡贤理事会'],
    ['食盐两袋', '', 12, 40, 2, null],
    ['菜籽油（5 L）', '本地压榨菜籽油', 45, 10, 1, '县粮油公司'],
    ['电饭煲', '3 L 家用电饭煲', 120, 2, 1, '城关镇商会'],
  ];
  for (const [name, description, price, stock, limit, donor] of goods) {
    await db.$client.execute({
      sql: `INSERT INTO shop_items (shop_id, name, description, kind, price, stock, monthly_limit, donor, created_at) VALUES (?, ?, ?, 'household', ?, ?, ?, ?, ?)`,
      args: [Number(shop.id), name, description, price, stock, limit, donor, seasonStart],
    });
  }
}
