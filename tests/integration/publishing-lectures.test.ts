// 点单式普法 as a category of the 四单 loop (docs/decisions/101): the order is a service order of the lecture
// item, accepted like any order, dispatched to a lecturer (the lecture becomes an event), delivered with its
// audience counted, and rated on /track (or through the private link of an order placed before 0023).
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import { acceptOrder, assignOrder, openOrder, orderSteps, rateOrder } from '../../src/domain/orders/index.ts';
import { createLectureOrder, getLectureOrder, lectureTotals, listLecturers, listLectureTeams, rateLecture, recordLectureDelivery, scheduleLecture } from '../../src/domain/legal/lectures.ts';
import { getPublicEvent } from '../../src/domain/events/public.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { EDITOR, staff } from './publishing-helpers.ts';

let db: Db;
let editor: SessionUser;
beforeAll(async () => {
  db = await freshDb({ seed: 'demo' });
  editor = await staff(db, EDITOR);
});

describe('点单式普法', () => {
  test('an order is a service order of the lecture item, becomes a 普法讲座 event, is delivered, rated once, and counts in the totals', async () => {
    const before = await lectureTotals(db);
    expect(before.total.sessions).toBeGreaterThan(0); // demo data
    const [town] = await regionTree(db);
    const order = await createLectureOrder(db, {
      topic: '反电信诈骗',
      townId: town.id,
      villageId: town.villages[0].id,
      audienceExpected: 40,
      preferredDates: '下周三上午',
      requesterName: '王主任',
      requesterPhone: '13811112222',
      organisation: '村委会',
      note: '',
      audienceType: '村（居）民',
    });
    expect(order.trackingNo).toMatch(/^DD-\d{4}-[A-Z2-9]{6}$/);
    const row = (await db.$client.execute({ sql: 'SELECT o.status, o.lecture, i.kind, i.category FROM service_orders o JOIN service_items i ON i.id = o.item_id WHERE o.id = ?', args: [order.id] }))
      .rows[0];
    expect(row).toMatchObject({ status: 'new', kind: 'lecture', category: '法律服务' });
    expect(JSON.parse(String(row.lecture))).toMatchObject({ topic: '反电信诈骗', audienceExpected: 40, audienceType: '村（居）民', organisation: '村委会' });
    await acceptOrder(db, editor, order.id);
    const [lecturer] = await listLecturers(db);
    const [team] = await listLectureTeams(db);
    const startsAt = Date.now() + 3 * 86400_000;
    const y9999 = Date.UTC(9999, 0, 1);
    await expect(scheduleLecture(db, editor, order.id, { lecturerId: lecturer.id, teamId: team.id, startsAt: y9999, endsAt: y9999 + 5400_000, address: '村委会', capacity: 50 })).rejects.toThrow(
      '讲座时间最多可安排在两年以内',
    );
    await expect(scheduleLecture(db, editor, order.id, { lecturerId: editor.id, teamId: team.id, startsAt, endsAt: startsAt + 5400_000, address: '村委会', capacity: 50 })).rejects.toThrow('法律');
    const eventId = await scheduleLecture(db, editor, order.id, { lecturerId: lecturer.id, teamId: team.id, startsAt, endsAt: startsAt + 5400_000, address: '村委会会议室', capacity: 50 });
    const ev = await getPublicEvent(db, eventId);
    expect(ev.event).toMatchObject({ category: '普法讲座', status: 'published', serviceOrderId: order.id, teamId: team.id });
    expect(await getLectureOrder(db, order.id)).toMatchObject({ status: 'assigned', lecturerId: lecturer.id, teamId: team.id, eventId });
    // An order placed before 0023 kept its private rating link: give this one such a link to rate through.
    const token = 'a'.repeat(32);
    await db.$client.execute({ sql: 'UPDATE service_orders SET rate_token_hash = ? WHERE id = ?', args: [createHash('sha256').update(token).digest('hex'), order.id] });
    await expect(rateLecture(db, token, { rating: 5, comment: '' })).rejects.toThrow('开讲后');
    await recordLectureDelivery(db, editor, order.id, { audience: 57 });
    expect((await getPublicEvent(db, eventId)).event.status).toBe('completed');
    expect((await orderSteps(db, order.id)).map((st) => st.kind)).toEqual(['created', 'accepted', 'assigned', 'done']);
    await expect(rateLecture(db, 'x'.repeat(32), { rating: 5, comment: '' })).rejects.toThrow('无效');
    // Two ratings at once: exactly one is kept, the other is told so. Which one wins is the
    // database's order of arrival (over HTTP either may; decision 082).
    const both = await Promise.allSettled([rateLecture(db, token, { rating: 4, comment: '很实用' }), rateLecture(db, token, { rating: 1, comment: '重复' })]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(both.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason.message))).toEqual(['您已评价过这场讲座，谢谢！']);
    const kept = both[0].status === 'fulfilled' ? { rating: 4, ratingComment: '很实用' } : { rating: 1, ratingComment: '重复' };
    const o = await getLectureOrder(db, order.id);
    expect(o).toMatchObject({ status: 'rated', ...kept, audienceActual: 57 });
    const after = await lectureTotals(db);
    expect(after.total).toEqual({ sessions: before.total.sessions + 1, audience: before.total.audience + 57 });
    expect(after.byTopic.find((t) => t.topic === '反电信诈骗')!.audience).toBe((before.byTopic.find((t) => t.topic === '反电信诈骗')?.audience ?? 0) + 57);
    expect(after.byTown.find((t) => t.townId === town.id)!.sessions).toBe((before.byTown.find((t) => t.townId === town.id)?.sessions ?? 0) + 1);
  });

  test('a new lecture order is rated on /track with four digits, like every order; 1–2 stars ask for a 回访', async () => {
    const [town] = await regionTree(db);
    const order = await createLectureOrder(db, {
      topic: '民法典',
      townId: town.id,
      villageId: town.villages[0].id,
      audienceExpected: 30,
      preferredDates: '周末',
      requesterName: '赵敏',
      requesterPhone: '13811114444',
      audienceType: '老年人',
    });
    const [lecturer] = await listLecturers(db);
    const [team] = await listLectureTeams(db);
    const startsAt = Date.now() + 2 * 86400_000;
    await scheduleLecture(db, editor, order.id, { lecturerId: lecturer.id, teamId: team.id, startsAt, endsAt: startsAt + 3600_000, address: '村委会会议室', capacity: 40 });
    await recordLectureDelivery(db, editor, order.id, { audience: 33 });
    await rateOrder(db, { secretKey: TEST_KEY, number: order.trackingNo, digits: '4444', rating: 2, comment: '时间太短' });
    expect(await getLectureOrder(db, order.id)).toMatchObject({ status: 'rated', rating: 2 });
    expect((await db.$client.execute({ sql: 'SELECT revisit_due FROM service_orders WHERE id = ?', args: [order.id] })).rows[0].revisit_due).toBe(1);
  });

  test('a lecture order is not sent to a team or to the 抢单 pool by the general dispatch: nothing changes', async () => {
    const [town] = await regionTree(db);
    const order = await createLectureOrder(db, {
      topic: '禁毒',
      townId: town.id,
      villageId: town.villages[0].id,
      audienceExpected: 25,
      preferredDates: '周五下午',
      requesterName: '孙老师',
      requesterPhone: '13811115555',
      audienceType: '中小学生',
    });
    await acceptOrder(db, editor, order.id);
    const [team] = await listLectureTeams(db);
    await expect(openOrder(db, editor, order.id)).rejects.toMatchObject({ status: 'CONFLICT', message: expect.stringContaining('指派主讲人') });
    await expect(assignOrder(db, editor, order.id, team.id)).rejects.toMatchObject({ status: 'CONFLICT' });
    expect(await getLectureOrder(db, order.id)).toMatchObject({ status: 'accepted', teamId: null });
  });

  test('a volunteer without the lecture ability cannot handle orders', async () => {
    const vol = await staff(db, '13900000006');
    const [town] = await regionTree(db);
    const order = await createLectureOrder(db, {
      topic: '宪法',
      townId: town.id,
      villageId: town.villages[0].id,
      audienceExpected: 20,
      preferredDates: '周末',
      requesterName: '李四',
      requesterPhone: '13811113333',
      organisation: '',
      note: '',
    });
    const [lecturer] = await listLecturers(db);
    const [team] = await listLectureTeams(db);
    const startsAt = Date.now() + 2 * 86400_000;
    await expect(scheduleLecture(db, vol, order.id, { lecturerId: lecturer.id, teamId: team.id, startsAt, endsAt: startsAt + 3600_000, address: '村委会', capacity: 40 })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(acceptOrder(db, vol, order.id)).rejects.toMatchObject({ status: 'FORBIDDEN' });
  });

  test('a village from another town is refused', async () => {
    const [a, b] = await regionTree(db);
    await expect(
      createLectureOrder(db, {
        topic: '宪法',
        townId: a.id,
        villageId: b.villages[0].id,
        audienceExpected: 20,
        preferredDates: '周末',
        requesterName: '李四',
        requesterPhone: '13811113333',
        organisation: '',
        note: '',
      }),
    ).rejects.toThrow('不属于');
  });
});
