// A volunteer's claim may carry a photo: re-encoded like library images, kept as private evidence the leader sees.
import { afterAll, describe, expect } from 'vitest';
import sharp from 'sharp';
import { createClient, type Client } from '@libsql/client';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../helpers/server.ts';
import { flow } from '../helpers/flow.ts';
import { portalHooks } from '../helpers/portal.ts';
import { sessionCookieFor, userIdByPhoneAt } from '../helpers/session.ts';
import { shanghaiDay } from '../../src/lib/time.ts';

let server: RunningServer;
let browser: Browser;
portalHooks((s, b) => {
  server = s;
  browser = b;
});

async function post(path: string, cookie: string, form: FormData) {
  return fetch(server.url + path, { method: 'POST', body: form, headers: { cookie, origin: server.url }, redirect: 'manual' });
}

describe('hour claim with a photo', () => {
  flow("is stored re-encoded without EXIF, linked to the record and shown in the leader's queue", (step) => {
    let volunteer: number;
    let db: Client;
    let form: FormData;
    let cookie: string;
    let filesBefore: number;
    afterAll(() => db?.close());

    step('the volunteer claims hours with a photo; the record links it', async () => {
      volunteer = await userIdByPhoneAt(server.dbUrl, '13900000006');
      db = createClient({ url: server.dbUrl });
      const team = Number((await db.execute("SELECT id FROM teams WHERE slug = 'chengguan-red-vest'")).rows[0].id);
      const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c33' } })
        .png()
        .withMetadata({ exif: { IFD0: { Copyright: 'GPS-SECRET' } } })
        .toBuffer();
      const day = shanghaiDay(Date.now() - 5 * 86400_000);
      form = new FormData();
      form.set('teamId', String(team));
      form.set('day', day);
      form.set('start', '06:10');
      form.set('end', '07:20');
      form.set('content', '清扫社区健身广场');
      form.set('photo', new Blob([png], { type: 'image/png' }), 'scene.png');
      ({ cookie } = await sessionCookieFor(server.dbUrl, volunteer));
      const res = await post('/me/hours?_action=hours.claim', cookie, form);
      expect(res.status).toBe(303);
      const rec = (await db.execute({ sql: "SELECT photo_file_id FROM hour_records WHERE user_id = ? AND content = '清扫社区健身广场'", args: [volunteer] })).rows[0];
      expect(rec.photo_file_id).not.toBeNull();
    });

    step('the leader opens the photo from the queue: re-encoded, no EXIF left', async () => {
      const leader = await userIdByPhoneAt(server.dbUrl, '13900000005');
      const leaderCookie = (await sessionCookieFor(server.dbUrl, leader)).cookie;
      const page = await (await fetch(server.url + '/me/teams/chengguan-red-vest/hours', { headers: { cookie: leaderCookie } })).text();
      const href = /href="(\/files\/[^"]+)"[^>]*>查看现场照片/.exec(page)?.[1];
      expect(href).toBeTruthy();
      const img = await fetch(server.url + href, { headers: { cookie: leaderCookie } });
      expect(img.status).toBe(200);
      const bytes = Buffer.from(await img.arrayBuffer());
      expect(bytes.includes(Buffer.from('GPS-SECRET'))).toBe(false);
    });

    step('a bad "photo" is refused in place, with nothing stored (no record, no private file)', async () => {
      filesBefore = Number((await db.execute('SELECT count(*) AS n FROM private_files')).rows[0].n);
      const bad = new FormData();
      for (const [k, v] of form.entries()) if (k !== 'photo') bad.set(k, v as string);
      bad.set('start', '08:00');
      bad.set('end', '09:00');
      bad.set('photo', new Blob(['<?php echo 1; ?>'], { type: 'image/jpeg' }), 'x.jpg');
      const refused = await post('/me/hours?_action=hours.claim', cookie, bad);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('照片');
      const n = Number((await db.execute({ sql: "SELECT count(*) AS n FROM hour_records WHERE user_id = ? AND content = '清扫社区健身广场'", args: [volunteer] })).rows[0].n);
      expect(n).toBe(1);
      expect(Number((await db.execute('SELECT count(*) AS n FROM private_files')).rows[0].n)).toBe(filesBefore);
    });

    step('a good photo with a refused claim (the same time again overlaps) leaves no file behind either', async () => {
      const overlap = new FormData();
      for (const [k, v] of form.entries()) overlap.set(k, v);
      const again = await post('/me/hours?_action=hours.claim', cookie, overlap);
      expect(again.status).toBeGreaterThanOrEqual(400);
      expect(again.status).toBeLessThan(500);
      expect(Number((await db.execute('SELECT count(*) AS n FROM private_files')).rows[0].n)).toBe(filesBefore);
      void browser;
    });
  });
});
