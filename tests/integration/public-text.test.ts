// Issue 15 item 9: every free-text field that becomes public, of every content type, goes
// through one personal-data check that reads the text as a reader sees it. Each refusal
// names its field (400, Chinese message) and writes nothing; real libSQL file, demo data.
import { beforeAll, describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import { insertUsers } from '../helpers/events-fixtures.ts';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import { createEvent, EventInputSchema, updateEvent } from '../../src/domain/events/manage.ts';
import { registerTeam, TeamRegistrationSchema } from '../../src/domain/teams/membership.ts';
import { createBatch, createHonoree, getHonoree, startPublicity, updateBatch, updateHonoree } from '../../src/domain/honors/admin.ts';
import { HonoreeSchema } from '../../src/domain/honors/schemas.ts';
import { nominationToCandidate, submitNomination } from '../../src/domain/honors/nominations.ts';
import { createArticle, saveArticle } from '../../src/domain/articles/editing.ts';
import { PersonalDataFound } from '../../src/domain/articles/errors.ts';
import { getArticle } from '../../src/domain/articles/queries.ts';
import { submitForReview } from '../../src/domain/articles/review.ts';
import { articleHits, maskArticleHit } from '../../src/domain/articles/personal-data.ts';
import { uploadAttachment } from '../../src/domain/media/index.ts';
import { createLectureOrder, listLecturers, listLectureTeams, scheduleLecture } from '../../src/domain/legal/lectures.ts';
import { acceptOrder } from '../../src/domain/orders/index.ts';
import { getPublicEvent } from '../../src/domain/events/public.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { shanghaiDay } from '../../src/lib/time.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { EDITOR, staff } from './publishing-helpers.ts';
import { TEST_KEY } from '../helpers/db.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let db: Db;
let editor: SessionUser;
let leaderId: number;
let teamId: number;
let townId: number;
const today = shanghaiDay(Date.now());
const inAWeek = shanghaiDay(Date.now() + 7 * 86400_000);
const ID = makeIdNumber('1988-08-08', 4);
const uploads = mkdtempSync(join(tmpdir(), 'pii-uploads-'));

const count = async (sql: string, args: (string | number)[] = []) => Number((await db.$client.execute({ sql, args })).rows[0].n);

/** The refusal a call ends in, or a failure when it succeeds. */
async function refusal(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (err) => err,
  );
  expect(e, 'the write was accepted').toBeDefined();
  return e as { status: string; field?: string; message: string; fieldMessages?: Record<string, string> };
}

beforeAll(async () => {
  db = await freshDb({ seed: 'demo' });
  editor = await staff(db, EDITOR);
  [leaderId] = await insertUsers(db, 1);
  const team = await db.$client.execute(`SELECT id FROM teams WHERE status = 'active' ORDER BY id LIMIT 1`);
  teamId = Number(team.rows[0].id);
  await db.$client.execute({ sql: `INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (?, ?, 'leader', 'active', 0)`, args: [teamId, leaderId] });
  townId = (await regionTree(db))[0].id;
});

const eventInput = (over: Record<string, unknown> = {}) =>
  EventInputSchema.parse({
    title: '河道清理',
    category: '环境保护',
    description: '沿河清理垃圾。',
    risks: '注意防滑。',
    address: '河坝村村委会',
    startsAt: `${new Date().getFullYear() + 1}-05-01T09:00`,
    endsAt: `${new Date().getFullYear() + 1}-05-01T11:00`,
    capacity: 20,
    ...over,
  });

describe('events', () => {
  test.each([
    ['description', { description: '报名请联系王老师：138**1234**5678' }, '活动内容'],
    ['address', { address: '河坝村3组（联系人 138.1234.5678）' }, '详细地点'],
    ['risks', { risks: `如有不适请拨打１３８\u200b１２３４\u200b５６７８` }, '风险提示'],
    ['title', { title: '清理活动 138 1234 5678' }, '活动名称'],
  ])('creating an event with a phone in its %s is refused next to that field', async (field, over, label) => {
    const before = await count('SELECT count(*) n FROM events');
    const e = await refusal(createEvent(db, leaderId, teamId, eventInput(over)));
    expect(e).toMatchObject({ status: 'BAD_REQUEST', field });
    expect(e.message).toContain(label);
    expect(e.message).toContain('手机号码');
    expect(await count('SELECT count(*) n FROM events')).toBe(before);
  });

  test('editing an event to show an ID number or a protected name is refused; the event is unchanged', async () => {
    const id = await createEvent(db, leaderId, teamId, eventInput());
    const spaced = `${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}`;
    const e = await refusal(updateEvent(db, leaderId, teamId, id, eventInput({ description: `签到需带身份证 ${spaced}，由杨欣悦同学带队` })));
    expect(e.field).toBe('description');
    expect(e.message).toContain('身份证号码');
    const named = await refusal(updateEvent(db, leaderId, teamId, id, eventInput({ description: '由杨欣悦同学带队' })));
    expect(named.message).toContain('“杨*悦”');
    const row = await db.$client.execute({ sql: 'SELECT description FROM events WHERE id = ?', args: [id] });
    expect(row.rows[0].description).toBe('沿河清理垃圾。');
    // Dates, times, amounts, 邮编 and years are not personal data.
    await updateEvent(db, leaderId, teamId, id, eventInput({ description: '2030-05-01 09:00-11:00，邮编 626000，预算 1,380,000 元，2019 年起连续开展。' }));
  });
});

describe('teams', () => {
  test('registering a team whose introduction holds a phone number is refused; no team is created', async () => {
    const input = TeamRegistrationSchema.parse({
      name: '石桥助老志愿队',
      slug: 'shiqiao-help',
      townId,
      serviceTypes: ['助老助残'],
      summary: '关爱空巢老人',
      description: '队长电话 138 1234 5678，欢迎加入',
    });
    const e = await refusal(registerTeam(db, leaderId, input));
    expect(e).toMatchObject({ status: 'BAD_REQUEST', field: 'description' });
    expect(e.message).toContain('队伍介绍');
    expect(await count(`SELECT count(*) n FROM teams WHERE slug = 'shiqiao-help'`)).toBe(0);
  });
});

describe('honorees and batches', () => {
  const entry = (over: Record<string, unknown> = {}) =>
    HonoreeSchema.parse({
      kind: 'person',
      name: '周海燕',
      townId,
      category: '助人为乐',
      level: '县',
      summary: '照顾孤寡老人二十年。',
      nameConsent: true,
      consentBy: '本人',
      consentAt: today,
      consentMethod: '书面同意书',
      ...over,
    });

  test.each([
    ['story', { story: '她的电话是138**1234**5678，随叫随到。' }, '事迹全文'],
    ['summary', { summary: '联系电话０８３８－１２３４５６７' }, '事迹简介'],
    ['epithet', { epithet: '1381234５678' }, '称号'],
    ['laterHonours', { laterHonours: `2026年“最美志愿者”\n身份证 ${ID}` }, '后续荣誉'],
  ])('an entry with personal data in its %s is refused next to that field', async (field, over, label) => {
    const before = await count('SELECT count(*) n FROM honorees');
    const e = await refusal(createHonoree(db, editor, entry(over)));
    expect(e).toMatchObject({ status: 'BAD_REQUEST', field });
    expect(e.message).toContain(label);
    expect(await count('SELECT count(*) n FROM honorees')).toBe(before);
  });

  test('an entry may name itself (masked when shown), not another protected honoree', async () => {
    const own = await createHonoree(db, editor, entry({ name: '林小雨', nameConsent: false, story: '林小雨今年十二岁。' }));
    const e = await refusal(updateHonoree(db, editor, { ...entry({ name: '林小雨', nameConsent: false, story: '林小雨和杨欣悦是同学。' }), id: own.id }));
    expect(e.field).toBe('story');
    expect(e.message).toContain('杨欣悦');
    expect((await getHonoree(db, own.id)).story).toBe('林小雨今年十二岁。');
  });

  test('a batch introduction with an ID number is refused, on create and on edit', async () => {
    const spaced = ID.match(/.{1,4}/g)!.join(' ');
    const e = await refusal(createBatch(db, editor, { title: '测试批次', period: '2030年第一季度', intro: `推荐人身份证 ${spaced}` }));
    expect(e).toMatchObject({ status: 'BAD_REQUEST', field: 'intro' });
    const id = await createBatch(db, editor, { title: '测试批次', period: '2030年第一季度', intro: '本期共 3 位。' });
    const e2 = await refusal(updateBatch(db, editor, { id, title: '测试批次', period: '2030年第一季度', intro: '详情咨询 13812345678' }));
    expect(e2.field).toBe('intro');
  });

  test('an entry made from a nomination cannot enter 公示 while the nominator’s words hold a phone number', async () => {
    const n = await submitNomination(
      db,
      TEST_KEY,
      {
        nominatorName: '李四',
        nominatorPhone: '13811112222',
        relation: '邻居',
        nomineeName: '赵德胜',
        townId,
        category: '助人为乐',
        deeds: '赵德胜二十年如一日义务为村里修路补桥，从不计较报酬，乡亲们都很感激他。有事可以打他电话１３８－１２３４－５６７８联系。',
      },
      '203.0.113.20',
    );
    const batchId = await createBatch(db, editor, { title: '推荐转入批次', period: '2030年第二季度' });
    const nominationId = await count('SELECT id n FROM nominations WHERE tracking_no = ?', [n.trackingNo]);
    const honoreeId = await nominationToCandidate(db, editor, nominationId, batchId);
    await db.$client.execute({ sql: `UPDATE honorees SET name_consent = 1, consent_by = '本人', consent_at = ?, consent_method = '书面同意书' WHERE id = ?`, args: [today, honoreeId] });
    const e = await refusal(startPublicity(db, editor, { id: batchId, startDay: today, endDay: inAWeek }));
    expect(e.message).toContain('赵德胜：事迹全文中含有手机号码');
    expect(await count(`SELECT count(*) n FROM honorees WHERE id = ? AND status = 'draft'`, [honoreeId])).toBe(1);
  });
});

describe('articles', () => {
  const content = (over: Record<string, unknown> = {}) => ({
    title: '测试文章',
    channel: 'news',
    topic: null,
    honoreeId: null,
    summary: '',
    body: '正文。',
    tags: [],
    author: '',
    source: '',
    coverMediaId: null,
    attachments: [] as number[],
    ...over,
  });

  test('an attachment named with a phone number blocks submission; one click masks the name', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.4\n%%EOF\n');
    const m = await uploadAttachment(db, uploads, { bytes: pdf, name: '报名表（联系138 1234 5678）.pdf', userId: editor.id });
    const id = await createArticle(db, editor, content({ attachments: [m.id] }));
    const e = await submitForReview(db, editor, id).catch((x) => x);
    expect(e).toBeInstanceOf(PersonalDataFound);
    expect((e as PersonalDataFound).hits.map((h) => [h.field, h.kind])).toEqual([[`attachment:${m.id}`, 'phone']]);
    expect((await getArticle(db, id))!.status).toBe('draft');
    const [h] = (e as PersonalDataFound).hits;
    const c = content({ attachments: [m.id] });
    await maskArticleHit(db, c, h.field, h.start, h.end);
    const row = await db.$client.execute({ sql: 'SELECT original_name FROM media WHERE id = ?', args: [m.id] });
    expect(row.rows[0].original_name).toBe('报名表（联系138****5678）.pdf');
    await submitForReview(db, editor, id);
    expect((await getArticle(db, id))!.status).toBe('submitted');
  });

  test('source, author, tags and a protected name block submission, each named', async () => {
    const id = await createArticle(db, editor, content({ source: '云溪县文明办 13812345678', author: '记者 138·1234·5678', tags: ['138', '1234', '5678'], body: '本期上榜的杨欣悦同学照顾爷爷。' }));
    const e = await submitForReview(db, editor, id).catch((x) => x);
    expect((e as PersonalDataFound).hits.map((h) => [h.field, h.kind])).toEqual([
      ['body', 'name'],
      ['tags', 'phone'],
      ['author', 'phone'],
      ['source', 'phone'],
    ]);
    expect((e as PersonalDataFound).fieldMessages).toMatchObject({ body: expect.stringContaining('杨*悦') });
    // The one-click mask writes the mask with escaped asterisks in Markdown.
    const c = content({ body: '本期上榜的杨欣悦同学照顾爷爷。' });
    const [h] = await articleHits(db, c);
    await maskArticleHit(db, c, h.field, h.start, h.end);
    expect(c.body).toBe('本期上榜的杨\\*悦同学照顾爷爷。');
    await saveArticle(db, editor, id, { ...c, tags: ['志愿服务'] });
    await submitForReview(db, editor, id);
  });
});

describe('lectures', () => {
  test('the lecture place is checked; a resident’s organisation name reaches the event page masked', async () => {
    const [town] = await regionTree(db);
    const order = await createLectureOrder(db, {
      topic: '反电信诈骗',
      townId: town.id,
      villageId: town.villages[0].id,
      audienceExpected: 40,
      preferredDates: '下周三',
      requesterName: '王主任',
      requesterPhone: '13811112222',
      organisation: '河坝村老年协会（王主任13811112222）',
      note: '',
    });
    await acceptOrder(db, editor, order.id);
    const [lecturer] = await listLecturers(db);
    const [team] = await listLectureTeams(db);
    const startsAt = Date.now() + 3 * 86400_000;
    const s = { lecturerId: lecturer.id, teamId: team.id, startsAt, endsAt: startsAt + 5400_000, capacity: 50 };
    const e = await refusal(scheduleLecture(db, editor, order.id, { ...s, address: '村委会（联系 138 1111 2222）' }));
    expect(e).toMatchObject({ status: 'BAD_REQUEST', field: 'address' });
    const eventId = await scheduleLecture(db, editor, order.id, { ...s, address: '村委会会议室' });
    const ev = await getPublicEvent(db, eventId);
    expect(ev.event.description).toContain('138****2222');
    expect(ev.event.description).not.toContain('13811112222');
  });
});
