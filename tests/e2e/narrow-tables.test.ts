// Issue 18, item 1 (label/value tables): on a 360 px phone, normal and 大字, the certificate check a QR
// scan opens, a profile and an event's facts show every value without a sideways scroll.
import { describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { trustPortalHooks } from '../helpers/portal.ts';
import type { Actors, Q } from '../helpers/trust.ts';
import type { RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let q: Q;
let actors: Actors;
let browser: Browser;
trustPortalHooks((p, b) => {
  ({ server, q, actors } = p);
  browser = b;
});

describe('label/value tables fit a phone', () => {
  test.each([false, true])('大字 %s: /verify, /me/profile and an event page', async (large) => {
    const code = String((await q.row("SELECT code FROM certificates WHERE status = 'issued' ORDER BY id LIMIT 1"))!.code);
    const event = await q.one("SELECT id FROM events WHERE status = 'published' ORDER BY id LIMIT 1");
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const [name, value] = actors.cookies.owner.split('=');
    await context.addCookies([{ name, value, url: server.url }, ...(large ? [{ name: 'sx_large', value: '1', url: server.url }] : [])]);
    const page = await context.newPage();
    for (const path of [`/verify/${code}`, '/me/profile', `/events/${event}`]) {
      await page.goto(server.url + path);
      const tables = await page.$$eval('table', (ts) =>
        ts.filter((t) => t.querySelector('th[scope="row"]')).map((t) => ({ right: t.getBoundingClientRect().right, scroll: t.parentElement!.scrollWidth, client: t.parentElement!.clientWidth })),
      );
      expect(tables.length, path).toBeGreaterThan(0);
      for (const t of tables) {
        expect(t.right, path).toBeLessThanOrEqual(360);
        expect(t.scroll, path).toBeLessThanOrEqual(t.client + 1);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(360);
    }
    await context.close();
  });
});
