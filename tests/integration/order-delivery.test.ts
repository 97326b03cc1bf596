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
import { acceptOrder, assignOrder, claimWish, createServiceOrder, listMenu, openOrder, ServiceOrderSchema } from '../../src/domain/orders/index.ts';
import { privateFileFor } from '../../src/domain/media/private.ts';
import { orderPhotos } from '../../src/domain/orders/photos.ts';
import { addMember, count, makeTeam, makeUser } from './hours-fixtures.ts';

let db: Db;
let dir: string;
let editor: SessionUser;
let townId: number;
let villageId: number;
let itemId: number;
let wishItemId: number;
let phoneSeq = 100;

const as = (id: number, roles: string[] = ['volunteer'], status = 'active'): SessionUser => ({ id, realName: '某人', phone: null, roles, status });
const image = (format: 'png' | 'jpeg' | 'webp', colour = '#36c') =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: colour } })
    [format]()
    .toBuffer()
    .then((b) => ({ bytes: new Uint8Array(b), name: `photo.${format}` }));

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
    const o = await createServiceOrder(db, order({ itemId: wishItemId }), { photos: { uploadsDir: dir, files: [await image('jpeg')] } });
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
        return [{ bytes: new Uint8Array(await sharp(raw, { raw: { width: 1200, height: 1200, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer()), name: 'big.png' }];
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

  test('an order refused for another field keeps no photo', async () => {
    const stored = await count(db, 'private_files');
    await expect(createServiceOrder(db, order({ itemId: 999999 }), { photos: { uploadsDir: dir, files: [await image('jpeg')] } })).rejects.toMatchObject({ field: 'itemId' });
    expect(await count(db, 'private_files')).toBe(stored);
  });
});
