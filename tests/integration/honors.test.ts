// 好人榜 pipeline against a real libSQL file: 公示, 终审, consent rules, likes, nominations.
import { beforeAll, describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { listTowns } from '../../src/domain/regions/index.ts';
import { HonoreeSchema, NominationSchema } from '../../src/domain/honors/schemas.ts';
import { HonorError } from '../../src/domain/honors/rules.ts';
import {
  approveBatch,
  createBatch,
  createHonoree,
  getBatch,
  startPublicity,
  submitForReview,
  updateHonoree,
  updateBatch,
  returnBatch,
  withdrawHonoree,
  batchReviewSteps,
  listBatches,
  batchHonorees,
} from '../../src/domain/honors/admin.ts';
import {
  listCandidateBatches,
  fileObjection,
  isVisitorToken,
  likeCandidate,
  likeKeys,
  newVisitorToken,
  NEW_LIKE_VISITORS_PER_IP_PER_DAY,
  resolveObjection,
} from '../../src/domain/honors/publicity.ts';
import { listNominations, nominationToCandidate, revealNominatorPhone, submitNomination, NOMINATIONS_PER_IP_PER_DAY } from '../../src/domain/honors/nominations.ts';
import { adoptNominationPhoto } from '../../src/domain/honors/nomination-photo.ts';
import { fromShanghai, shanghaiDay } from '../../src/lib/time.ts';
import { publicHonoreeName, starLevel, volunteerStanding } from '../../src/domain/honors/public.ts';
import { batchChangesSinceLastReview, candidatePreviews } from '../../src/domain/honors/review-changes.ts';

let db: Db;
let editor: { id: number };
let reviewer: { id: number };
let admin: { id: number };
let townId: number;
const today = shanghaiDay(Date.now());
const inAWeek = shanghaiDay(Date.now() + 7 * 86400_000);
const year = Number(today.slice(0, 4));
/** The first minute after a 公示 that ends in a week (the tests pass the clock; nothing waits). */
const afterPublicity = fromShanghai(inAWeek, '23:59') + 60_000;

const consent = { consentBy: '本人', consentAt: today, consentMethod: '书面同意书' };
function entry(over: Record<string, unknown> = {}) {
  return HonoreeSchema.parse({ kind: 'person', name: '王秀兰', townId, category: '助人为乐', level: '县', summary: '三十年如一日照顾孤寡老人。', nameConsent: true, ...consent, ...over });
}

async function batchInReview(over: Record<string, unknown> = {}) {
  const batchId = await createBatch(db, editor, { title: `测试批次${Math.random().toString(36).slice(2, 8)}`, period: '2026年第三季度' });
  const h = await createHonoree(db, editor, entry({ batchId, ...over }));
  await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
  await submitForReview(db, editor, { id: batchId, opinion: '公示期间未收到异议。' }, afterPublicity);
  return { batchId, honoreeId: h.id };
}

beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
  townId = (await listTowns(db))[0].id;
  editor = { id: await createUser(db, TEST_KEY, { phone: '13900000102', password: 'x-long-password', realName: '编辑', roles: ['editor'] }) };
  reviewer = { id: await createUser(db, TEST_KEY, { phone: '13900000103', password: 'x-long-password', realName: '审核', roles: ['reviewer'] }) };
  admin = { id: await createUser(db, TEST_KEY, { phone: '13900000104', password: 'x-long-password', realName: '管理员', roles: ['admin'] }) };
});

describe('公示 runs its course (issue 17.2)', () => {
  test.each([
    ['the editor', () => editor],
    ['a reviewer', () => reviewer],
    ['the system administrator', () => admin],
  ])('%s cannot end 公示 before its end date; the public page keeps the candidates', async (_who, actor) => {
    const batchId = await createBatch(db, editor, { title: `公示期批次${Math.random().toString(36).slice(2, 8)}`, period: '2026年第四季度' });
    await createHonoree(db, editor, entry({ batchId }));
    await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
    const e = await submitForReview(db, actor(), { id: batchId, opinion: '公示期满，提交终审' }).catch((x) => x);
    expect(e).toBeInstanceOf(HonorError);
    expect(e.message).toMatch(/公示期满后才能提交终审/);
    expect((await getBatch(db, batchId)).status).toBe('publicity');
    expect((await listCandidateBatches(db)).some((b) => b.id === batchId)).toBe(true);
    // On its last day it is still running; one minute after, it may go to 终审.
    await expect(submitForReview(db, actor(), { id: batchId, opinion: '公示期满' }, afterPublicity - 60_001)).rejects.toThrow(/公示期满后/);
    await submitForReview(db, actor(), { id: batchId, opinion: '公示期间未收到异议。' }, afterPublicity);
    expect((await getBatch(db, batchId)).status).toBe('review');
    expect((await batchReviewSteps(db, batchId)).map((s) => s.s.opinion)).toEqual(['公示期间未收到异议。']);
  });

  test("the 终审 hand-over note is the actor's own words: empty is refused next to the field", async () => {
    const batchId = await createBatch(db, editor, { title: '说明批次', period: '2026年第四季度' });
    await createHonoree(db, editor, entry({ batchId }));
    await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
    const e = await submitForReview(db, editor, { id: batchId, opinion: ' ' }, afterPublicity).catch((x) => x);
    expect(e).toMatchObject({ status: 'BAD_REQUEST', field: 'opinion' });
    expect((await getBatch(db, batchId)).status).toBe('publicity');
  });

  test('a 公示 cannot start in the past, and a candidate cannot be moved out of a batch in 公示', async () => {
    const batchId = await createBatch(db, editor, { title: '起始批次', period: '2026年第四季度' });
    const h = await createHonoree(db, editor, entry({ batchId }));
    const yesterday = shanghaiDay(Date.now() - 86400_000);
    await expect(startPublicity(db, editor, { id: batchId, startDay: yesterday, endDay: yesterday })).rejects.toMatchObject({ field: 'startDay' });
    await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
    await expect(updateHonoree(db, editor, { ...entry({ batchId: undefined }), id: h.id })).rejects.toMatchObject({ field: 'batchId' });
    expect((await batchHonorees(db, batchId))[0].status).toBe('candidate');
  });
});

describe('a published roll does not speak of 公示 (issue 17.6)', () => {
  test('终审 is refused while the batch is named 候选人公示 or an entry says 公示期间接受群众监督; after the editor fixes them it publishes', async () => {
    const batchId = await createBatch(db, editor, { title: '2026年第四季度云溪好人候选人公示', period: '2026年第四季度', intro: '公示期间接受群众监督。' });
    const h = await createHonoree(db, editor, entry({ batchId, summary: '三十年照顾孤寡老人，公示期间接受群众监督。' }));
    await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
    await submitForReview(db, editor, { id: batchId, opinion: '公示期间未收到异议。' }, afterPublicity);
    const e = await approveBatch(db, reviewer, { id: batchId, opinion: '同意' }, afterPublicity + 60_000).catch((x) => x);
    expect(e).toBeInstanceOf(HonorError);
    expect(e.message).toContain('批次名称“…第四季度云溪好人候选人公示”');
    expect(e.message).toContain('批次说明');
    expect(e.message).toContain('王秀兰的事迹简介');
    expect((await getBatch(db, batchId)).status).toBe('review');
    await updateBatch(db, editor, { id: batchId, title: '2026年第四季度云溪好人榜', period: '2026年第四季度', intro: '经公示和评审，以下身边好人入选本季度榜单。' });
    await updateHonoree(db, editor, { ...entry({ batchId, summary: '三十年如一日照顾孤寡老人。' }), id: h.id });
    await approveBatch(db, reviewer, { id: batchId, opinion: '同意发布' }, afterPublicity + 60_000);
    expect((await getBatch(db, batchId)).status).toBe('published');
  });
});

describe('names and the verification call (issue 17.5)', () => {
  const nomination = (over: Record<string, unknown>) =>
    NominationSchema.safeParse({ nominatorName: '赵大姐', nominatorPhone: '13812345678', relation: '邻居', nomineeName: '陈师傅', townId: 1, category: '助人为乐', deeds: '好'.repeat(60), ...over });
  test.each(['<img src=x onerror=alert(1)>赵六😀', '赵六😀', 'Zhao Liu', '赵 六', '赵'])('the nominee name %s is refused next to its field', (name) => {
    const r = nomination({ nomineeName: name });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['nomineeName']);
    expect(r.error!.issues[0].message).toMatch(/汉字/);
  });
  test.each(['阿依·木沙', '陈德明', '白沙镇“民间河长”护河志愿队', '苏明德家庭'])('the nominee name %s is accepted', (name) => {
    expect(nomination({ nomineeName: name }).success).toBe(true);
  });
  test("a nominator is a person; an honoree entry of a person has a person's name, a group may have a group's", () => {
    expect(nomination({ nominatorName: '村委会<b>王</b>' }).success).toBe(false);
    const person = HonoreeSchema.safeParse({ kind: 'person', name: '护河志愿队1', townId: 1, category: '助人为乐', level: '县', summary: '事迹' });
    expect(person.success).toBe(false);
    expect(person.error!.issues[0].path).toEqual(['name']);
    expect(HonoreeSchema.safeParse({ kind: 'group', name: '白沙镇“民间河长”护河志愿队', townId: 1, category: '助人为乐', level: '县', summary: '事迹' }).success).toBe(true);
    expect(HonoreeSchema.safeParse({ kind: 'family', name: '<img>苏家😀', townId: 1, category: '助人为乐', level: '县', summary: '事迹' }).success).toBe(false);
  });
  test("staff reveal the nominator's phone for the call, and the reveal is audited first", async () => {
    const { trackingNo } = await submitNomination(
      db,
      TEST_KEY,
      NominationSchema.parse({ nominatorName: '钱大姐', nominatorPhone: '13811112222', relation: '邻居', nomineeName: '孙师傅', townId, category: '助人为乐', deeds: '孙师傅'.repeat(20) }),
      '192.0.2.77',
    );
    const id = Number((await db.$client.execute({ sql: 'SELECT id FROM nominations WHERE tracking_no = ?', args: [trackingNo] })).rows[0].id);
    expect(await revealNominatorPhone(db, editor, id)).toEqual({ id, phone: '13811112222' });
    const a = await db.$client.execute({ sql: "SELECT actor_id FROM audit_log WHERE action = 'honors.nomination.reveal_phone' AND target_id = ?", args: [String(id)] });
    expect(a.rows.map((r) => Number(r.actor_id))).toEqual([editor.id]);
  });
});

describe('终审 reads what it signs (issue 17.1)', () => {
  test('after a return the reviewer sees only what changed in the batch and its candidates; the previews are the public form', async () => {
    const batchId = await createBatch(db, editor, { title: '2026年第四季度云溪好人榜', period: '2026年第四季度', intro: '本季度身边好人。' });
    const h = await createHonoree(db, editor, entry({ batchId, name: '李小华', nameConsent: false, summary: '李小华每天照顾独居老人。' }));
    await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
    await submitForReview(db, editor, { id: batchId, opinion: '公示期间未收到异议。' }, afterPublicity);
    const b1 = await getBatch(db, batchId);
    expect((await batchChangesSinceLastReview(db, reviewer.id, b1, await batchHonorees(db, batchId))).lastActed).toBeNull();
    // The preview shows the candidate as the public will: the name masked without consent, in every text.
    const [p] = await candidatePreviews(db, await batchHonorees(db, batchId));
    expect(p.h.name).toBe('李*华');
    expect(p.h.summary).toBe('李*华每天照顾独居老人。');
    await returnBatch(db, reviewer, { id: batchId, opinion: '事迹简介请写明照顾了几年。' }, afterPublicity + 60_000);
    await updateHonoree(db, editor, { ...entry({ batchId, name: '李小华', nameConsent: false, summary: '李小华五年来每天照顾独居老人。' }), id: h.id });
    const later = afterPublicity + 86400_000;
    const day = (ms: number) => shanghaiDay(ms);
    await startPublicity(db, editor, { id: batchId, startDay: day(later), endDay: day(later) }, later);
    await submitForReview(db, editor, { id: batchId, opinion: '再次公示，无异议。' }, fromShanghai(day(later), '23:59') + 60_000);
    const b2 = await getBatch(db, batchId);
    const c = await batchChangesSinceLastReview(db, reviewer.id, b2, await batchHonorees(db, batchId));
    expect(c.lastActed?.decision).toBe('return');
    expect(c.changed).toBe(1);
    expect(c.rows!.find((r) => r.op === 'change')).toEqual({
      op: 'change',
      parts: [
        { op: 'same', text: '事迹简介：李小华' },
        { op: 'add', text: '五年来' },
        { op: 'same', text: '每天照顾独居老人。' },
      ],
    });
  });
});

describe('终审', () => {
  test('a batch with an open objection cannot pass 终审, and can once it is resolved', async () => {
    const batchId = await createBatch(db, editor, { title: '异议批次', period: '2026年第三季度' });
    const h = await createHonoree(db, editor, entry({ batchId }));
    await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
    const { id: objectionId } = await fileObjection(db, TEST_KEY, { honoreeId: h.id, text: '此人事迹与实际情况不符，请核查。' }, '203.0.113.9');
    await submitForReview(db, editor, { id: batchId, opinion: '公示期间收到异议 1 条，正在核查。' }, afterPublicity);
    expect((await listBatches(db)).find((b) => b.id === batchId)).toMatchObject({ honorees: 1, openObjections: 1 });
    expect((await batchHonorees(db, batchId))[0].openObjections).toBe(1);
    await expect(approveBatch(db, reviewer, { id: batchId, opinion: '同意' })).rejects.toThrow(/异议未处理/);
    expect((await getBatch(db, batchId)).status).toBe('review');
    await resolveObjection(db, editor, { id: objectionId, outcome: 'dismissed', resolution: '经村委会核实，事迹属实。' });
    await approveBatch(db, reviewer, { id: batchId, opinion: '同意发布' }, afterPublicity + 60_000);
    expect((await getBatch(db, batchId)).status).toBe('published');
    const steps = await batchReviewSteps(db, batchId);
    expect(steps.map((s) => s.s.decision)).toEqual(['submit', 'approve', 'publish']);
    const audit = await db.$client.execute({ sql: "SELECT action FROM audit_log WHERE target_type = 'honor_batch' AND target_id = ? ORDER BY id", args: [String(batchId)] });
    expect(audit.rows.map((r) => r.action)).toEqual(['honors.batch.create', 'honors.batch.publicity', 'honors.batch.submit', 'honors.batch.publish']);
  });

  test('an under-14 honoree without guardian consent cannot be published', async () => {
    // Even if it somehow reaches 终审 (consent removed directly in the database), the guard holds.
    const { batchId, honoreeId } = await batchInReview({ birthYear: year - 12, guardianConsent: true, nameConsent: false });
    await db.$client.execute({ sql: 'UPDATE honorees SET guardian_consent = 0 WHERE id = ?', args: [honoreeId] });
    await expect(approveBatch(db, reviewer, { id: batchId, opinion: '同意' })).rejects.toThrow(/未满14周岁/);
    expect((await getBatch(db, batchId)).status).toBe('review');
    const st = await db.$client.execute({ sql: 'SELECT status FROM honorees WHERE id = ?', args: [honoreeId] });
    expect(st.rows[0].status).toBe('candidate');
  });

  test('an under-14 entry without guardian consent cannot even enter 公示', async () => {
    const batchId = await createBatch(db, editor, { title: '少年批次', period: '2026年第三季度' });
    await createHonoree(db, editor, entry({ batchId, name: '李小华', birthYear: year - 10, nameConsent: false }));
    await expect(startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek })).rejects.toThrow(/未满14周岁/);
    expect((await getBatch(db, batchId)).status).toBe('draft');
  });

  test('withdrawing (撤榜) records the reason and an audit entry', async () => {
    const { honoreeId } = await batchInReview();
    await withdrawHonoree(db, editor, { id: honoreeId, reason: '本人要求不公开' });
    const r = await db.$client.execute({ sql: 'SELECT status, withdrawn_reason FROM honorees WHERE id = ?', args: [honoreeId] });
    expect(r.rows[0]).toMatchObject({ status: 'withdrawn', withdrawn_reason: '本人要求不公开' });
    const a = await db.$client.execute({ sql: "SELECT detail FROM audit_log WHERE action = 'honors.honoree.withdraw' AND target_id = ?", args: [String(honoreeId)] });
    expect(a.rows[0].detail).toBe('本人要求不公开');
  });
});

describe('entries', () => {
  test('a 51-字 summary is refused, 50 字 is accepted', () => {
    const r = HonoreeSchema.safeParse({ kind: 'person', name: '张三', townId: 1, category: '助人为乐', level: '县', summary: '好'.repeat(51) });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['summary'], message: expect.stringContaining('50 字') });
    expect(HonoreeSchema.safeParse({ kind: 'person', name: '张三', townId: 1, category: '助人为乐', level: '县', summary: '𠀀'.repeat(50) }).success).toBe(true);
  });

  test('a published entry cannot lose the consent it needs', async () => {
    const batchId = await createBatch(db, editor, { title: '编辑批次', period: 'x' });
    const h = await createHonoree(db, editor, entry({ batchId, birthYear: year - 15, guardianConsent: true }));
    await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
    await expect(updateHonoree(db, editor, { ...entry({ batchId, birthYear: year - 15, guardianConsent: false }), id: h.id })).rejects.toThrow(HonorError);
  });
});

describe('public display', () => {
  test("minors' names are masked unless name consent is recorded", () => {
    expect(publicHonoreeName({ name: '张小华', nameConsent: false, kind: 'person' })).toBe('张*华');
    expect(publicHonoreeName({ name: '张小华', nameConsent: true, kind: 'person' })).toBe('张小华');
    expect(publicHonoreeName({ name: '何家', nameConsent: false, kind: 'family' })).toBe('何家');
  });

  test('a linked volunteer shows star level and confirmed hours', async () => {
    expect(starLevel(299 * 60, [100, 300, 600, 1000, 1500])).toBe(1);
    expect(starLevel(300 * 60, [100, 300, 600, 1000, 1500])).toBe(2);
    const uid = await createUser(db, TEST_KEY, { phone: '13900000177', password: 'x-long-password', realName: '志愿者' });
    await db.$client.execute({ sql: 'UPDATE users SET confirmed_minutes = ? WHERE id = ?', args: [620 * 60, uid] });
    const no = (await db.$client.execute({ sql: 'SELECT volunteer_no FROM users WHERE id = ?', args: [uid] })).rows[0].volunteer_no as string;
    const h = await createHonoree(db, editor, entry({ volunteerNo: no }));
    const row = (await db.$client.execute({ sql: 'SELECT user_id FROM honorees WHERE id = ?', args: [h.id] })).rows[0];
    expect(await volunteerStanding(db, Number(row.user_id))).toEqual({ stars: 3, hours: 620 });
    await expect(createHonoree(db, editor, entry({ volunteerNo: 'YX000' }))).rejects.toMatchObject({ field: 'volunteerNo' });
  });
});

describe('likes', () => {
  test('200 parallel likes from one visitor count once', async () => {
    const batchId = await createBatch(db, editor, { title: '点赞批次', period: 'x' });
    const h = await createHonoree(db, editor, entry({ batchId }));
    await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
    const keys = likeKeys(TEST_KEY, 'visitor-token-1', '198.51.100.7');
    const results = await Promise.all(Array.from({ length: 200 }, () => likeCandidate(db, { honoreeId: h.id, ...keys })));
    expect(results.filter((r) => r.liked)).toHaveLength(1);
    const r = await db.$client.execute({ sql: 'SELECT like_count, (SELECT count(*) FROM likes WHERE honoree_id = ?1) AS n FROM honorees WHERE id = ?1', args: [h.id] });
    expect(r.rows[0]).toMatchObject({ like_count: 1, n: 1 });
    // another visitor counts
    await likeCandidate(db, { honoreeId: h.id, ...likeKeys(TEST_KEY, 'visitor-token-2', '198.51.100.7') });
    expect((await db.$client.execute({ sql: 'SELECT like_count FROM honorees WHERE id = ?', args: [h.id] })).rows[0].like_count).toBe(2);
  });

  test('a script dropping its cookie cannot move the count; a shared village address still can (issue 15, item 16)', async () => {
    const batchId = await createBatch(db, editor, { title: '刷票批次', period: 'x' });
    const h = await createHonoree(db, editor, entry({ batchId }));
    await startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek });
    // 200 parallel likes, each with a fresh cookie (no cookie sent), from one address.
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => likeCandidate(db, { honoreeId: h.id, newVisitor: true, ...likeKeys(TEST_KEY, `script-${i}`, '203.0.113.9') })));
    const liked = results.filter((r) => r.status === 'fulfilled' && r.value.liked).length;
    expect(liked).toBe(NEW_LIKE_VISITORS_PER_IP_PER_DAY);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.status === 'TOO_MANY_REQUESTS')).toBe(true);
    const count = async () => Number((await db.$client.execute({ sql: 'SELECT like_count FROM honorees WHERE id = ?', args: [h.id] })).rows[0].like_count);
    expect(await count()).toBe(NEW_LIKE_VISITORS_PER_IP_PER_DAY);
    // Villagers who liked before (their cookie is ours) still count from the same address.
    for (let i = 0; i < 5; i++) await likeCandidate(db, { honoreeId: h.id, newVisitor: false, ...likeKeys(TEST_KEY, `villager-${i}`, '203.0.113.9') });
    expect(await count()).toBe(NEW_LIKE_VISITORS_PER_IP_PER_DAY + 5);
    // Another address is not affected by the first one's limit.
    await likeCandidate(db, { honoreeId: h.id, newVisitor: true, ...likeKeys(TEST_KEY, 'elsewhere', '198.51.100.20') });
    expect(await count()).toBe(NEW_LIKE_VISITORS_PER_IP_PER_DAY + 6);
  });

  test('visitor cookies are signed: a made-up value is no cookie', () => {
    const t = newVisitorToken(TEST_KEY, 'abcdefghijklmnop');
    expect(isVisitorToken(TEST_KEY, t)).toBe(true);
    expect(isVisitorToken(TEST_KEY, 'abcdefghijklmnop')).toBe(false);
    expect(isVisitorToken(TEST_KEY, `abcdefghijklmnoq${t.slice(16)}`)).toBe(false);
    expect(isVisitorToken(TEST_KEY, undefined)).toBe(false);
  });

  test('likes outside 公示 are refused', async () => {
    const batchId = await createBatch(db, editor, { title: '未公示', period: 'x' });
    const h = await createHonoree(db, editor, entry({ batchId }));
    await expect(likeCandidate(db, { honoreeId: h.id, ...likeKeys(TEST_KEY, 'v', 'ip') })).rejects.toThrow(/不在公示/);
  });
});

describe('nominations', () => {
  const good = () =>
    NominationSchema.parse({
      nominatorName: '赵大姐',
      nominatorPhone: '13812345678',
      relation: '邻居',
      nomineeName: '陈师傅',
      townId,
      category: '助人为乐',
      deeds: '陈师傅是我们小区的修车师傅，十年来免费为老人和学生修车，风雨无阻，还常常自掏腰包买零件，街坊邻居都夸他是热心肠的好人。',
    });

  test('a nomination may carry a photo: checked by content, kept private with the nomination, adopted for the entry only after photo consent; a bad file is refused with nothing stored', async () => {
    const { default: sharp } = await import('sharp');
    const { mkdtempSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const uploadsDir = mkdtempSync(join(tmpdir(), 'nom-photo-'));
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#2a6' } })
      .png()
      .toBuffer();
    const before = Number((await db.$client.execute('SELECT count(*) AS n FROM nominations')).rows[0].n);
    await expect(submitNomination(db, TEST_KEY, good(), '192.0.2.201', Date.now(), { bytes: new TextEncoder().encode('<?php system($_GET[1]); ?>'), name: 'a.jpg', uploadsDir })).rejects.toMatchObject(
      { field: 'photo' },
    );
    expect(Number((await db.$client.execute('SELECT count(*) AS n FROM nominations')).rows[0].n)).toBe(before);
    const mediaBefore = Number((await db.$client.execute('SELECT count(*) AS n FROM media')).rows[0].n);
    const { trackingNo } = await submitNomination(db, TEST_KEY, good(), '192.0.2.202', Date.now(), { bytes: new Uint8Array(png), name: 'deed.png', uploadsDir });
    const row = (
      await db.$client.execute({
        sql: 'SELECT n.id, n.photo_file_id, p.file_key, p.purpose FROM nominations n JOIN private_files p ON p.id = n.photo_file_id WHERE n.tracking_no = ?',
        args: [trackingNo],
      })
    ).rows[0];
    expect(row.purpose).toBe('nomination');
    // Not in the media library, and stored apart from it.
    expect(Number((await db.$client.execute('SELECT count(*) AS n FROM media')).rows[0].n)).toBe(mediaBefore);
    expect(readdirSync(join(uploadsDir, 'private')).some((f) => f.startsWith(String(row.file_key)))).toBe(true);
    expect(readdirSync(uploadsDir).some((f) => f.startsWith(String(row.file_key)))).toBe(false);
    const batchId = await createBatch(db, editor, { title: '照片批次', period: 'x' });
    const honoreeId = await nominationToCandidate(db, editor, Number(row.id), batchId);
    const h = (await db.$client.execute({ sql: 'SELECT photo_media_id, photo_consent FROM honorees WHERE id = ?', args: [honoreeId] })).rows[0];
    expect(h).toMatchObject({ photo_media_id: null, photo_consent: 0 });
    // Adopting the photo waits for recorded consent; then a library copy under a new name becomes the entry's photo.
    await expect(adoptNominationPhoto(db, uploadsDir, editor, honoreeId)).rejects.toThrow('同意公开照片');
    await db.$client.execute({ sql: 'UPDATE honorees SET photo_consent = 1 WHERE id = ?', args: [honoreeId] });
    await adoptNominationPhoto(db, uploadsDir, editor, honoreeId);
    const adopted = (await db.$client.execute({ sql: 'SELECT m.file_key, m.alt FROM honorees h JOIN media m ON m.id = h.photo_media_id WHERE h.id = ?', args: [honoreeId] })).rows[0];
    expect(adopted.file_key).not.toBe(row.file_key);
    expect(adopted.alt).toBe('陈*傅的照片');
    expect(readdirSync(uploadsDir).some((f) => f.startsWith(String(adopted.file_key)))).toBe(true);
  });

  test('a nomination gets a tracking number and can become a draft candidate in a batch', async () => {
    const { trackingNo, stored } = await submitNomination(db, TEST_KEY, good(), '192.0.2.1');
    expect(stored).toBe(true);
    expect(trackingNo).toMatch(/^TJ-\d{4}-[A-Z2-9]{6}$/);
    const [n] = await listNominations(db, { status: 'new' });
    expect(n.nominatorPhoneMasked).toBe('138****5678');
    expect(JSON.stringify(n)).not.toContain('13812345678');
    const batchId = await createBatch(db, editor, { title: '推荐批次', period: 'x' });
    const honoreeId = await nominationToCandidate(db, editor, n.id, batchId);
    const r = await db.$client.execute({ sql: 'SELECT name, status, batch_id, nomination_id FROM honorees WHERE id = ?', args: [honoreeId] });
    expect(r.rows[0]).toMatchObject({ name: '陈师傅', status: 'draft', batch_id: batchId, nomination_id: n.id });
    await expect(nominationToCandidate(db, editor, n.id, batchId)).rejects.toThrow(/已转为候选人/);
  });

  test(`rate limit: the ${NOMINATIONS_PER_IP_PER_DAY + 1}th nomination from one IP in a day is refused`, async () => {
    for (let i = 0; i < NOMINATIONS_PER_IP_PER_DAY; i++) await submitNomination(db, TEST_KEY, good(), '192.0.2.50');
    await expect(submitNomination(db, TEST_KEY, good(), '192.0.2.50')).rejects.toMatchObject({ code: 'rate_limited' });
    // another address is unaffected
    expect((await submitNomination(db, TEST_KEY, good(), '192.0.2.51')).stored).toBe(true);
  });

  test('honeypot: a filled hidden field looks accepted but stores nothing', async () => {
    const before = (await db.$client.execute('SELECT count(*) AS n FROM nominations')).rows[0].n;
    const r = await submitNomination(db, TEST_KEY, { ...good(), website: 'http://spam.example' }, '192.0.2.99');
    expect(r.trackingNo).toMatch(/^TJ-/);
    expect(r.stored).toBe(false);
    expect((await db.$client.execute('SELECT count(*) AS n FROM nominations')).rows[0].n).toBe(before);
  });

  test('deeds under 50 字 are refused', () => {
    const r = NominationSchema.safeParse({ ...good(), deeds: '他是好人。' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['deeds']);
  });
});
