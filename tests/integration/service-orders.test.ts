// Issue 20 (四单): a resident orders from the menu, the centre accepts and assigns or opens it, one team
// claims it (exactly one of 100 pressing at once), the team closes it and the resident rates it; the
// tracking page shows each dated step and a low rating raises a 回访 flag.
import { beforeAll, describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import {
  acceptOrder,
  assignOrder,
  claimableOrders,
  claimOrder,
  claimWish,
  finishWish,
  wishesFor,
  createServiceOrder,
  finishOrder,
  getServiceOrder,
  listMenu,
  listServiceOrders,
  publicOrders,
  openOrder,
  rateOrder,
  rejectOrder,
  revealOrderPhone,
  ServiceOrderSchema,
} from '../../src/domain/orders/index.ts';
import { trackNumber } from '../../src/domain/tracking/index.ts';
import { isOverdue, orderFigures, ratePercent, rateText, teamOrderRecord } from '../../src/domain/orders/figures.ts';
import { escalateOverdueOrders } from '../../src/domain/orders/escalation.ts';
import { loadWorkCalendar } from '../../src/domain/orders/working-days.ts';
import { deadlinesFor } from '../../src/domain/orders/deadlines.ts';
import { addMember, count, makeTeam, makeUser } from './hours-fixtures.ts';

let db: Db;
let editor: SessionUser;
let townId: number;
let villageId: number;
let otherTownId: number;
let itemId: number;
let ipSeq = 0;

/** A 结项 report for an order served without an event (无需活动). */
const closing = (note: string) => ({ note, servedVolunteers: 2, beneficiaries: 1, hoursRecorded: false, noEventReason: '上门一次即解决，无需发布活动' });
const volunteer = (id: number): SessionUser => ({ id, realName: '队长', phone: null, roles: ['volunteer'], status: 'active' });
const track = (number: string, digits: string) => trackNumber(db, { number, digits, ip: `198.51.100.${++ipSeq % 250}`, secretKey: TEST_KEY });

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

/** A team of the order's 乡镇 with one leader; returns both ids. */
async function teamWithLeader(name: string, town: number | null = townId): Promise<{ team: number; leader: SessionUser }> {
  const team = await makeTeam(db, name);
  await db.$client.execute({ sql: 'UPDATE teams SET town_id = ? WHERE id = ?', args: [town, team] });
  const leaderId = await makeUser(db, `${name}队长`);
  await addMember(db, team, leaderId, 'leader');
  return { team, leader: volunteer(leaderId) };
}

function order(over: Partial<Record<string, unknown>> = {}) {
  return ServiceOrderSchema.parse({
    itemId,
    townId,
    villageId,
    address: '3组12号',
    need: '家中老人腿脚不便，想请志愿者帮忙打扫卫生、陪同去卫生院复查。',
    preferredTime: '周六上午',
    requesterName: '张桂芳',
    requesterPhone: '13812340001',
    ...over,
  });
}

beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
  const tree = await regionTree(db);
  townId = tree[0].id;
  villageId = tree[0].villages[0].id;
  otherTownId = tree[1].id;
  itemId = (await listMenu(db)).find((i) => i.slug === 'elder-care')!.id;
  const id = await createUser(db, TEST_KEY, { phone: '13900000202', password: 'x-long-password', realName: '中心编辑', roles: ['editor'] });
  editor = { id, realName: '中心编辑', phone: '13900000202', roles: ['editor'], status: 'active' };
});

describe('the menu', () => {
  test('every database starts with the county menu, the 微心愿 kind included', async () => {
    const menu = await listMenu(db);
    expect(new Set(menu.map((i) => i.category))).toEqual(
      new Set(['理论政策宣讲', '文化文艺', '助学支教', '医疗健康', '科学普及', '法律服务', '卫生环保', '扶贫帮困', '助老助残', '邻里互助', '微心愿']),
    );
    expect(menu.every((i) => i.acceptHours > 0 && i.finishDays > 0)).toBe(true);
  });
});

describe('点单', () => {
  test('an order gets a DD- number and a first dated step the resident reads with four digits', async () => {
    const o = await createServiceOrder(db, order());
    expect(o.trackingNo).toMatch(/^DD-\d{4}-[A-Z0-9]{6}$/);
    const t = await track(o.trackingNo.toLowerCase().replace(/-/g, ''), '0001');
    expect(t?.kind).toBe('志愿服务点单');
    expect(t?.status).toBe('待受理');
    expect(t?.timeline.map((s) => s.text)).toEqual(['网上点单：助老助残上门服务']);
    expect(await track(o.trackingNo, '9999')).toBeNull();
  });

  test('a village outside the chosen 乡镇 or an item not on the menu is refused next to its field, nothing written', async () => {
    const before = await count(db, 'service_orders');
    const other = (await regionTree(db))[1].villages[0].id;
    await expect(createServiceOrder(db, order({ villageId: other }))).rejects.toMatchObject({ field: 'villageId' });
    await expect(createServiceOrder(db, order({ itemId: 999999 }))).rejects.toMatchObject({ field: 'itemId' });
    expect(await count(db, 'service_orders')).toBe(before);
  });

  test('staff enter an order for a resident who phoned: source and the staff member recorded, audited', async () => {
    const o = await createServiceOrder(db, order({ requesterPhone: '13812340002' }), { source: '电话', by: editor });
    const row = await getServiceOrder(db, o.id);
    expect(row).toMatchObject({ source: '电话', enteredBy: editor.id });
    expect(await count(db, "audit_log WHERE action = 'order.create_on_behalf' AND target_id = ?", [String(o.id)])).toBe(1);
    expect((await track(o.trackingNo, '0002'))?.timeline[0].text).toBe('电话点单，工作人员代为登记：助老助残上门服务');
  });

  test('a volunteer cannot record an order as 电话/窗口', async () => {
    const { leader } = await teamWithLeader('冒充队');
    expect(await refusal(createServiceOrder(db, order(), { source: '窗口', by: leader }))).toBe('只有工作人员可以代群众点单');
  });
});

describe('the public record', () => {
  test('only orders the resident agreed to show appear, without name, phone, address or the need', async () => {
    const shown = await createServiceOrder(db, order({ requesterPhone: '13812340011', requesterName: '公开甲', publicConsent: true }));
    const hidden = await createServiceOrder(db, order({ requesterPhone: '13812340012', requesterName: '保密乙' }));
    const rows = await publicOrders(db, 100);
    const text = JSON.stringify(rows);
    expect(rows.length).toBe(1);
    expect(rows[0]).toMatchObject({ category: '助老助残', status: 'new', village_id: villageId });
    for (const secret of ['公开甲', '保密乙', '13812340011', '3组12号', '打扫卫生']) expect(text).not.toContain(secret);
    expect([shown.id, hidden.id].length).toBe(2);
  });
});

describe('审单 and 派单', () => {
  test('a rejection carries the reason to the tracking page', async () => {
    const o = await createServiceOrder(db, order({ requesterPhone: '13812340003' }));
    await rejectOrder(db, editor, o.id, '该需求属于医疗救治，请拨打 120');
    const t = await track(o.trackingNo, '0003');
    expect(t?.status).toBe('不予受理');
    expect(t?.timeline.at(-1)?.text).toBe('不予受理：该需求属于医疗救治，请拨打 120');
    expect(t?.finished).toBe(true);
  });

  test('reassignment moves the order to the new team, and the old team can no longer close it', async () => {
    const a = await teamWithLeader('城关甲队');
    const b = await teamWithLeader('城关乙队');
    const o = await createServiceOrder(db, order({ requesterPhone: '13812340004' }));
    await acceptOrder(db, editor, o.id);
    await assignOrder(db, editor, o.id, a.team);
    await assignOrder(db, editor, o.id, b.team);
    expect(await getServiceOrder(db, o.id)).toMatchObject({ status: 'assigned', teamId: b.team, dispatchMode: 'assign' });
    expect(await refusal(finishOrder(db, a.leader, o.id, a.team, closing('已上门打扫卫生一次')))).toBe('找不到该点单');
    const t = await track(o.trackingNo, '0004');
    expect(t?.timeline.map((s) => s.text)).toEqual(['网上点单：助老助残上门服务', '县新时代文明实践中心已受理', '已派单给“城关甲队”', '已改派给“城关乙队”']);
    expect(await count(db, "audit_log WHERE action = 'order.assign' AND target_id = ?", [String(o.id)])).toBe(1);
    expect(await count(db, "audit_log WHERE action = 'order.reassign' AND target_id = ?", [String(o.id)])).toBe(1);
  });

  test('only order staff may accept, and an order is accepted once', async () => {
    const { leader } = await teamWithLeader('越权队');
    const o = await createServiceOrder(db, order({ requesterPhone: '13812340005' }));
    expect(await refusal(acceptOrder(db, leader, o.id))).toBe('只有县文明实践中心的工作人员可以处理服务点单');
    await acceptOrder(db, editor, o.id);
    expect(await refusal(acceptOrder(db, editor, o.id))).toContain('不能受理');
  });

  test('revealing the phone is audited; lists never carry the full number', async () => {
    const o = await createServiceOrder(db, order({ requesterPhone: '13812340006' }));
    expect(await revealOrderPhone(db, editor, o.id, '192.0.2.1')).toBe('13812340006');
    expect(await count(db, "audit_log WHERE action = 'order.reveal_phone' AND target_id = ?", [String(o.id)])).toBe(1);
    const claimable = await claimableOrders(db, (await teamWithLeader('看单队')).team);
    expect(JSON.stringify(claimable)).not.toContain('1381234');
  });
});

describe('抢单', () => {
  test('100 teams claim one order at once: exactly one wins, everyone else is told, no error', async () => {
    const teams = [];
    for (let i = 0; i < 100; i++) teams.push(await teamWithLeader(`抢单队${i}`));
    const o = await createServiceOrder(db, order({ requesterPhone: '13812340007' }));
    await acceptOrder(db, editor, o.id);
    await openOrder(db, editor, o.id);
    const results = await Promise.allSettled(teams.map((t) => claimOrder(db, t.leader, o.id, t.team)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const messages = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    expect(messages).toHaveLength(99);
    expect(new Set(messages)).toEqual(new Set(['手慢了：该点单已被其他队伍接走']));
    const row = await getServiceOrder(db, o.id);
    expect(row).toMatchObject({ status: 'assigned', dispatchMode: 'claim' });
    const winner = teams[results.findIndex((r) => r.status === 'fulfilled')];
    expect(row?.teamId).toBe(winner.team);
    expect(await count(db, "service_order_steps WHERE order_id = ? AND kind = 'claimed'", [o.id])).toBe(1);
    expect(await count(db, "audit_log WHERE action = 'order.claim' AND target_id = ?", [String(o.id)])).toBe(1);
  });

  test('a team of another 乡镇 cannot claim; a non-leader cannot claim for a team', async () => {
    const far = await teamWithLeader('远方队', otherTownId);
    const near = await teamWithLeader('近邻队');
    const o = await createServiceOrder(db, order({ requesterPhone: '13812340008' }));
    await acceptOrder(db, editor, o.id);
    await openOrder(db, editor, o.id);
    expect((await claimableOrders(db, far.team)).map((r) => r.id)).not.toContain(o.id);
    expect(await refusal(claimOrder(db, far.leader, o.id, far.team))).toBe('该点单不在您队伍的服务区域内');
    expect(await refusal(claimOrder(db, far.leader, o.id, near.team))).toBe('只有该队伍的队长或副队长可以执行此操作');
    expect((await getServiceOrder(db, o.id))?.status).toBe('open');
  });
});

describe('接单 to 评单', () => {
  test('the claiming team closes with a 结项 note; a 2-star rating raises the 回访 flag; rating twice is refused', async () => {
    const t = await teamWithLeader('助老服务队');
    const o = await createServiceOrder(db, order({ requesterPhone: '13812340009' }));
    await acceptOrder(db, editor, o.id);
    await openOrder(db, editor, o.id);
    await claimOrder(db, t.leader, o.id, t.team);
    expect(await refusal(rateOrder(db, { secretKey: TEST_KEY, number: o.trackingNo, digits: '0009', rating: 5, comment: '' }))).toBe('服务完成后才能评价');
    expect(await refusal(finishOrder(db, t.leader, o.id, t.team, closing('好')))).toContain('结项说明');
    await finishOrder(db, t.leader, o.id, t.team, closing('两名志愿者上门打扫卫生，陪同老人到卫生院复查。'));
    expect((await track(o.trackingNo, '0009'))?.rateable).toBe(true);
    expect(await refusal(rateOrder(db, { secretKey: TEST_KEY, number: o.trackingNo, digits: '1234', rating: 2, comment: '' }))).toContain('没有找到');
    await rateOrder(db, { secretKey: TEST_KEY, number: o.trackingNo, digits: '0009', rating: 2, comment: '来晚了两个小时' });
    const row = await getServiceOrder(db, o.id);
    expect(row).toMatchObject({ status: 'rated', rating: 2, ratingComment: '来晚了两个小时', revisitDue: 1 });
    expect((await listServiceOrders(db, editor, { revisit: true })).map((r) => r.o.id)).toContain(o.id);
    expect(await refusal(rateOrder(db, { secretKey: TEST_KEY, number: o.trackingNo, digits: '0009', rating: 5, comment: '' }))).toBe('您已评价过这个点单，谢谢！');
    const tracked = await track(o.trackingNo, '0009');
    expect(tracked?.timeline.map((s) => s.text).slice(-3)).toEqual(['“助老服务队”已接单', '服务已完成，欢迎评价', '群众评价：2 星，工作人员将回访']);
    expect(tracked?.finished).toBe(true);
  });

  test('a 5-star rating raises no 回访 flag', async () => {
    const t = await teamWithLeader('五星队');
    const o = await createServiceOrder(db, order({ requesterPhone: '13812340010' }));
    await acceptOrder(db, editor, o.id);
    await assignOrder(db, editor, o.id, t.team);
    await finishOrder(db, t.leader, o.id, t.team, closing('上门理发两人，打扫卫生一次。'));
    await rateOrder(db, { secretKey: TEST_KEY, number: o.trackingNo, digits: '0010', rating: 5, comment: '很满意' });
    expect((await getServiceOrder(db, o.id))?.revisitDue).toBe(0);
  });
});

describe('published figures', () => {
  test('the rates equal a hand count of five orders with known timestamps, and overdue orders are marked', async () => {
    const own = await freshDb({ seed: 'base' });
    const id = await createUser(own, TEST_KEY, { phone: '13900000203', password: 'x-long-password', realName: '统计编辑', roles: ['editor'] });
    const ed: SessionUser = { id, realName: '统计编辑', phone: '13900000203', roles: ['editor'], status: 'active' };
    const team = await makeTeam(own, '统计队');
    const leaderId = await makeUser(own, '统计队长');
    await addMember(own, team, leaderId, 'leader');
    const leader = volunteer(leaderId);
    const H = 3600_000;
    const D = 86400_000;
    const t0 = Date.UTC(2026, 9, 10, 2); // 10 October 2026, 10:00 in Beijing
    const make = (phone: string) => createServiceOrder(own, order({ requesterPhone: phone }), {}, t0);
    // o1: accepted in 1 h, assigned, done in 1 day, rated 5 — on time everywhere, satisfied.
    const o1 = await make('13812341001');
    await acceptOrder(own, ed, o1.id, t0 + H);
    await assignOrder(own, ed, o1.id, team, t0 + 2 * H);
    await finishOrder(own, leader, o1.id, team, closing('上门打扫卫生一次。'), t0 + D);
    await rateOrder(own, { secretKey: TEST_KEY, number: o1.trackingNo, digits: '1001', rating: 5, comment: '' }, t0 + 2 * D);
    // o2: accepted after 30 h (late), claimed, done after 5 days (late), rated 2.
    const o2 = await make('13812341002');
    await acceptOrder(own, ed, o2.id, t0 + 30 * H);
    await openOrder(own, ed, o2.id, t0 + 30 * H);
    await claimOrder(own, leader, o2.id, team, t0 + 31 * H);
    await finishOrder(own, leader, o2.id, team, closing('陪同就医一次。'), t0 + 5 * D);
    await rateOrder(own, { secretKey: TEST_KEY, number: o2.trackingNo, digits: '1002', rating: 2, comment: '' }, t0 + 6 * D);
    // o3: never accepted, now past the limit. o4: rejected (not in the 受理 rate). o5: accepted in time, not dispatched.
    await make('13812341003');
    const o4 = await make('13812341004');
    await rejectOrder(own, ed, o4.id, '不属于志愿服务范围', t0 + 2 * H);
    const o5 = await make('13812341005');
    await acceptOrder(own, ed, o5.id, t0 + H);
    const now = t0 + 10 * D;
    const f = await orderFigures(own, now);
    expect(f.total).toEqual({ key: '全县', orders: 5, acceptedOnTime: 2, acceptDue: 4, dispatched: 2, accepted: 3, doneOnTime: 1, doneDue: 2, satisfied: 1, rated: 2, serviceVisits: 0 });
    expect(rateText(f.total.acceptedOnTime, f.total.acceptDue)).toBe('50.0%（2/4）');
    expect(rateText(f.total.satisfied, f.total.rated)).toBe('50.0%（1/2）');
    expect(rateText(0, 0)).toBe('—');
    expect(ratePercent(f.total.dispatched, f.total.accepted)).toBe('66.7%');
    expect(f.byCategory).toEqual([expect.objectContaining({ key: '助老助残', orders: 5 })]);
    expect(f.byMonth).toEqual([expect.objectContaining({ key: '2026-10', orders: 5 })]);
    expect(f.byTown.map((r) => r.orders)).toEqual([5]);
    // The team's own record: two done, both rated, one 4–5 stars, average 3.5.
    expect(await teamOrderRecord(own, team)).toEqual({ done: 2, rated: 2, satisfied: 1, average: 3.5 });
    // Limits in working days (docs/decisions/100): t0 is the 调休 Saturday 10 October, a working day, so
    // 受理 is due by its end (t0 + 14 h) and 办结 by the end of Wednesday 14 October (t0 + 110 h).
    const item = { acceptHours: 24, dispatchHours: 24, finishDays: 3 };
    const cal = await loadWorkCalendar(own);
    const placed = deadlinesFor({ createdAt: t0, acceptedAt: null }, item, cal);
    const taken = deadlinesFor({ createdAt: t0, acceptedAt: t0 }, item, cal);
    expect(isOverdue({ status: 'new', ...placed }, t0 + 15 * H)).toBe(true);
    expect(isOverdue({ status: 'new', ...placed }, t0 + 13 * H)).toBe(false);
    expect(isOverdue({ status: 'assigned', ...taken }, t0 + 109 * H)).toBe(false);
    expect(isOverdue({ status: 'assigned', ...taken }, t0 + 111 * H)).toBe(true);
    expect(isOverdue({ status: 'rated', ...taken }, t0 + 40 * D)).toBe(false);
  });
});

describe('overdue escalation', () => {
  test('an order past its limit escalates once per stage: a step the resident reads and a notice to order staff and the holding team', async () => {
    const own = await freshDb({ seed: 'base' });
    const id = await createUser(own, TEST_KEY, { phone: '13900000204', password: 'x-long-password', realName: '督办编辑', roles: ['editor'] });
    const ed: SessionUser = { id, realName: '督办编辑', phone: '13900000204', roles: ['editor'], status: 'active' };
    const team = await makeTeam(own, '督办队');
    const leaderId = await makeUser(own, '督办队长');
    await addMember(own, team, leaderId, 'leader');
    const H = 3600_000;
    const t0 = Date.UTC(2026, 9, 10, 2);
    const o = await createServiceOrder(own, order({ requesterPhone: '13812342001' }), {}, t0);
    // t0 is a 调休 working Saturday: 受理 is due by its end, t0 + 14 h.
    expect(await escalateOverdueOrders(own, t0 + 13 * H)).toBe(0);
    expect(await escalateOverdueOrders(own, t0 + 15 * H)).toBe(1);
    expect(await escalateOverdueOrders(own, t0 + 26 * H)).toBe(0);
    expect(await count(own, "notices WHERE user_id = ? AND kind = 'order_overdue'", [id])).toBe(1);
    const steps = await own.$client.execute({ sql: 'SELECT text FROM service_order_steps WHERE order_id = ? ORDER BY at, id', args: [o.id] });
    expect(steps.rows.map((r) => r.text)).toContain('超过受理时限，已提请县新时代文明实践中心督办');
    // Accepted and assigned late, still not done after the item's 3 working days (end of Wednesday 14
    // October, t0 + 110 h): the finishing stage escalates, and the team hears of it.
    await acceptOrder(own, ed, o.id, t0 + 26 * H);
    await assignOrder(own, ed, o.id, team, t0 + 27 * H);
    expect(await escalateOverdueOrders(own, t0 + 109 * H)).toBe(0);
    expect(await escalateOverdueOrders(own, t0 + 111 * H)).toBe(1);
    expect(await count(own, "notices WHERE user_id = ? AND kind = 'order_overdue'", [leaderId])).toBe(1);
    expect(await count(own, "notices WHERE user_id = ? AND kind = 'order_overdue'", [id])).toBe(2);
    expect(await escalateOverdueOrders(own, t0 + 130 * H)).toBe(0);
  });
});

describe('微心愿', () => {
  test('one volunteer claims a wish alone (of ten pressing at once), sees the contact, fulfils it; a team order cannot be claimed this way', async () => {
    const wishItem = (await listMenu(db)).find((i) => i.slug === 'wish')!.id;
    const o = await createServiceOrder(db, order({ itemId: wishItem, requesterPhone: '13812343001', need: '孩子想要一套课外读物。', estimatedValue: 60 }));
    await acceptOrder(db, editor, o.id);
    await openOrder(db, editor, o.id);
    const people: SessionUser[] = [];
    for (let i = 0; i < 10; i++) people.push(volunteer(await makeUser(db, `心愿志愿者${i}`)));
    const results = await Promise.allSettled(people.map((p) => claimWish(db, p, o.id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(new Set(results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : [])))).toEqual(new Set(['手慢了：这个心愿已被别人认领']));
    const winner = people[results.findIndex((r) => r.status === 'fulfilled')];
    expect(await getServiceOrder(db, o.id)).toMatchObject({ status: 'assigned', claimedByUser: winner.id, teamId: null, dispatchMode: 'volunteer' });
    const view = await wishesFor(db, winner.id);
    expect(view.mine.map((w) => w.requesterPhone)).toEqual(['13812343001']);
    expect(JSON.stringify(view.open)).not.toContain('13812343001');
    const loser = people.find((p) => p.id !== winner.id)!;
    expect(await refusal(finishWish(db, loser, o.id, '已把书送到孩子家里。'))).toBe('找不到该心愿');
    await finishWish(db, winner, o.id, '已把书送到孩子家里。');
    expect((await getServiceOrder(db, o.id))?.status).toBe('done');
    // An ordinary order is for teams only.
    const plain = await createServiceOrder(db, order({ requesterPhone: '13812343002' }));
    await acceptOrder(db, editor, plain.id);
    await openOrder(db, editor, plain.id);
    expect(await refusal(claimWish(db, winner, plain.id))).toBe('找不到该心愿');
    expect((await getServiceOrder(db, plain.id))?.status).toBe('open');
  });
});
