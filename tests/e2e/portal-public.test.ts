// The public portal in Chromium: axe (no serious/critical violations), 360 px
// phones without horizontal scrolling, tap targets, no JavaScript, page weight,
// keyboard-only search, and the anonymous-page cache across two processes.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { flow } from '../helpers/flow.ts';
import { rawGet } from '../helpers/raw-get.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { sessionCookieFor, userIdByPhoneAt } from '../helpers/session.ts';
import { openDb, type Db } from '../../db/client.ts';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core');

let server: RunningServer;
let browser: Browser;
let paths: string[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const db = await openDb({ url: server.dbUrl });
  const one = async (sql: string) => String((await db.$client.execute(sql)).rows[0].v);
  paths = [
    '/',
    '/honors',
    '/honors/batches',
    `/honors/${await one(`SELECT slug AS v FROM honorees WHERE status = 'published' ORDER BY id LIMIT 1`)}`,
    '/teams',
    `/teams/${await one(`SELECT slug AS v FROM teams WHERE status = 'active' ORDER BY id LIMIT 1`)}`,
    '/events',
    `/events/${await one(`SELECT id AS v FROM events WHERE status = 'published' ORDER BY id LIMIT 1`)}`,
    '/articles',
    `/articles/${await one(`SELECT slug AS v FROM articles WHERE status = 'published' ORDER BY id LIMIT 1`)}`,
    '/legal',
    `/legal/${await one(`SELECT slug AS v FROM legal_lessons ORDER BY id LIMIT 1`)}`,
    '/search?q=%E7%A4%BE%E5%8C%BA',
    '/search',
    '/search?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E8%AF%8D',
    '/stats',
    '/about',
    '/privacy',
  ];
  db.$client.close();
  // Account pages and public forms from other branches, when present.
  for (const p of ['/login', '/register', '/forgot', '/honors/nominate', '/honors/candidates', '/legal/order']) {
    if ((await fetch(server.url + p)).status === 200) paths.push(p);
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function axeViolations(page: Page) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    // @ts-expect-error injected by addScriptTag
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: { id: string; impact: string; nodes: { target: string[] }[] }) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical');
}

describe('public pages in Chromium', () => {
  test('axe reports no serious or critical violation, in standard and 适老化 mode', async () => {
    for (const large of [false, true]) {
      // bypassCSP only lets the test inject axe-core; the pages themselves run no script.
      const ctx = await browser.newContext({ bypassCSP: true });
      if (large) await ctx.addCookies([{ name: 'sx_large', value: '1', url: server.url }]);
      const page = await ctx.newPage();
      for (const p of paths) {
        const res = await page.goto(server.url + p);
        expect(res?.status(), p).toBe(200);
        expect(await axeViolations(page), `${p}${large ? ' (大字)' : ''}`).toEqual([]);
      }
      await ctx.close();
    }
  });

  test('every public page fits 360×640 without horizontal scrolling; controls are ≥ 44 px tall', async () => {
    for (const large of [false, true]) {
      const ctx = await browser.newContext({ viewport: { width: 360, height: 640 } });
      if (large) await ctx.addCookies([{ name: 'sx_large', value: '1', url: server.url }]);
      const page = await ctx.newPage();
      for (const p of paths) {
        await page.goto(server.url + p);
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${p}${large ? ' (大字)' : ''}`).toBeLessThanOrEqual(360);
        const small = await page.evaluate(
          (min) => {
            const els = [...document.querySelectorAll('header a, header button, nav a, footer a, .filters a, .pager a, button, input:not([type=hidden]), select, .btn, summary')]
              // a checkbox or radio is tapped through its label
              .map((e) => (e.matches('input[type=checkbox], input[type=radio]') ? (e.closest('label') ?? (e.id ? document.querySelector(`label[for="${e.id}"]`) : null) ?? e) : e));
            return els
              .filter((e) => {
                const r = e.getBoundingClientRect();
                // visible on screen (honeypot fields sit far off-screen for bots only)
                return r.width > 0 && r.right > 0 && r.bottom > 0 && r.height < min;
              })
              .map((e) => `${e.tagName} ${(e.textContent ?? '').trim().slice(0, 12)} ${Math.round(e.getBoundingClientRect().height)}`);
          },
          large ? 48 : 44,
        );
        expect(small, p).toEqual([]);
      }
      await ctx.close();
    }
  });

  test('on a phone an honoree card is a row (small portrait beside the text), on a desktop a picture on top, three to a row on the home page', async () => {
    for (const [width, large] of [
      [360, false],
      [360, true],
      [1280, false],
    ] as const) {
      const ctx = await browser.newContext({ viewport: { width, height: 800 } });
      if (large) await ctx.addCookies([{ name: 'sx_large', value: '1', url: server.url }]);
      const page = await ctx.newPage();
      await page.goto(server.url + '/');
      const card = await page.evaluate(() => {
        const c = document.querySelector('.honoree-card')!;
        const p = c.querySelector('.portrait')!.getBoundingClientRect();
        const h = c.querySelector('h3 a')!.getBoundingClientRect(); // the text (the h3 box itself runs under the float)
        return { height: c.getBoundingClientRect().height, portraitWidth: p.width, cardWidth: c.getBoundingClientRect().width, nameBesidePortrait: h.left >= p.right };
      });
      if (width === 360) {
        expect(card.nameBesidePortrait, `360${large ? ' 大字' : ''}`).toBe(true);
        expect(card.portraitWidth).toBeLessThan(card.cardWidth * 0.35);
        expect(card.height).toBeLessThan(large ? 420 : 320);
      } else {
        expect(card.nameBesidePortrait).toBe(false);
        expect(card.portraitWidth).toBeGreaterThan(card.cardWidth * 0.8);
        // Six latest honorees in two full rows of three, not a row of four and two.
        expect(await page.evaluate(() => getComputedStyle(document.querySelector('.grid-6')!).gridTemplateColumns.split(' ').length)).toBe(3);
      }
      await ctx.close();
    }
  });

  test('pages name the county and its honor roll from settings, not with names written into the page', async () => {
    const db = await openDb({ url: server.dbUrl });
    const { cookie } = await sessionCookieFor(server.dbUrl, await userIdByPhoneAt(server.dbUrl, '13900000006'));
    const html = async (path: string) => (await fetch(server.url + path, { headers: { cookie } })).text();
    const description = async (path: string) => /<meta name="description" content="([^"]*)"/.exec(await html(path))?.[1];
    const set = (key: string, value: string) =>
      db.$client.execute({ sql: `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 0) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, args: [key, JSON.stringify(value)] });
    try {
      await set('countyName', '青山县');
      await set('honorRollName', '青山好人榜');
      await set('siteName', '青山善行');
      // Signed in: the page is rendered now, not taken from the anonymous cache.
      expect(await description('/teams')).toBe('青山县志愿服务队伍名录。');
      expect(await description('/honors/batches')).toBe('青山好人榜历次发布的批次与上榜人数。');
      expect(await description('/honors')).toBe('青山好人榜：按批次、类别、地区浏览身边好人。');
      expect(/<h1>([^<]*)<\/h1>/.exec(await html('/honors'))?.[1]).toBe('青山好人榜');
      expect(await description('/honors/nominate')).toBe('向青山好人榜推荐您身边的好人好事。');
      const home = await html('/');
      expect(/<h1[^>]*>([^<]*)<\/h1>/.exec(home)?.[1]).toBe('青山善行首页');
      expect(/<title>([^<]*)<\/title>/.exec(home)?.[1]).toBe('青山善行');
    } finally {
      await db.$client.execute(`DELETE FROM settings WHERE key IN ('countyName', 'honorRollName', 'siteName')`);
      db.$client.close();
    }
  });

  test('the header counts unread notices up to 99+', async () => {
    const db = await openDb({ url: server.dbUrl });
    const userId = await userIdByPhoneAt(server.dbUrl, '13900000006');
    const { cookie } = await sessionCookieFor(server.dbUrl, userId);
    const inbox = async () => />站内信\(([^)]*)\)</.exec(await (await fetch(server.url + '/events', { headers: { cookie } })).text())?.[1];
    try {
      await db.$client.execute({ sql: 'UPDATE notices SET read_at = 1 WHERE user_id = ? AND read_at IS NULL', args: [userId] });
      expect(await inbox()).toBe('0');
      await db.$client.batch(
        Array.from({ length: 120 }, (_, i) => ({ sql: `INSERT INTO notices (user_id, kind, title, body, created_at) VALUES (?, 'test', ?, '', ?)`, args: [userId, `测试通知${i}`, Date.now()] })),
        'write',
      );
      expect(await inbox()).toBe('99+');
    } finally {
      await db.$client.execute({ sql: `DELETE FROM notices WHERE user_id = ? AND kind = 'test'`, args: [userId] });
      db.$client.close();
    }
  });

  test('适老化 mode: body text ≥ 20 px, line height ≥ 1.5; the toggle is a plain link remembered by a cookie', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(server.url + '/honors');
    await page.getByRole('link', { name: '大字模式' }).click();
    await page.waitForURL(/\/honors$/);
    const m = await page.evaluate(() => {
      const s = getComputedStyle(document.querySelector('main p')!);
      const smallest = Math.min(...[...document.querySelectorAll('main p, main li, main a, main span, footer p')].map((e) => parseFloat(getComputedStyle(e).fontSize)));
      return { size: parseFloat(s.fontSize), line: parseFloat(s.lineHeight) / parseFloat(s.fontSize), smallest, large: document.documentElement.classList.contains('large') };
    });
    expect(m.large).toBe(true);
    expect(m.size).toBeGreaterThanOrEqual(20);
    expect(m.smallest).toBeGreaterThanOrEqual(20);
    expect(m.line).toBeGreaterThanOrEqual(1.5);
    await page.goto(server.url + '/stats');
    expect(await page.evaluate(() => document.documentElement.classList.contains('large'))).toBe(true);
    await page.getByRole('link', { name: '标准字号' }).click();
    await page.waitForURL(/\/stats$/);
    expect(await page.evaluate(() => document.documentElement.classList.contains('large'))).toBe(false);
    await ctx.close();
  });

  test('public pages ship no JavaScript and no pop-ups; images are lazy with width and height', async () => {
    // Form pages may carry a progressive-enhancement script (they work without it); reading pages carry none.
    const forms = new Set(['/login', '/register', '/forgot', '/honors/nominate', '/legal/order', '/honors/candidates']);
    for (const p of paths) {
      const html = await (await fetch(server.url + p)).text();
      if (!forms.has(p)) expect(html, p).not.toMatch(/<script\b/i);
      expect(html, p).not.toMatch(/<dialog\b|window\.open|alert\(/i);
      for (const img of html.match(/<img\b[^>]*>/gi) ?? []) {
        expect(img, p).toMatch(/loading="lazy"/);
        expect(img, p).toMatch(/width="\d+"/);
        expect(img, p).toMatch(/height="\d+"/);
      }
    }
  });

  test('a text page transfers ≤ 60 KB compressed (HTML with its inline CSS)', async () => {
    for (const p of [paths[8], paths[10], '/']) {
      const { body, headers } = await rawGet(server.url + p, { 'accept-encoding': 'gzip' });
      expect(headers['content-encoding'], p).toBe('gzip');
      expect(body.length, p).toBeLessThanOrEqual(60 * 1024);
      expect(String(headers['link'] ?? '')).not.toMatch(/stylesheet/);
    }
  });

  test('keyboard alone completes a search, with focus always visible', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/search');
    let onInput = false;
    for (let i = 0; i < 40 && !onInput; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const a = document.activeElement as HTMLElement;
        const s = getComputedStyle(a);
        return { id: a.id, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 };
      });
      expect(f.outline, `focus ring on tab stop ${i}`).toBe(true);
      onInput = f.id === 'q';
    }
    expect(onInput).toBe(true);
    await page.keyboard.type('反诈');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=/);
    expect(await page.locator('.results li').count()).toBeGreaterThan(0);
    expect(await page.locator('.results mark').first().textContent()).toBe('反诈');
    // Tab on into the results: the first result link takes focus visibly
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => !!document.activeElement?.closest('.results'))) break;
    }
    expect(await page.evaluate(() => document.activeElement?.closest('.results') != null)).toBe(true);
    await Promise.all([page.waitForURL((u) => u.pathname !== '/search'), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).pathname).not.toBe('/search');
    await page.close();
  });
});

describe('anonymous-page cache on the real server', () => {
  test('anonymous GETs come from the cache with ETag; signed-in requests never do', async () => {
    await rawGet(server.url + '/honors');
    const hit = await rawGet(server.url + '/honors', { 'accept-encoding': 'br' });
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers['content-encoding']).toBe('br');
    // A conditional GET with the current ETag answers 304. If data changed in between (another
    // test's writes bump the version), the page may legitimately come back 200 with a new ETag:
    // then that new ETag must give 304.
    let etag = String(hit.headers.etag);
    let cond = await rawGet(server.url + '/honors', { 'accept-encoding': 'br', 'if-none-match': etag });
    if (cond.status === 200) {
      expect(String(cond.headers.etag)).not.toBe(etag);
      etag = String(cond.headers.etag);
      cond = await rawGet(server.url + '/honors', { 'accept-encoding': 'br', 'if-none-match': etag });
    }
    expect(cond.status).toBe(304);
    const userId = await userIdByPhoneAt(server.dbUrl, '13900000006');
    const { cookie } = await sessionCookieFor(server.dbUrl, userId);
    for (let i = 0; i < 2; i++) {
      const r = await rawGet(server.url + '/honors', { cookie });
      expect(r.headers['x-cache']).toBeUndefined();
      expect(r.headers['cache-control']).toContain('no-store');
      expect(r.body.toString()).toContain('何思远');
    }
  });

  flow('a publish, a like and a sign-up written from another connection invalidate pages in two processes', (step) => {
    let second: RunningServer;
    let both: string[];
    let db: Db;
    let eventId: number;
    afterAll(async () => {
      db?.$client.close();
      await second?.stop();
    });
    const warm = async (p: string) => {
      for (const u of both) {
        await rawGet(u + p);
        expect((await rawGet(u + p)).headers['x-cache'], u + p).toBe('HIT');
      }
    };
    const untilFresh = async (u: string, p: string, text: string) => {
      for (let i = 0; i < 40; i++) {
        const body = (await rawGet(u + p)).body.toString();
        if (body.includes(text)) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    };
    // Processes re-read the version at most every 250 ms: poll briefly, never sleep blindly.
    const untilChanged = async (u: string, p: string, old: string) => {
      for (let i = 0; i < 40; i++) {
        const r = await rawGet(u + p);
        if (r.headers['x-cache'] !== 'HIT' && r.body.toString() !== old) return true;
        await new Promise((res) => setTimeout(res, 100));
      }
      return false;
    };

    step('a second process starts on the same database', async () => {
      second = await startServer({ dataDir: server.dataDir });
      both = [server.url, second.url];
      db = await openDb({ url: server.dbUrl });
      eventId = Number((await db.$client.execute(`SELECT id FROM events WHERE status = 'published' AND confirmed_count < capacity ORDER BY id LIMIT 1`)).rows[0].id);
    });

    step('an article published from another connection shows on /articles in both processes', async () => {
      await warm('/articles');
      await db.$client.execute(
        `INSERT INTO articles (slug, channel, title, summary, body, status, published_at, created_at) VALUES ('cache-probe', 'news', '缓存失效测试新闻', '', '正文', 'published', ${Date.now() + 1000}, 0)`,
      );
      for (const u of both) expect(await untilFresh(u, '/articles', '缓存失效测试新闻'), u).toBe(true);
    });

    step('a like recorded from another connection renders the honoree page afresh in both processes', async () => {
      const h = (await db.$client.execute(`SELECT id, slug, like_count FROM honorees WHERE status = 'published' ORDER BY id LIMIT 1`)).rows[0];
      await warm(`/honors/${h.slug}`);
      const etags = await Promise.all(both.map(async (u) => (await rawGet(`${u}/honors/${h.slug}`)).headers['x-cache']));
      expect(etags).toEqual(['HIT', 'HIT']);
      await db.$client.execute(`UPDATE honorees SET like_count = like_count + 1 WHERE id = ${h.id}`);
      for (const u of both) {
        let fresh = false;
        for (let i = 0; i < 40 && !fresh; i++) {
          fresh = (await rawGet(`${u}/honors/${h.slug}`)).headers['x-cache'] === 'MISS';
          if (!fresh) await new Promise((r) => setTimeout(r, 100));
        }
        expect(fresh, u).toBe(true);
      }
    });

    step('a sign-up from another connection moves the seat count on the event page in both processes', async () => {
      await warm(`/events/${eventId}`);
      const before = (await rawGet(`${server.url}/events/${eventId}`)).body.toString();
      const vol = (await db.$client.execute(`SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM signups WHERE event_id = ${eventId}) LIMIT 1`)).rows[0];
      await db.$client.batch(
        [
          `INSERT INTO signups (event_id, user_id, status, seq, created_at) VALUES (${eventId}, ${vol.id}, 'confirmed', 999, 0)`,
          `UPDATE events SET confirmed_count = confirmed_count + 1 WHERE id = ${eventId}`,
        ],
        'write',
      );
      for (const u of both) expect(await untilChanged(u, `/events/${eventId}`, before), u).toBe(true); // the seat count moved
    });
  });
});
