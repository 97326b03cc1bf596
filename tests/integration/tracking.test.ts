// Issue 18, item 7: every number a resident was given — nomination (TJ-), 普法 order (PF), objection
// (YY-) — is looked up with four digits and answers a dated timeline and 下一步; guesses learn nothing.
import { beforeAll, describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { listTowns, regionTree } from '../../src/domain/regions/index.ts';
import { HonoreeSchema, NominationSchema } from '../../src/domain/honors/schemas.ts';
import { createBatch, createHonoree, startPublicity } from '../../src/domain/honors/admin.ts';
import { fileObjection, resolveObjection } from '../../src/domain/honors/publicity.ts';
import { nominationToCandidate, submitNomination } from '../../src/domain/honors/nominations.ts';
import { createLectureOrder } from '../../src/domain/legal/lectures.ts';
import { acceptOrder } from '../../src/domain/orders/index.ts';
import { KINDS, normaliseNumber, trackNumber, TRACK_LOOKUPS_PER_NUMBER_PER_HOUR } from '../../src/domain/tracking/index.ts';
import { shanghaiDay } from '../../src/lib/time.ts';
import { staff } from './publishing-helpers.ts';

let db: Db;
let townId: number;
let editor: { id: number; ip: string };
let ipSeq = 0;
/** Each lookup from its own address, so the per-address limit stays out of the tests that do not test it. */
const track = (number: string, digits: string, now = Date.now()) => trackNumber(db, { number, digits, ip: `198.51.100.${++ipSeq % 250}`, secretKey: TEST_KEY }, now);
const today = shanghaiDay(Date.now());
const inAWeek = shanghaiDay(Date.now() + 7 * 86400_000);

beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
  townId = (await listTowns(db))[0].id;
  editor = { id: await createUser(db, TEST_KEY, { phone: '13900000102', password: 'x-long-password', realName: '编辑', roles: ['editor'] }), ip: '192.0.2.9' };
});

async function candidate(name = '王秀兰') {
  const batchId = await createBatch(db, editor, { title: `测试批次${Math.random().toString(36).slice(2, 8)}`, period: '2026年第四季度' });
  const h = await createHonoree(
    db,
    editor,
    HonoreeSchema.parse({
      kind: 'person',
      name,
      townId,
      category: '助人为乐',
      level: '县',
      summary: '照顾孤寡老人。',
      nameConsent: true,
      consentBy: '本人',
      consentAt: today,
      consentMethod: '书面同意书',
      batchId,
    }),
  );
  await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
  return { batchId, honoreeId: h.id };
}

describe('tracking numbers that track', () => {
  test('a nomination: found with the phone’s last four, a dated timeline, 下一步, the nominee’s name masked', async () => {
    const { trackingNo } = await submitNomination(
      db,
      TEST_KEY,
      NominationSchema.parse({
        nominatorName: '赵大姐',
        nominatorPhone: '13812345678',
        relation: '邻居',
        nomineeName: '陈建国',
        townId,
        category: '助人为乐',
        deeds: '陈师傅是我们小区的修车师傅，十年来免费为老人和学生修车，风雨无阻，还常常自掏腰包买零件，街坊邻居都夸他是热心肠的好人。',
      }),
      '192.0.2.50',
    );
    const t = await track(trackingNo.toLowerCase(), '5678');
    expect(t).toMatchObject({ kind: '好人推荐', number: trackingNo, status: '待核实', finished: false });
    expect(t!.timeline).toEqual([expect.objectContaining({ text: expect.stringContaining('提交推荐'), at: expect.any(Number) })]);
    expect(t!.next).toContain('核实');
    expect(JSON.stringify(t)).not.toContain('陈建国');
    expect(JSON.stringify(t)).not.toContain('13812345678');
    expect(t!.subject).toContain('陈*国');

    // Accepted as a candidate in 公示: the timeline grows and 下一步 follows.
    const batchId = await createBatch(db, editor, { title: '推荐转入批次', period: '2026年第四季度' });
    const [row] = (await db.$client.execute({ sql: 'SELECT id FROM nominations WHERE tracking_no = ?', args: [trackingNo] })).rows;
    const honoreeId = await nominationToCandidate(db, editor, Number(row.id), batchId);
    await db.$client.execute({ sql: "UPDATE honorees SET consent_by = '本人', consent_at = ?, consent_method = '书面同意书' WHERE id = ?", args: [today, honoreeId] });
    await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
    const later = await track(trackingNo, '5678');
    expect(later!.timeline.map((e) => e.text)).toEqual([expect.stringContaining('提交推荐'), expect.stringContaining('已列为候选人'), expect.stringContaining('进入公示')]);
  });

  test('wrong digits and a number that does not exist answer the same null', async () => {
    const { trackingNo } = await submitNomination(
      db,
      TEST_KEY,
      NominationSchema.parse({
        nominatorName: '钱先生',
        nominatorPhone: '13900001111',
        relation: '同事',
        nomineeName: '孙莉',
        townId,
        category: '敬业奉献',
        deeds: '孙莉医生二十年扎根乡镇卫生院，夜里出诊从不推辞，下雨天也背着药箱走村入户，村里老人都叫她“贴心孙大夫”，大家一致推荐她上好人榜。',
      }),
      '192.0.2.51',
    );
    expect(await track(trackingNo, '2222')).toBeNull();
    expect(await track('TJ-2026-ZZZZZZ', '1111')).toBeNull();
    expect(await track('PF20261203ZZZZ', '1111')).toBeNull();
    expect(await track('NO-SUCH-KIND', '1111')).toBeNull();
  });

  test('a 普法 order (a service order of the lecture item): accepted on a date, with 下一步', async () => {
    const [town] = await regionTree(db);
    const order = await createLectureOrder(db, {
      topic: '反电信诈骗',
      townId: town.id,
      villageId: town.villages[0].id,
      audienceExpected: 40,
      preferredDates: '下周三上午',
      requesterName: '王主任',
      requesterPhone: '13811112222',
      organisation: '',
      note: '',
    });
    expect((await track(order.trackingNo, '2222'))!.next).toContain('3 天内');
    const ed = await staff(db, '13900000102');
    const o2 = await createLectureOrder(db, {
      topic: '反电信诈骗',
      townId: town.id,
      villageId: town.villages[0].id,
      audienceExpected: 40,
      preferredDates: '下周',
      requesterName: '王主任',
      requesterPhone: '13811113333',
      organisation: '',
      note: '',
    });
    await acceptOrder(db, ed, o2.id);
    const t = await trackNumber(db, { number: o2.trackingNo, digits: '3333', ip: '198.51.100.251', secretKey: TEST_KEY });
    expect(t).toMatchObject({ kind: '普法讲座预约', subject: '讲座主题：反电信诈骗', status: '已受理，待派单' });
    expect(t!.timeline.map((e) => e.text)).toEqual(['网上预约普法讲座：反电信诈骗', '县新时代文明实践中心已受理']);
    expect(t!.timeline[1].at).toBeGreaterThanOrEqual(t!.timeline[0].at);
  });

  test('an objection gets a number; with a phone its last four track it, without one a random 查询码 does', async () => {
    const { batchId, honoreeId } = await candidate('李桂芳');
    const withPhone = await fileObjection(db, TEST_KEY, { honoreeId, text: '该候选人的事迹与实际不符，请核查。', contact: '李先生 139-0000-4321' }, '203.0.113.10');
    expect(withPhone.trackingNo).toMatch(/^YY-\d{4}-[A-Z0-9]{6}$/);
    expect(withPhone).toMatchObject({ pin: '4321', pinIsPhone: true });
    const t = await track(withPhone.trackingNo, '4321');
    expect(t).toMatchObject({ kind: '公示异议', status: '核查中', finished: false });
    expect(t!.subject).toContain('李*芳');
    const anonymous = await fileObjection(db, TEST_KEY, { honoreeId, text: '该候选人的事迹与实际不符，请核查。' }, '203.0.113.11');
    expect(anonymous.pin).toMatch(/^\d{4}$/);
    expect(anonymous.pinIsPhone).toBe(false);
    expect(await track(anonymous.trackingNo, anonymous.pin)).toMatchObject({ status: '核查中' });
    await resolveObjection(db, editor, { id: withPhone.id, outcome: 'dismissed', resolution: '经村委会核实，事迹属实。' });
    const done = await track(withPhone.trackingNo, '4321');
    expect(done).toMatchObject({ status: '异议不成立', finished: true });
    expect(done!.timeline.map((e) => e.text)).toEqual(['提交异议', expect.stringContaining('不成立')]);
    // The staff's finding may name people: it is not shown.
    expect(JSON.stringify(done)).not.toContain('村委会核实');
    expect(batchId).toBeGreaterThan(0);
  });

  test('guessing is limited per number (and per address); bad input is refused next to its field', async () => {
    const number = 'TJ-2026-GUESS1';
    for (let i = 0; i < TRACK_LOOKUPS_PER_NUMBER_PER_HOUR; i++) expect(await track(number, String(1000 + i))).toBeNull();
    await expect(track(number, '2000')).rejects.toMatchObject({ status: 'TOO_MANY_REQUESTS' });
    await expect(track('', '1234')).rejects.toMatchObject({ status: 'BAD_REQUEST', field: 'no' });
    await expect(track('TJ-2026-ABCDEF', '12')).rejects.toMatchObject({ status: 'BAD_REQUEST', field: 'last4' });
    await expect(track('<script>', '1234')).rejects.toMatchObject({ field: 'no' });
    const ip = '198.51.100.252';
    const tries = await Promise.all(
      Array.from({ length: 31 }, (_, i) => trackNumber(db, { number: `TJ-2026-IP${String(i).padStart(4, '0')}`, digits: '1234', ip, secretKey: TEST_KEY }).catch((e) => e.status)),
    );
    expect(tries.filter((x) => x === 'TOO_MANY_REQUESTS')).toHaveLength(1);
  });

  test('numbers are read as people type them', () => {
    expect(normaliseNumber(' tj2026abc123 ')).toBe('TJ-2026-ABC123');
    expect(normaliseNumber('ＹＹ－２０２６－ＡＢＣ１２３')).toBe('YY-2026-ABC123');
    expect(normaliseNumber('pf20261203ab34')).toBe('PF20261203AB34');
  });

  test('every kind claims its own number format and no other', () => {
    const samples = ['TJ-2026-ABC234', 'PF20261203AB34', 'YY-2026-ABC234'];
    for (const s of samples) expect(KINDS.filter((k) => k.matches(s))).toHaveLength(1);
  });
});
