// Issue 20 (四单), 接单 — delivery: the resident's private photos on an order and who may fetch them,
// turning an order into an event (or linking one), progress notes, the 结项 report and 服务人次.
import { beforeAll, describe, expect, test } from 'vitest';
import sharp from 'sharp';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { acceptOrder, assignOrder, claimWish, createServiceOrder, finishOrder, getServiceOrder, listMenu, openOrder, ServiceOrderSchema } from '../../src/domain/orders/index.ts';
import { privateFileFor } from '../../src/domain/media/private.ts';
import { EventFields } from '../../src/domain/events/manage.ts';
import { createEventForOrder, eventDraftFromOrder, linkEventToOrder, parsePreferredTime } from '../../src/domain/orders/delivery.ts';
import { trackNumber } from '../../src/domain/tracking/index.ts';
import { addProgressNote, progressNotes } from '../../src/domain/orders/notes.ts';
import { fromShanghai, toDateTimeLocal } from '../../src/lib/time.ts';
import { orderFigures } from '../../src/domain/orders/figures.ts';
import { orderPhotos } from '../../src/domain/orders/photos.ts';
import { addMember, count, makeEvent, makeTeam, makeUser } from './hours-fixtures.ts';

let db: Db;
let dir: string;
let editor: SessionUser;
let townId: number;
let villageId: number;
let itemId: number;
let wishItemId: number;
let phoneSeq = 100;

const as = (id: number, roles: string[] = ['volunteer'], status = 'active'): SessionUser => ({ id, realName: '某人', phone: null, roles, status });
const image = async (format: 'png' | 'jpeg' | 'webp', colour = '#36c') => {
  const blank = sharp({ create: { width: 640, height: 480, channels: 3, background: colour } });
  return { bytes: new Uint8Array(await blank[format]().toBuffer()), name: `photo.${format}` };
};

function order(over: Partial<Record<string, unknown>> = {}) {
  return ServiceOrderSchema.parse({
    itemId,
    townId,
    villageId,
    address: '3组12号',
    need: '屋顶漏雨，家里只有老人，想请志愿者帮忙看看。',
    preferredTime: '2026-12-12 上午',
    requesterName: '李秀英',
    requesterPhone: `1381234${String(++phoneSeq).padStart(4, '0')}`,
    ...over,
  });
}

/** A team of the order's 乡镇 with a leader and a plain member. */
async function team(name: string) {
  const id = await makeTeam(db, name);
  await db.$client.execute({ sql: 'UPDATE teams SET town_id = ? WHERE id = ?', args: [townId, id] });
  const leader = await makeUser(db, `${name}队长`);
  const member = await makeUser(db, `${name}队员`);
  await addMember(db, id, leader, 'leader');
  await addMember(db, id, member);
  return { id, leader: as(leader), member: as(member) };
}

beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
  dir = mkdtempSync(join(tmpdir(), 'shanxing-order-photos-'));
  const tree = await regionTree(db);
  townId = tree[0].id;
  villageId = tree[0].villages[0].id;
  const menu = await listMenu(db);
  itemId = menu.find((i) => i.slug === 'elder-care')!.id;
  wishItemId = menu.find((i) => i.individual === 1)!.id;
  const id = await createUser(db, TEST_KEY, { phone: '13900000302', password: 'x-long-password', realName: '中心编辑', roles: ['editor'] });
  editor = as(id, ['editor']);
});

describe('the resident’s photos are private', () => {
  test('who may fetch an order photo: handling staff and the holding team’s leaders; everyone else the same 404', async () => {
    const photos = [await image('jpeg'), await image('png', '#c63')];
    const o = await createServiceOrder(db, order(), { photos: { uploadsDir: dir, files: photos } });
    const holding = await team('承接队');
    const other = await team('别的队');
    await acceptOrder(db, editor, o.id);
    await assignOrder(db, editor, o.id, holding.id);

    const { resident } = await orderPhotos(db, o.id);
    expect(resident).toHaveLength(2);
    const file = resident[0].thumb.replace('/files/', '');
    expect(readdirSync(join(dir, 'private'))).toContain(file);
    const stranger = await makeUser(db, '路人');
    const author = await makeUser(db, '其他编辑');
    const cases: [string, SessionUser | null, boolean][] = [
      ['anonymous', null, false],
      ['a signed-in stranger', as(stranger), false],
      ['a member (not leader) of the holding team', holding.member, false],
      ['the leader of another team', other.leader, false],
      ['an editor whose account is disabled', as(editor.id, ['editor'], 'disabled'), false],
      ['a reviewer without orders.handle', as(author, ['volunteer', 'reviewer']), false],
      ['staff who handle orders', editor, true],
      ['the leader of the holding team', holding.leader, true],
    ];
    for (const [who, user, may] of cases) {
      expect(Boolean(await privateFileFor(db, dir, file, user)), who).toBe(may);
    }

    // Returned to the pool, the old team's leader loses sight of it; the team that claims it gains it.
    await openOrder(db, editor, o.id);
    expect(Boolean(await privateFileFor(db, dir, file, holding.leader))).toBe(false);
    expect(Boolean(await privateFileFor(db, dir, file, editor))).toBe(true);
  });

  test('a 微心愿’s photo: the volunteer who claimed it sees it, other volunteers do not', async () => {
    const o = await createServiceOrder(db, order({ itemId: wishItemId, estimatedValue: 80 }), { photos: { uploadsDir: dir, files: [await image('jpeg')] } });
    await acceptOrder(db, editor, o.id);
    await openOrder(db, editor, o.id);
    const claimer = as(await makeUser(db, '圆梦人'));
    const other = as(await makeUser(db, '旁人'));
    const file = (await orderPhotos(db, o.id)).resident[0].large.replace('/files/', '');
    expect(Boolean(await privateFileFor(db, dir, file, claimer))).toBe(false);
    await claimWish(db, claimer, o.id);
    expect(Boolean(await privateFileFor(db, dir, file, claimer))).toBe(true);
    expect(Boolean(await privateFileFor(db, dir, file, other))).toBe(false);
  });

  test.each([
    ['a third photo', async () => [await image('jpeg'), await image('png'), await image('jpeg', '#999')], '最多上传 2 张照片'],
    ['a WebP file', async () => [await image('webp')], '不是 JPG 或 PNG 格式'],
    ['a text file named .jpg', async () => [{ bytes: new TextEncoder().encode('<script>alert(1)</script>'), name: 'x.jpg' }], '不是 JPG 或 PNG 格式'],
    [
      'a photo over 4 MB',
      async () => {
        const raw = new Uint8Array(1200 * 1200 * 3).map(() => Math.floor(Math.random() * 256));
        return [
          {
            bytes: new Uint8Array(
              await sharp(raw, { raw: { width: 1200, height: 1200, channels: 3 } })
                .png({ compressionLevel: 0 })
                .toBuffer(),
            ),
            name: 'big.png',
          },
        ];
      },
      '超过 4 MB',
    ],
  ])('%s is refused next to the photo field, and nothing is written', async (_what, files, message) => {
    const orders = await count(db, 'service_orders');
    const stored = await count(db, 'private_files');
    const err = await createServiceOrder(db, order(), { photos: { uploadsDir: dir, files: await files() } }).catch((e) => e);
    expect(err).toMatchObject({ field: 'photos' });
    expect(err.message).toContain(message);
    expect(await count(db, 'service_orders')).toBe(orders);
    expect(await count(db, 'private_files')).toBe(stored);
  });

  test('staff entering a phoned-in order attach the photo the resident sent; it is stored as theirs and private', async () => {
    const o = await createServiceOrder(db, order(), { source: '电话', by: editor, photos: { uploadsDir: dir, files: [await image('png')] } });
    const [f] = (await db.$client.execute({ sql: 'SELECT p.purpose, p.uploaded_by FROM service_order_files s JOIN private_files p ON p.id = s.file_id WHERE s.order_id = ?', args: [o.id] })).rows;
    expect(f).toMatchObject({ purpose: 'service_order', uploaded_by: editor.id });
    const file = (await orderPhotos(db, o.id)).resident[0].thumb.replace('/files/', '');
    expect(Boolean(await privateFileFor(db, dir, file, editor))).toBe(true);
    expect(Boolean(await privateFileFor(db, dir, file, as(await makeUser(db, '旁观者'))))).toBe(false);
  });

  test('an order refused for another field keeps no photo', async () => {
    const stored = await count(db, 'private_files');
    await expect(createServiceOrder(db, order({ itemId: 999999 }), { photos: { uploadsDir: dir, files: [await image('jpeg')] } })).rejects.toMatchObject({ field: 'itemId' });
    expect(await count(db, 'private_files')).toBe(stored);
  });
});

/** An order accepted and assigned to a fresh team of its 乡镇. */
async function assignedOrder(name: string, over: Partial<Record<string, unknown>> = {}) {
  const o = await createServiceOrder(db, order(over));
  const t = await team(name);
  await acceptOrder(db, editor, o.id);
  await assignOrder(db, editor, o.id, t.id);
  return { o, t };
}

const eventInput = (startsAt: number, over: Record<string, unknown> = {}) =>
  EventFields.parse({ title: '上门修水管', category: '助老助残', startsAt: toDateTimeLocal(startsAt), endsAt: toDateTimeLocal(startsAt + 2 * 3600_000), capacity: 4, ...over });
const week = Date.now() + 7 * 86400_000;
const steps = async (no: string, phone: string) => (await trackNumber(db, { number: no, digits: phone.slice(-4), ip: '203.0.113.9', secretKey: TEST_KEY }))!.timeline.map((s) => s.text);

describe('接单: the holding team turns the order into an event', () => {
  test('the form is prefilled from the menu item, the preferred date and the 村 — never the private address', async () => {
    const now = fromShanghai('2026-12-01', '10:00');
    const draft = eventDraftFromOrder({ preferredTime: '12月12日下午', townId, villageId }, { name: '助老助残上门服务', category: '助老助残' }, '红旗村', now);
    expect(draft).toMatchObject({ title: '助老助残上门服务（红旗村）', category: '助老助残', address: '红旗村', startsAt: fromShanghai('2026-12-12', '14:00') });
    expect(JSON.stringify(draft)).not.toContain('3组12号');
    expect(parsePreferredTime('2026-12-20 上午', now)).toEqual({ startsAt: fromShanghai('2026-12-20', '09:00'), endsAt: fromShanghai('2026-12-20', '11:00') });
    expect(parsePreferredTime('1月3日', now)?.startsAt).toBe(fromShanghai('2027-01-03', '09:00'));
    for (const vague of ['周六上午', '越快越好', '', '2月30日', '2026-11-01']) expect(parsePreferredTime(vague, now), vague).toBeUndefined();
  });

  test('an event created for the order is linked, and the resident reads the date — no names — on /track', async () => {
    const { o, t } = await assignedOrder('修缮队');
    const eventId = await createEventForOrder(db, t.leader, t.id, o.id, eventInput(week, { address: '红旗村' }));
    const [ev] = (await db.$client.execute({ sql: 'SELECT team_id, service_order_id, status, address FROM events WHERE id = ?', args: [eventId] })).rows;
    expect(ev).toMatchObject({ team_id: t.id, service_order_id: o.id, status: 'draft', address: '红旗村' });
    const phone = (await db.$client.execute({ sql: 'SELECT requester_phone FROM service_orders WHERE id = ?', args: [o.id] })).rows[0].requester_phone as string;
    const text = await steps(o.trackingNo, phone);
    expect(text.at(-1)).toMatch(/^已安排志愿服务活动：\d{4}年\d{1,2}月\d{1,2}日$/);
    expect(await count(db, "audit_log WHERE action = 'order.event' AND target_id = ?", [String(o.id)])).toBe(1);
  });

  test('an existing event of the team can be linked; another team’s, a cancelled one or an order not held is refused', async () => {
    const { o, t } = await assignedOrder('巡防队');
    const other = await team('隔壁队');
    const ours = await makeEvent(db, t.id, week, week + 3600_000, '周末入户服务');
    await db.$client.execute({ sql: "UPDATE events SET status = 'published' WHERE id = ?", args: [ours] });
    const theirs = await makeEvent(db, other.id, week, week + 3600_000, '隔壁队活动');
    const cancelled = await makeEvent(db, t.id, week, week + 3600_000, '取消的活动');
    await db.$client.execute({ sql: "UPDATE events SET status = 'cancelled' WHERE id = ?", args: [cancelled] });

    await expect(linkEventToOrder(db, t.leader, t.id, o.id, theirs)).rejects.toMatchObject({ field: 'eventId', message: '找不到该活动：只能关联本队的活动' });
    await expect(linkEventToOrder(db, other.leader, other.id, o.id, theirs)).rejects.toMatchObject({ status: 'NOT_FOUND' });
    await expect(linkEventToOrder(db, t.leader, t.id, o.id, cancelled)).rejects.toMatchObject({ message: '该活动已取消，不能关联点单' });
    await expect(linkEventToOrder(db, t.member, t.id, o.id, ours)).rejects.toMatchObject({ message: '只有该队伍的队长或副队长可以执行此操作' });
    await expect(createEventForOrder(db, other.leader, other.id, o.id, eventInput(week))).rejects.toMatchObject({ status: 'NOT_FOUND' });
    expect(await count(db, 'events WHERE service_order_id = ?', [o.id])).toBe(0);

    await linkEventToOrder(db, t.leader, t.id, o.id, ours);
    expect(await count(db, 'events WHERE id = ? AND service_order_id = ?', [ours, o.id])).toBe(1);
    await expect(linkEventToOrder(db, t.leader, t.id, o.id, ours)).rejects.toMatchObject({ message: '该活动已关联这个点单' });

    // Returned to the pool, the order is no longer the team's: no event can be created or linked for it.
    await openOrder(db, editor, o.id);
    const spare = await makeEvent(db, t.id, week, week + 3600_000, '另一个活动');
    await expect(linkEventToOrder(db, t.leader, t.id, o.id, spare)).rejects.toMatchObject({ status: 'NOT_FOUND' });
    const events = await count(db, 'events');
    await expect(createEventForOrder(db, t.leader, t.id, o.id, eventInput(week))).rejects.toMatchObject({ status: 'NOT_FOUND' });
    expect(await count(db, 'events')).toBe(events);
  });
});

describe('progress notes', () => {
  test('a leader’s note with photos: the resident reads “服务进展已更新” unless told, the text when told, never the photos', async () => {
    const { o, t } = await assignedOrder('进展队');
    const phone = (await db.$client.execute({ sql: 'SELECT requester_phone FROM service_orders WHERE id = ?', args: [o.id] })).rows[0].requester_phone as string;
    await addProgressNote(db, t.leader, t.id, o.id, {
      body: '已上门查看，屋顶瓦片松动，队员李强周六带工具来修',
      toResident: false,
      photos: { uploadsDir: dir, files: [await image('jpeg'), await image('png')] },
    });
    await addProgressNote(db, t.leader, t.id, o.id, { body: '材料已备齐，周六上午上门维修', toResident: true });
    const text = await steps(o.trackingNo, phone);
    expect(text.slice(-2)).toEqual(['服务进展已更新', '服务进展：材料已备齐，周六上午上门维修']);
    expect(text.join()).not.toContain('李强');
    const tracked = JSON.stringify(await trackNumber(db, { number: o.trackingNo, digits: phone.slice(-4), ip: '203.0.113.9', secretKey: TEST_KEY }));
    expect(tracked).not.toContain('/files/');

    const notes = await progressNotes(db, o.id);
    expect(notes.map((n) => [n.body, n.toResident, n.photos.length])).toEqual([
      ['已上门查看，屋顶瓦片松动，队员李强周六带工具来修', false, 2],
      ['材料已备齐，周六上午上门维修', true, 0],
    ]);
    const file = notes[0].photos[0].thumb.replace('/files/', '');
    const other = await team('旁队');
    expect(Boolean(await privateFileFor(db, dir, file, t.leader))).toBe(true);
    expect(Boolean(await privateFileFor(db, dir, file, editor))).toBe(true);
    expect(Boolean(await privateFileFor(db, dir, file, t.member))).toBe(false);
    expect(Boolean(await privateFileFor(db, dir, file, other.leader))).toBe(false);
    expect(Boolean(await privateFileFor(db, dir, file, null))).toBe(false);
  });

  test('a member, another team’s leader, a fourth photo or an empty note are refused; nothing is written', async () => {
    const { o, t } = await assignedOrder('拒绝队');
    const other = await team('外队');
    const before = [await count(db, 'service_order_notes'), await count(db, 'private_files'), await count(db, 'service_order_steps')];
    await expect(addProgressNote(db, t.member, t.id, o.id, { body: '我也想写', toResident: false })).rejects.toMatchObject({ message: '只有该队伍的队长或副队长可以执行此操作' });
    await expect(addProgressNote(db, other.leader, other.id, o.id, { body: '冒充进展', toResident: true })).rejects.toMatchObject({ status: 'NOT_FOUND' });
    const four = [await image('jpeg'), await image('jpeg'), await image('png'), await image('png')];
    await expect(addProgressNote(db, t.leader, t.id, o.id, { body: '四张照片', toResident: false, photos: { uploadsDir: dir, files: four } })).rejects.toMatchObject({ field: 'photos' });
    await expect(addProgressNote(db, t.leader, t.id, o.id, { body: ' ', toResident: false })).rejects.toMatchObject({ field: 'body' });
    expect([await count(db, 'service_order_notes'), await count(db, 'private_files'), await count(db, 'service_order_steps')]).toEqual(before);
  });
});

describe('确认完成 with a 结项 report', () => {
  const report = (over: Record<string, unknown> = {}) => ({ note: '两名志愿者上门修好了屋顶', servedVolunteers: 2, beneficiaries: 3, hoursRecorded: true, noEventReason: '', ...over });

  test('a linked event must be over first; then the report is stored and the reason for 无需活动 is not asked', async () => {
    const { o, t } = await assignedOrder('结项队');
    const eventId = await createEventForOrder(db, t.leader, t.id, o.id, eventInput(Date.now() + 3600_000));
    await expect(finishOrder(db, t.leader, o.id, t.id, report())).rejects.toMatchObject({ message: expect.stringContaining('关联的活动“上门修水管”还没有结束') });
    expect((await getServiceOrder(db, o.id))?.status).toBe('assigned');
    await db.$client.execute({ sql: "UPDATE events SET status = 'completed', starts_at = ?, ends_at = ? WHERE id = ?", args: [Date.now() - 3 * 3600_000, Date.now() - 3600_000, eventId] });
    await finishOrder(db, t.leader, o.id, t.id, report({ noEventReason: '不该保存' }));
    expect(await getServiceOrder(db, o.id)).toMatchObject({ status: 'done', closeNote: '两名志愿者上门修好了屋顶', servedVolunteers: 2, beneficiaries: 3, hoursRecorded: 1, noEventReason: null });
  });

  test('without an event the leader must say why none was needed; bad counts are refused next to their field', async () => {
    const { o, t } = await assignedOrder('电话队');
    await expect(finishOrder(db, t.leader, o.id, t.id, report())).rejects.toMatchObject({ field: 'noEventReason' });
    await expect(finishOrder(db, t.leader, o.id, t.id, report({ servedVolunteers: 0 }))).rejects.toMatchObject({ field: 'servedVolunteers' });
    await expect(finishOrder(db, t.leader, o.id, t.id, report({ beneficiaries: 1.5 }))).rejects.toMatchObject({ field: 'beneficiaries' });
    expect((await getServiceOrder(db, o.id))?.status).toBe('assigned');
    // A cancelled event does not count as delivery.
    const cancelled = await makeEvent(db, t.id, week, week + 3600_000, '取消了');
    await db.$client.execute({ sql: "UPDATE events SET status = 'cancelled', service_order_id = ? WHERE id = ?", args: [o.id, cancelled] });
    await expect(finishOrder(db, t.leader, o.id, t.id, report())).rejects.toMatchObject({ field: 'noEventReason' });
    await finishOrder(db, t.leader, o.id, t.id, report({ hoursRecorded: false, noEventReason: '电话咨询当场解答' }));
    expect(await getServiceOrder(db, o.id)).toMatchObject({ status: 'done', hoursRecorded: 0, noEventReason: '电话咨询当场解答' });
  });
});

describe('服务人次', () => {
  test('equals a hand count of confirmed hour records on the orders’ events, by 乡镇, category and month', async () => {
    const own = await freshDb({ seed: 'base' });
    const tree = await regionTree(own);
    const menu = await listMenu(own);
    const elder = menu.find((i) => i.slug === 'elder-care')!;
    const other = menu.find((i) => i.category !== elder.category && i.individual === 0)!;
    const exec = (q: string, args: (string | number | null)[] = []) => own.$client.execute({ sql: q, args });
    const t0 = fromShanghai('2026-10-10', '09:00');
    const teamId = await makeTeam(own, '人次队');
    /** An order inserted as it stands after delivery, in a 乡镇 and a month. */
    const orderIn = async (town: number, item: number, createdAt: number) =>
      Number(
        (
          await exec(
            `INSERT INTO service_orders (tracking_no, item_id, requester_name, requester_phone, town_id, village_id, address, need, status, team_id, created_at)
        VALUES (?, ?, '某人', '13800000000', ?, ?, '1组1号', '需要帮助的事情', 'done', ?, ?) RETURNING id`,
            [`DD-2026-${String(createdAt).slice(-6)}`, item, town, tree.find((x) => x.id === town)!.villages[0].id, teamId, createdAt],
          )
        ).rows[0].id,
      );
    const eventFor = async (orderId: number | null, at: number) =>
      Number(
        (
          await exec(
            `INSERT INTO events (team_id, title, category, starts_at, ends_at, capacity, status, service_order_id, created_at) VALUES (?, '服务活动', '其他', ?, ?, 20, 'completed', ?, ?) RETURNING id`,
            [teamId, at, at + 7200_000, orderId, at],
          )
        ).rows[0].id,
      );
    /** Hour records of distinct volunteers on an event, with the given statuses. */
    const records = async (eventId: number, at: number, statuses: string[]) => {
      for (const status of statuses) {
        const userId = await makeUser(own);
        await exec(`INSERT INTO hour_records (user_id, team_id, event_id, source, starts_at, ends_at, minutes, status, created_at) VALUES (?, ?, ?, 'leader', ?, ?, 120, ?, ?)`, [
          userId,
          teamId,
          eventId,
          at,
          at + 7200_000,
          status,
          at,
        ]);
      }
    };
    const [a, b] = [tree[0].id, tree[1].id];
    const oct = t0;
    const nov = fromShanghai('2026-11-05', '09:00');
    const o1 = await orderIn(a, elder.id, oct); // 乡镇 a, elder, October: 3 confirmed over two events
    await records(await eventFor(o1, oct + 86400_000), oct + 86400_000, ['confirmed', 'confirmed', 'pending']);
    await records(await eventFor(o1, oct + 2 * 86400_000), oct + 2 * 86400_000, ['confirmed', 'declined']);
    const o2 = await orderIn(b, other.id, nov); // 乡镇 b, other category, November: 2 confirmed
    await records(await eventFor(o2, nov + 86400_000), nov + 86400_000, ['confirmed', 'confirmed']);
    await orderIn(a, other.id, nov + 1000); // no event: 0
    await records(await eventFor(null, nov + 3 * 86400_000), nov + 3 * 86400_000, ['confirmed', 'confirmed', 'confirmed']); // not an order's event

    const f = await orderFigures(own, nov + 30 * 86400_000);
    expect(f.total.serviceVisits).toBe(5);
    const byTown = Object.fromEntries(f.byTown.map((r) => [r.key, r.serviceVisits]));
    expect(byTown).toEqual({ [tree[0].name]: 3, [tree[1].name]: 2 });
    const byCategory = Object.fromEntries(f.byCategory.map((r) => [r.key, r.serviceVisits]));
    expect(byCategory).toEqual({ [elder.category]: 3, [other.category]: 2 });
    expect(Object.fromEntries(f.byMonth.map((r) => [r.key, r.serviceVisits]))).toEqual({ '2026-10': 3, '2026-11': 2 });
  });
});

describe('the demo county', () => {
  test('finished orders were served through completed events with confirmed hours, notes and 结项 reports', async () => {
    const demo = await freshDb({ seed: 'demo' });
    const one = async (q: string) => Number(Object.values((await demo.$client.execute(q)).rows[0])[0]);
    expect(await one("SELECT count(*) FROM events WHERE service_order_id IS NOT NULL AND status = 'completed'")).toBeGreaterThanOrEqual(3);
    expect(await one('SELECT count(*) FROM service_order_notes')).toBeGreaterThanOrEqual(3);
    // Every team order closed in the demo carries its 结项 report (普法 lectures and 微心愿 close their own way).
    expect(await one("SELECT count(*) FROM service_orders WHERE status IN ('done', 'rated') AND team_id IS NOT NULL AND tracking_no LIKE 'DD-%-DEMO%' AND served_volunteers IS NULL")).toBe(0);
    expect(await one('SELECT count(*) FROM service_orders WHERE no_event_reason IS NOT NULL')).toBeGreaterThanOrEqual(1);
    const visits = await one("SELECT count(*) FROM hour_records h JOIN events e ON e.id = h.event_id WHERE e.service_order_id IS NOT NULL AND h.status = 'confirmed'");
    expect(visits).toBeGreaterThan(0);
    expect((await orderFigures(demo)).total.serviceVisits).toBe(visits);
  });
});
