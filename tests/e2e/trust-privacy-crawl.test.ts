// Issue 15, "done when": after personal data is entered through the public forms, a crawl of every
// page reachable by links — as an anonymous visitor, a volunteer, a team leader, an editor and an
// administrator — finds no full phone or ID number of anyone but the viewer, in any of the ways a
// reader could piece one together (full-width digits, spaces, dots, markup between digit groups).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { join } from 'node:path';
import { decryptText } from '../../src/lib/pii.ts';
import { postAction, startTrustPortal, toFormData, type Actors, type Kind, type Q } from '../helpers/trust.ts';
import type { RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let q: Q;
let actors: Actors;
beforeAll(async () => {
  ({ server, q, actors } = await startTrustPortal());
});
afterAll(async () => {
  q?.client.close();
  await server?.stop();
});

/** What a reader sees: tags dropped, widths folded, invisible characters gone, digit groups joined. */
export function readerDigits(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .normalize('NFKC')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]/g, '')
    .replace(/&#?\w+;/g, ' ')
    .replace(/(\d)[\s.\-_·•*/]*(?=\d)/g, '$1');
}

const CRAWLERS: Kind[] = ['anonymous', 'volunteer', 'leaderB', 'editor', 'admin'];
const MAX_PAGES = 260;
/** Paths that change state on GET or are binary. */
const SKIP = /^\/(logout|prefs\/|_actions|_astro)|\.(xlsx|pdf|png|jpe?g|webp|docx|zip)(\?|$)/;

/** Same-site links on a page, normalised to path + query. */
function links(html: string, base: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/href="([^"#]+)/g)) {
    const raw = m[1].replace(/&amp;/g, '&');
    let u: URL;
    try {
      u = new URL(raw, base);
    } catch {
      continue;
    }
    if (u.origin !== new URL(server.url).origin) continue;
    const p = u.pathname + u.search;
    if (!SKIP.test(p)) out.push(p);
  }
  return out;
}

/** A shape for a path (numbers and slugs folded) so that 600 honorees are not 600 pages to crawl. */
const shape = (p: string) =>
  p
    .replace(/\d+/g, 'N')
    .replace(/page=N/, '')
    .replace(/\/(honors|teams|articles|legal)\/[^/?]+/, '/$1/S');

async function crawl(kind: Kind): Promise<Map<string, string>> {
  const cookie = actors.cookies[kind];
  const seen = new Map<string, string>();
  const perShape = new Map<string, number>();
  const queue = ['/', '/me', '/me/hours', '/me/events', '/me/certificates', '/me/profile', '/me/teams', '/console', '/honors/candidates', '/search?q=%E5%A5%BD%E4%BA%BA', '/rss.xml', '/sitemap.xml'];
  while (queue.length && seen.size < MAX_PAGES) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    const s = shape(path);
    if ((perShape.get(s) ?? 0) >= 3) continue;
    perShape.set(s, (perShape.get(s) ?? 0) + 1);
    const res = await fetch(server.url + path, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
    const type = res.headers.get('content-type') ?? '';
    const body = /text|xml|json|calendar|csv/.test(type) ? await res.text() : '';
    seen.set(path, body);
    if (res.status === 200 && type.includes('html')) queue.push(...links(body, server.url + path).filter((l) => !seen.has(l)));
  }
  return seen;
}

describe('no full phone or ID number where the viewer may not see it', () => {
  const planted = { nominator: '13812340001', requester: '13812340002', objector: '13812340003' };

  test('personal data entered through the public forms', async () => {
    const town = await q.one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1");
    const village = await q.one('SELECT id FROM regions WHERE parent_id = ? ORDER BY id LIMIT 1', [town]);
    const photo = new Blob(
      [
        new Uint8Array(
          await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c33' } })
            .png()
            .toBuffer(),
        ),
      ],
      { type: 'image/png' },
    );
    const nominated = await postAction(
      server,
      'honors.nominate',
      toFormData({
        nominatorName: '王推荐',
        nominatorPhone: planted.nominator,
        relation: '邻居',
        nomineeName: '张大爷',
        townId: town,
        category: '助人为乐',
        deeds: '他多年来义务照顾村里的孤寡老人，风雨无阻，每天上门送饭打扫卫生，邻里都很感动。'.repeat(2),
        photo,
      }),
      { page: '/honors/nominate' },
    );
    expect(nominated.status).toBe(303);
    expect(await q.one("SELECT count(*) FROM private_files WHERE purpose = 'nomination'")).toBeGreaterThan(0);
    const ordered = await postAction(
      server,
      'legal.order',
      toFormData({
        topic: '反电信诈骗',
        townId: town,
        villageId: village,
        audienceType: '村（居）民',
        audienceExpected: 30,
        preferredDates: '12月4日上午',
        requesterName: '王主任',
        requesterPhone: planted.requester,
      }),
      { page: '/legal/order' },
    );
    expect(ordered.status).toBeLessThan(400);
    const hid = await q.one(`SELECT h.id FROM honorees h JOIN honor_batches b ON b.id = h.batch_id WHERE h.status = 'candidate' AND b.status = 'publicity' ORDER BY h.id LIMIT 1`);
    const objected = await postAction(server, 'honors.objection', toFormData({ honoreeId: hid, text: '该候选人的部分事迹与实际情况不符，请核实。', contact: planted.objector }), {
      page: '/honors/objection',
    });
    expect(objected.status).toBe(303);
  });

  test.each(CRAWLERS)('crawled as %s', async (kind) => {
    const key = Buffer.from(readFileSync(join(server.dataDir, 'secret.key'), 'utf8').trim(), 'hex');
    const users = await q.client.execute('SELECT id, phone, id_number_enc FROM users');
    const own = kind === 'anonymous' ? -1 : actors.ids[kind];
    const secrets: { what: string; value: string }[] = Object.entries(planted).map(([what, value]) => ({ what, value }));
    for (const u of users.rows) {
      if (Number(u.id) === own) continue;
      if (u.phone) secrets.push({ what: `user ${u.id} phone`, value: String(u.phone) });
      if (u.id_number_enc) secrets.push({ what: `user ${u.id} ID number`, value: decryptText(key, String(u.id_number_enc)) });
    }
    expect(secrets.filter((s) => s.what.includes('ID number')).length).toBeGreaterThan(10);
    const pages = await crawl(kind);
    expect(pages.size).toBeGreaterThan(kind === 'anonymous' ? 40 : 50);
    // Private photos (claims, nominations, lectures) are named only by their random key.
    const privateKeys = (await q.client.execute('SELECT file_key FROM private_files')).rows.map((r) => String(r.file_key));
    expect(privateKeys.length).toBeGreaterThan(0);
    const mayHandleNominations = kind === 'editor' || kind === 'admin';
    const leaks: string[] = [];
    for (const [path, body] of pages) {
      const text = readerDigits(body);
      for (const s of secrets) if (text.includes(s.value)) leaks.push(`${path}: ${s.what}`);
      if (!mayHandleNominations) for (const k of privateKeys) if (body.includes(k)) leaks.push(`${path}: private file ${k}`);
    }
    expect(leaks).toEqual([]);
    // Counting or guessing gets nothing: every private file answers 404 to this viewer unless entitled.
    if (kind === 'anonymous' || kind === 'volunteer') {
      for (const k of privateKeys) {
        for (const url of [`/files/${k}`, `/files/${k}.png`, `/files/${k}.webp`, `/media/${k}.png`]) {
          const r = await fetch(server.url + url, { headers: actors.cookies[kind] ? { cookie: actors.cookies[kind] } : {}, redirect: 'manual' });
          expect(r.status, url).toBe(404);
        }
      }
      for (let id = 1; id <= 20; id++) expect((await fetch(`${server.url}/media/${id}`, { redirect: 'manual' })).status).toBe(404);
    }
  });
});

describe("an objector's contact", () => {
  test('is masked on the batch page; the full number is shown once, on request, and audited', async () => {
    const o = await q.row(`SELECT o.id, h.batch_id FROM objections o JOIN honorees h ON h.id = o.honoree_id WHERE o.contact = '13812340003'`);
    expect(o).not.toBeNull();
    const page = await fetch(`${server.url}/console/honors/batches/${o!.batch_id}`, { headers: { cookie: actors.cookies.editor } }).then((r) => r.text());
    expect(page).toContain('138****0003');
    expect(page).not.toContain('13812340003');
    const before = await q.one("SELECT count(*) FROM audit_log WHERE action = 'honors.objection.reveal_contact'");
    const shown = await postAction(server, 'honors.revealObjectionContact', toFormData({ id: Number(o!.id) }), { cookie: actors.cookies.editor, page: `/console/honors/batches/${o!.batch_id}` });
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('13812340003');
    expect(await q.one("SELECT count(*) FROM audit_log WHERE action = 'honors.objection.reveal_contact'")).toBe(before + 1);
    const refused = await postAction(server, 'honors.revealObjectionContact', toFormData({ id: Number(o!.id) }), { cookie: actors.cookies.volunteer });
    expect(refused.status).toBe(403);
  });
});
