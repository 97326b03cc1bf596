// Private evidence and withdrawn media over real HTTP (issue 15, item 1; docs/decisions/076):
// a claim photo reaches only the volunteer and the team's leaders, a nomination photo only the
// staff handling nominations, counting ids finds nothing, and a published image stops being
// served once its article is withdrawn or its honoree's photo consent is revoked.
import { describe, expect, test } from 'vitest';
import sharp from 'sharp';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import type { RunningServer } from '../helpers/server.ts';
import { portalHooks } from '../helpers/portal.ts';
import { sessionCookieFor, userIdByPhoneAt } from '../helpers/session.ts';
import { postAction, toFormData } from '../helpers/trust.ts';
import { openDb } from '../../db/client.ts';
import { createArticle } from '../../src/domain/articles/editing.ts';
import { shanghaiDay } from '../../src/lib/time.ts';

let server: RunningServer;
portalHooks((s) => {
  server = s;
});

const TEAM_B = 'chengguan-red-vest';
const cookies: Record<string, string> = {};
async function cookieOf(phone: string): Promise<string> {
  cookies[phone] ??= (await sessionCookieFor(server.dbUrl, await userIdByPhoneAt(server.dbUrl, phone))).cookie;
  return cookies[phone];
}
async function get(path: string, cookie = '') {
  return fetch(server.url + path, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
}
async function png(colour: string): Promise<Buffer> {
  return sharp({ create: { width: 320, height: 240, channels: 3, background: colour } })
    .png()
    .toBuffer();
}
let q: Client;
const one = async (sql: string, args: (string | number)[] = []) => {
  q ??= createClient({ url: server.dbUrl });
  const rs = await q.execute({ sql, args });
  return rs.rows[0];
};
/** A volunteer who is not in team B and leads nothing. */
const outsiderPhone = async () =>
  String(
    (
      await one(
        `SELECT phone FROM users u WHERE phone LIKE '137%' AND NOT EXISTS (SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id
  WHERE m.user_id = u.id AND (t.slug = ? OR m.role IN ('leader', 'coleader'))) ORDER BY id LIMIT 1`,
        [TEAM_B],
      )
    ).phone,
  );
/** Polls until check() holds: the anonymous-page cache sees a change made straight in the database within 250 ms. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
/** A leader of another team than B (the demo has one leader only: one is appointed here). */
async function otherLeaderPhone(): Promise<string> {
  const u = await one(
    `SELECT id, phone FROM users u WHERE phone LIKE '137%' AND NOT EXISTS (SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id
    WHERE m.user_id = u.id AND (t.slug = ? OR m.role IN ('leader', 'coleader'))) ORDER BY id DESC LIMIT 1`,
    [TEAM_B],
  );
  const team = await one('SELECT id FROM teams WHERE slug <> ? ORDER BY id LIMIT 1', [TEAM_B]);
  await one(
    `INSERT INTO team_members (team_id, user_id, role, status, created_at, decided_at) VALUES (?, ?, 'leader', 'active', ?, ?)
    ON CONFLICT DO UPDATE SET role = 'leader', status = 'active' RETURNING id`,
    [Number(team.id), Number(u.id), Date.now(), Date.now()],
  );
  return String(u.phone);
}

let claimPhoto = '';
let nominationPhoto = '';

describe("a volunteer's on-site photo (仅供队伍负责人核实)", () => {
  test('anonymous visitors, other volunteers, other leaders and editors get 404; the team leader and the volunteer get the bytes, never cached', async () => {
    const team = Number((await one('SELECT id FROM teams WHERE slug = ?', [TEAM_B])).id);
    const form = toFormData({ teamId: team, day: shanghaiDay(Date.now() - 4 * 86400_000), start: '07:00', end: '08:30', content: '为独居老人打扫院子' });
    form.set('photo', new Blob([new Uint8Array(await png('#2a7'))], { type: 'image/png' }), 'yard.png');
    const res = await fetch(server.url + '/me/hours?_action=hours.claim', { method: 'POST', body: form, headers: { cookie: await cookieOf('13900000006'), origin: server.url }, redirect: 'manual' });
    expect(res.status).toBe(303);

    const page = await (await get(`/me/teams/${TEAM_B}/hours`, await cookieOf('13900000005'))).text();
    claimPhoto = /href="([^"]+)"[^>]*>查看现场照片/.exec(page)?.[1] ?? '';
    expect(claimPhoto).toBeTruthy();

    for (const who of ['', await cookieOf(await outsiderPhone()), await cookieOf(await otherLeaderPhone()), await cookieOf('13900000002'), await cookieOf('13900000001')]) {
      const r = await get(claimPhoto, who);
      expect(r.status, `GET ${claimPhoto} as ${who || 'anonymous'}`).toBe(404);
      expect(r.headers.get('content-type') ?? '').not.toMatch(/^image\//);
    }
    for (const phone of ['13900000005', '13900000006']) {
      const r = await get(claimPhoto, await cookieOf(phone));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/webp');
      expect(r.headers.get('cache-control')).toBe('private, no-store');
      const bytes = Buffer.from(await r.arrayBuffer());
      expect((await sharp(bytes).metadata()).format).toBe('webp');
    }
    // Stored apart from published media: an unguessable name under UPLOADS_DIR/private, not reachable as /media/<name>.
    expect(claimPhoto).toMatch(/^\/files\/[a-z0-9]{32}-\d+\.webp$/);
    const name = claimPhoto.split('/').pop()!;
    expect(existsSync(join(server.dataDir, 'uploads', 'private', name))).toBe(true);
    expect(existsSync(join(server.dataDir, 'uploads', name))).toBe(false);
    expect((await get('/media/' + name, await cookieOf('13900000002'))).status).toBe(404);
  });
});

describe('a photo sent with a nomination', () => {
  test('reaches the staff handling nominations only', async () => {
    const town = Number((await one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1")).id);
    const form = toFormData({
      nominatorName: '赵小红',
      nominatorPhone: '13812340000',
      relation: '邻居',
      nomineeName: '钱阿婆',
      townId: town,
      category: '助人为乐',
      deeds: '钱阿婆二十年来每天为村里的留守儿童做午饭，从不收钱，还辅导孩子们写作业，村民们都很感动，一致推荐她。',
    });
    form.set('photo', new Blob([new Uint8Array(await png('#a27'))], { type: 'image/png' }), 'granny.png');
    const sent = await fetch(server.url + '/honors/nominate?_action=honors.nominate', { method: 'POST', body: form, headers: { origin: server.url }, redirect: 'manual' });
    expect(sent.status).toBeLessThan(400);
    const id = Number((await one("SELECT id FROM nominations WHERE nominee_name = '钱阿婆'")).id);
    const page = await (await get(`/console/nominations/${id}`, await cookieOf('13900000002'))).text();
    nominationPhoto = /href="([^"]+)"[^>]*>查看推荐人提供的照片/.exec(page)?.[1] ?? '';
    expect(nominationPhoto).toBeTruthy();
    for (const who of ['', await cookieOf('13900000006'), await cookieOf('13900000005'), await cookieOf('13900000003')]) {
      expect((await get(nominationPhoto, who)).status, `as ${who || 'anonymous'}`).toBe(404);
    }
    const r = await get(nominationPhoto, await cookieOf('13900000002'));
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('private, no-store');
    expect(nominationPhoto).toMatch(/^\/files\/[a-z0-9]{32}-\d+\.webp$/);

    // As a candidate the entry does not take the photo along; staff adopt a library copy once consent is recorded.
    const editorCookie = await cookieOf('13900000002');
    await postAction(server, 'honors.saveBatch', toFormData({ title: '照片测试批次', period: '2026 年第 12 期' }), { cookie: editorCookie });
    const batchId = Number((await one("SELECT id FROM honor_batches WHERE title = '照片测试批次'")).id);
    const made = await postAction(server, 'honors.handleNomination', toFormData({ id, op: 'candidate', batchId }), { cookie: editorCookie, page: `/console/nominations/${id}` });
    expect(made.status).toBe(303);
    const honoreeId = Number(/\/console\/honors\/(\d+)/.exec(made.location ?? '')?.[1]);
    expect((await one('SELECT photo_media_id FROM honorees WHERE id = ?', [honoreeId])).photo_media_id).toBeNull();
    const entry = await (await get(`/console/honors/${honoreeId}`, editorCookie)).text();
    expect(entry).toContain(nominationPhoto);
    const early = await postAction(server, 'honors.adoptNominationPhoto', toFormData({ id: honoreeId }), { cookie: editorCookie, page: `/console/honors/${honoreeId}` });
    expect(early.status).toBe(400);
    expect(early.body).toContain('同意公开照片');
    await one('UPDATE honorees SET photo_consent = 1 WHERE id = ? RETURNING id', [honoreeId]);
    const adopted = await postAction(server, 'honors.adoptNominationPhoto', toFormData({ id: honoreeId }), { cookie: editorCookie, page: `/console/honors/${honoreeId}` });
    expect(adopted.status).toBe(303);
    const copy = await one('SELECT m.file_key FROM honorees h JOIN media m ON m.id = h.photo_media_id WHERE h.id = ?', [honoreeId]);
    expect(String(copy.file_key)).not.toBe(/([a-z0-9]{32})/.exec(nominationPhoto)?.[1]);
    // The private original still reaches staff only.
    expect((await get(nominationPhoto)).status).toBe(404);
  });
});

describe("a delivered lecture's photos (residents in the picture)", () => {
  test('are uploaded with the delivery form and reach the staff handling lectures only', async () => {
    // A scheduled lecture is a service order of the lecture item, assigned (docs/decisions/101).
    const id = Number((await one("SELECT id FROM service_orders WHERE lecture IS NOT NULL AND status = 'assigned' ORDER BY id LIMIT 1")).id);
    const form = toFormData({ id, audience: 33 });
    form.append('photos', new Blob([new Uint8Array(await png('#7a2'))], { type: 'image/png' }), 'hall.png');
    const res = await fetch(`${server.url}/console/orders/${id}?_action=legal.deliver`, {
      method: 'POST',
      body: form,
      headers: { cookie: await cookieOf('13900000002'), origin: server.url },
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const page = await (await get(`/console/orders/${id}`, await cookieOf('13900000002'))).text();
    const photo = /<a href="(\/files\/[a-z0-9]{32}-\d+\.webp)"><img/.exec(page)?.[1] ?? '';
    expect(photo).toBeTruthy();
    for (const who of ['', await cookieOf('13900000006'), await cookieOf('13900000003'), await cookieOf('13900000001')]) {
      expect((await get(photo, who)).status, `as ${who || 'anonymous'}`).toBe(404);
    }
    expect((await get(photo, await cookieOf('13900000002'))).status).toBe(200);
  });
});

describe('nothing is reachable by counting', () => {
  test('/media/<n> and /files/<n> answer 404 for every small number, signed in or not', async () => {
    expect(Number((await one('SELECT count(*) AS n FROM hour_records WHERE content = ?', ['为独居老人打扫院子'])).n)).toBe(1);
    const statuses = new Map<string, number>();
    for (const cookie of ['', await cookieOf('13900000002')]) {
      for (let n = 1; n <= 40; n++) {
        for (const path of [`/media/${n}`, `/files/${n}`]) {
          const r = await get(path, cookie);
          if (r.status !== 404) statuses.set(`${cookie ? 'editor' : 'anonymous'} ${path}`, r.status);
        }
      }
    }
    expect(Object.fromEntries(statuses)).toEqual({});
  });
});

describe('a published image stops being served when what published it is withdrawn', () => {
  test("a withdrawn article's cover: 404 for the public, still visible to staff", async () => {
    const editorCookie = await cookieOf('13900000002');
    const up = await postAction(server, 'articles.uploadImage', toFormData({ file: new Blob([new Uint8Array(await png('#36c'))], { type: 'image/png' }), alt: '河道清理现场' }), {
      cookie: editorCookie,
      page: '/console/media',
    });
    expect(up.status).toBe(303);
    const mediaId = Number(/uploaded=(\d+)/.exec(up.location ?? '')?.[1]);
    expect(mediaId).toBeGreaterThan(0);
    const db = await openDb({ url: server.dbUrl });
    const editor = { id: await userIdByPhoneAt(server.dbUrl, '13900000002'), realName: '林晓雯', phone: '13900000002', roles: ['volunteer', 'editor'], status: 'active' };
    const articleId = await createArticle(db, editor, {
      title: '河道清理志愿活动',
      channel: 'news',
      topic: null,
      honoreeId: null,
      summary: '清理河道。',
      body: '志愿者清理河道。',
      tags: [],
      author: '林晓雯',
      source: '',
      coverMediaId: mediaId,
      attachments: [],
    });
    const slug = String((await db.$client.execute({ sql: 'SELECT slug FROM articles WHERE id = ?', args: [articleId] })).rows[0].slug);
    const key = String((await db.$client.execute({ sql: 'SELECT file_key FROM media WHERE id = ?', args: [mediaId] })).rows[0].file_key);
    // A draft's cover is not public yet.
    expect((await get(`/media/${key}-320.webp`)).status).toBe(404);
    await db.$client.execute({ sql: "UPDATE articles SET status = 'published', published_at = ? WHERE id = ?", args: [Date.now(), articleId] });
    db.$client.close();

    const html = await (await get(`/articles/${slug}`)).text();
    const cover = /<figure class="cover">\s*<img src="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(cover).toMatch(new RegExp(`^/media/${key}-\\d+\\.webp$`));
    const live = await get(cover);
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toBe('image/webp');
    // Never "immutable for a year": a withdrawal must reach browsers and proxies within minutes.
    expect(live.headers.get('cache-control')).not.toMatch(/immutable/);
    expect(Number(/max-age=(\d+)/.exec(live.headers.get('cache-control') ?? '')?.[1] ?? 0)).toBeLessThanOrEqual(300);

    const down = await postAction(server, 'articles.unpublish', toFormData({ id: articleId, reason: '信息有误，撤下核实' }), { cookie: editorCookie });
    expect(down.status).toBeLessThan(400);
    expect((await get(cover)).status).toBe(404);
    expect((await get(`/media/${key}.png`)).status).toBe(404);
    const staff = await get(cover, editorCookie);
    expect(staff.status).toBe(200);
    expect(staff.headers.get('cache-control')).toBe('private, no-store');
  });

  test("an honoree's photo: served with consent while published; 404 once consent is revoked or the entry withdrawn", async () => {
    const editorCookie = await cookieOf('13900000002');
    const up = await postAction(server, 'articles.uploadImage', toFormData({ file: new Blob([new Uint8Array(await png('#c63'))], { type: 'image/png' }), alt: '好人肖像' }), {
      cookie: editorCookie,
      page: '/console/media',
    });
    const mediaId = Number(/uploaded=(\d+)/.exec(up.location ?? '')?.[1]);
    const h = await one("SELECT id, slug FROM honorees WHERE status = 'published' AND kind = 'person' ORDER BY id LIMIT 1");
    await one('UPDATE honorees SET photo_media_id = ?, photo_consent = 1 WHERE id = ? RETURNING id', [mediaId, Number(h.id)]);
    const photoOf = async () => /<img src="([^"]+)" alt="[^"]*的照片"/.exec(await (await get(`/honors/${String(h.slug)}`)).text())?.[1];
    const src = (await photoOf())!;
    expect(src).toBeTruthy();
    const shown = await fetch(server.url + src);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toBe('image/webp');

    await one('UPDATE honorees SET photo_consent = 0 WHERE id = ? RETURNING id', [Number(h.id)]);
    expect(await eventually(async () => (await photoOf()) === undefined)).toBe(true);
    expect((await fetch(server.url + src)).status).toBe(404);

    await one('UPDATE honorees SET photo_consent = 1 WHERE id = ? RETURNING id', [Number(h.id)]);
    expect((await fetch(server.url + src)).status).toBe(200);
    const out = await postAction(server, 'honors.withdraw', toFormData({ id: Number(h.id), reason: '本人要求撤下' }), { cookie: editorCookie });
    expect(out.status).toBeLessThan(400);
    expect((await fetch(server.url + src)).status).toBe(404);
  });
});

describe("the editors' library", () => {
  test('neither the media library nor the cover choices list private photos', async () => {
    expect(claimPhoto && nominationPhoto).toBeTruthy();
    const editorCookie = await cookieOf('13900000002');
    const keys = [claimPhoto, nominationPhoto].map((p) => /([a-z0-9]{16,32})(-\d+)?\.\w+$/.exec(p)?.[1]).filter((k): k is string => !!k);
    for (const path of ['/console/media', '/console/articles/new']) {
      const html = await (await get(path, editorCookie)).text();
      expect(html).toContain('河道清理现场'); // the library itself still works
      for (const k of keys) expect(html.includes(k), `${path} shows a private photo`).toBe(false);
      expect(html).not.toContain('服务照片');
      expect(html).not.toContain('推荐材料照片');
    }
  });
});
