// Issue 20 time limits in 工作日 (docs/decisions/100): an order taken on before 国庆 is not overdue during
// the holiday — not escalated, not marked 逾期, counted on time when done on the days after — and an
// overdue order of a 乡镇 goes up to the 中心 with a 督办 notice while that 乡镇's 所 is told; the 中心
// maintains the calendar, audited, and the limits follow it.
import { beforeEach, describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { grantRoleAsAdmin } from '../../src/domain/accounts/admin.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { acceptOrder, assignOrder, createServiceOrder, finishOrder, listMenu, listServiceOrders, ServiceOrderSchema } from '../../src/domain/orders/index.ts';
import { escalateOverdueOrders } from '../../src/domain/orders/escalation.ts';
import { orderFigures } from '../../src/domain/orders/figures.ts';
import { removeWorkDay, saveWorkDay, workDaysOfYear } from '../../src/domain/orders/work-calendar.ts';
import { addMember, count, makeTeam, makeUser } from './hours-fixtures.ts';

let db: Db;
let townA: number;
let villageA: number;
let townB: number;
let itemId: number;
let centre: SessionUser;
let staffA: SessionUser;
let staffB: SessionUser;
let team: number;
let leader: SessionUser;
let seq = 0;

/** An instant given in Beijing time. */
const bj = (s: string) => Date.parse(`${s}+08:00`);

async function staff(name: string, townId: number | null, admin: number): Promise<SessionUser> {
  const phone = `1390000${String(4000 + ++seq)}`;
  const id = await createUser(db, TEST_KEY, { phone, password: 'x-long-password', realName: name });
  await grantRoleAsAdmin(db, { actorId: admin, userId: id, role: 'editor', townId });
  return { id, realName: name, phone, roles: ['volunteer', 'editor'], status: 'active' };
}

const order = (at: number) =>
  createServiceOrder(
    db,
    ServiceOrderSchema.parse({
      itemId,
      townId: townA,
      villageId: villageA,
      address: '3组12号',
      need: '家中老人想请志愿者帮忙打扫卫生。',
      requesterName: '张桂芳',
      requesterPhone: `1381234${String(++seq).padStart(4, '0')}`,
    }),
    {},
    at,
  );

beforeEach(async () => {
  db = await freshDb({ seed: 'base' });
  const tree = await regionTree(db);
  [townA, villageA, townB] = [tree[0].id, tree[0].villages[0].id, tree[1].id];
  // 助老助残: 当日受理, 3 working days to finish.
  itemId = (await listMenu(db)).find((i) => i.slug === 'elder-care')!.id;
  const admin = await createUser(db, TEST_KEY, { phone: '13900004999', password: 'x-long-password', realName: '管理员', roles: ['admin'] });
  centre = await staff('中心员', null, admin);
  staffA = await staff('甲镇所员', townA, admin);
  staffB = await staff('乙镇所员', townB, admin);
  team = await makeTeam(db, '国庆服务队');
  const leaderId = await makeUser(db, '国庆队长');
  await addMember(db, team, leaderId, 'leader');
  leader = { id: leaderId, realName: '国庆队长', phone: null, roles: ['volunteer'], status: 'active' };
});

describe('国庆', () => {
  test('an order accepted on 29 September is not overdue during the holiday, only after 9 October', async () => {
    const o = await order(bj('2026-09-29T10:00:00'));
    await acceptOrder(db, staffA, o.id, bj('2026-09-29T11:00:00'));
    await assignOrder(db, staffA, o.id, team, bj('2026-09-29T15:00:00'));
    // 3 working days: 30 September, 8 and 9 October (1–7 October off).
    for (const day of ['2026-10-02T12:00:00', '2026-10-05T12:00:00', '2026-10-07T23:00:00', '2026-10-09T23:59:00']) {
      expect(await escalateOverdueOrders(db, bj(day))).toBe(0);
      expect(await listServiceOrders(db, centre, { overdue: true }, bj(day))).toEqual([]);
    }
    expect((await orderFigures(db, bj('2026-10-06T12:00:00'))).total).toMatchObject({ doneDue: 0, doneOnTime: 0 });
    expect(await escalateOverdueOrders(db, bj('2026-10-10T00:30:00'))).toBe(1);
    expect((await listServiceOrders(db, centre, { overdue: true }, bj('2026-10-10T00:30:00'))).map((r) => r.o.id)).toEqual([o.id]);
  });

  test('done on 9 October, it counts as on time in 按时办结率', async () => {
    const o = await order(bj('2026-09-29T10:00:00'));
    await acceptOrder(db, centre, o.id, bj('2026-09-29T11:00:00'));
    await assignOrder(db, centre, o.id, team, bj('2026-09-29T15:00:00'));
    await finishOrder(db, leader, o.id, team, { note: '上门打扫卫生一次。', servedVolunteers: 1, beneficiaries: 1, hoursRecorded: false, noEventReason: '上门一次即完成' }, bj('2026-10-09T16:00:00'));
    expect((await orderFigures(db, bj('2026-10-20T12:00:00'))).total).toMatchObject({ doneOnTime: 1, doneDue: 1 });
  });

  test('an order arriving on 1 October is due for 受理 by the end of 8 October, the first day back', async () => {
    const o = await order(bj('2026-10-01T09:00:00'));
    expect(await escalateOverdueOrders(db, bj('2026-10-08T23:00:00'))).toBe(0);
    expect(await escalateOverdueOrders(db, bj('2026-10-09T00:30:00'))).toBe(1);
    expect(await count(db, "service_order_steps WHERE order_id = ? AND kind = 'escalated-new'", [o.id])).toBe(1);
  });
});

describe('escalation to the next level', () => {
  test('an overdue order of 乡镇 A: a 督办 notice to the 中心, a notice to A’s 所, none to B’s; once', async () => {
    const o = await order(bj('2026-12-01T09:00:00'));
    expect(await escalateOverdueOrders(db, bj('2026-12-01T23:00:00'))).toBe(0);
    expect(await escalateOverdueOrders(db, bj('2026-12-02T08:00:00'))).toBe(1);
    expect(await escalateOverdueOrders(db, bj('2026-12-02T09:00:00'))).toBe(0);
    expect(await count(db, "notices WHERE user_id = ? AND kind = 'order_overdue' AND title LIKE '【督办】%超过受理时限：DD-%'", [centre.id])).toBe(1);
    expect(await count(db, "notices WHERE user_id = ? AND kind = 'order_overdue' AND title LIKE '本乡镇服务点单超过受理时限，已提请县中心督办%'", [staffA.id])).toBe(1);
    expect(await count(db, 'notices WHERE user_id = ?', [staffB.id])).toBe(0);
    expect(await count(db, "service_order_steps WHERE order_id = ? AND text = '超过受理时限，已提请县新时代文明实践中心督办'", [o.id])).toBe(1);
    // The 所 sees the mark in its list; B's list does not even hold the order.
    expect((await listServiceOrders(db, staffA, {}, bj('2026-12-02T09:00:00')))[0]).toMatchObject({ overdue: true });
    expect(await listServiceOrders(db, staffB, { overdue: true }, bj('2026-12-02T09:00:00'))).toEqual([]);
  });
});

describe('the calendar staff maintain', () => {
  test('the 中心 adds a holiday and the limit moves; a 所 may not; both changes are audited', async () => {
    // Monday 2027-01-04 is an ordinary working day until the 中心 records a (hypothetical) holiday.
    const o = await order(bj('2027-01-04T09:00:00'));
    await expect(saveWorkDay(db, staffA, { day: '2027-01-04', working: false, note: '元旦' })).rejects.toMatchObject({ status: 'FORBIDDEN' });
    expect(await workDaysOfYear(db, 2027)).toEqual([]);
    await saveWorkDay(db, centre, { day: '2027-01-04', working: false, note: '元旦' });
    expect(await escalateOverdueOrders(db, bj('2027-01-05T08:00:00'))).toBe(0);
    await removeWorkDay(db, centre, '2027-01-04');
    expect(await escalateOverdueOrders(db, bj('2027-01-05T08:00:00'))).toBe(1);
    expect(await count(db, "audit_log WHERE action IN ('order.calendar_set', 'order.calendar_remove') AND target_id = '2027-01-04'")).toBe(2);
    expect(o.id).toBeGreaterThan(0);
  });

  test('a bad date or a missing name is refused next to its field, nothing written', async () => {
    await expect(saveWorkDay(db, centre, { day: '2027-02-30', working: false, note: '春节' })).rejects.toMatchObject({ field: 'day' });
    await expect(saveWorkDay(db, centre, { day: '2027-02-10', working: false, note: '' })).rejects.toMatchObject({ field: 'note' });
    expect(await workDaysOfYear(db, 2027)).toEqual([]);
  });

  test('every database starts with the 2026 notice: 国庆 off, the 调休 Saturday 10 October on', async () => {
    const days = new Map((await workDaysOfYear(db, 2026)).map((r) => [r.day, r.working]));
    expect(days.get('2026-10-01')).toBe(0);
    expect(days.get('2026-10-10')).toBe(1);
    expect(days.get('2026-02-14')).toBe(1);
    expect(days.size).toBe(25);
  });
});
