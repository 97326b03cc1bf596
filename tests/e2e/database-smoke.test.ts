// The portal's main writes end to end, on whichever database the run gives it: a local file under
// npm test, a libSQL server over HTTP (Hrana) under npm run test:remote (docs/decisions/082).
// Register in Chromium, sign up, a storm of 200 parallel sign-ups for the last seats, an article
// through the console's 三审 flow, search finding it; then the database holds exactly what was written.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { signInContext, userIdByPhoneAt } from '../helpers/session.ts';
import { insertEvent, insertTeam, insertUsers } from '../helpers/events-fixtures.ts';
import { REMOTE } from '../helpers/hrana.ts';
import { openDb, type Db } from '../../db/client.ts';
import { generateSessionToken, sessionIdFromToken, SESSION_COOKIE } from '../../src/domain/accounts/sessions.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { codeFromLog } from '../helpers/sms.ts';

let server: RunningServer;
let browser: Browser;
let db: Db;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  db = await openDb({ url: server.dbUrl });
});

afterAll(async () => {
  db?.$client.close();
  await browser?.close();
  await server?.stop();
});

const count = async (sql: string, args: (string | number)[] = []) => Number((await db.$client.execute({ sql, args })).rows[0].n);

async function submitForm(page: Page, button: string): Promise<number> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(button)]);
  await page.waitForLoadState('domcontentloaded');
  return response.status();
}

async function as(phone: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext();
  await signInContext(ctx, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, phone));
  return { ctx, page: await ctx.newPage() };
}

describe(`the portal's writes on ${REMOTE ? 'a libSQL server over HTTP (Hrana)' : 'a local database file'}`, () => {
  test('the server runs on the database this run asked for', () => {
    expect(server.dbUrl.startsWith(REMOTE ? 'http://' : 'file:')).toBe(true);
  });

  test('a volunteer registers, signs up in the browser, then 200 others storm the last 20 seats: exactly 20 get one', async () => {
    const [leader] = await insertUsers(db, 1, { prefix: '171' });
    const teamId = await insertTeam(db, leader);
    const eventId = await insertEvent(db, teamId, { title: '远程数据库抢报名', capacity: 21, waitlist: false });

    // Register through the real form.
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(server.url + '/register');
    await page.fill('#phone', '13577778888');
    const from = server.output().length;
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('#sendCode')]);
    await page.waitForLoadState('domcontentloaded');
    await page.fill('#smsCode', await codeFromLog(server.output, '13577778888', { after: from }));
    await page.fill('#password', '山间小路慢慢走 2026');
    await page.fill('#realName', '周晓燕');
    await page.selectOption('#idType', '居民身份证');
    await page.fill('#idNumber', makeIdNumber('1991-04-12', 77, false));
    const town = await page.locator('#townId option').nth(1).getAttribute('value');
    await page.selectOption('#townId', town!);
    const village = await page.locator(`#villageId optgroup[data-town="${town}"] option`).first().getAttribute('value');
    await page.selectOption('#villageId', village!);
    await page.check('#agreeTerms');
    await page.check('#agreePrivacy');
    expect(await submitForm(page, 'main button[type="submit"] >> nth=-1')).toBeLessThan(400);
    expect(new URL(page.url()).pathname).toBe('/me');
    expect(await page.textContent('#me-name')).toBe('周晓燕');

    // Sign up for the event in the browser: the first of 21 seats.
    await page.goto(`${server.url}/events/${eventId}`);
    await page.getByRole('button', { name: '我要报名' }).click();
    await expect.poll(() => page.getByTestId('my-status').textContent()).toBe('已报名');
    await ctx.close();

    // 200 signed-in volunteers press 我要报名 at once for the remaining 20 seats.
    const users = await insertUsers(db, 200, { prefix: '172' });
    const now = Date.now();
    const tokens = users.map(() => generateSessionToken());
    await db.$client.batch(
      users.map((uid, i) => ({
        sql: 'INSERT INTO sessions (id, user_id, expires_at, ttl_ms, created_at) VALUES (?, ?, ?, ?, ?)',
        args: [sessionIdFromToken(tokens[i]), uid, now + 86400_000, 86400_000, now],
      })),
      'write',
    );
    const action = `${server.url}/events/${eventId}?_action=events.signUp`;
    const answers = await Promise.all(
      tokens.map(async (token) => {
        const res = await fetch(action, {
          method: 'POST',
          redirect: 'manual',
          headers: { Cookie: `${SESSION_COOKIE}=${token}`, Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ eventId: String(eventId) }).toString(),
        });
        const body = await res.text();
        return { status: res.status, full: body.includes('名额已满') };
      }),
    );
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(answers.filter((a) => a.status === 303)).toHaveLength(20);
    expect(answers.filter((a) => a.status === 409 && a.full)).toHaveLength(180);

    expect(await count(`SELECT count(*) AS n FROM signups WHERE event_id = ? AND status = 'confirmed'`, [eventId])).toBe(21);
    expect(await count(`SELECT count(*) AS n FROM signups WHERE event_id = ?`, [eventId])).toBe(21);
    expect(await count(`SELECT confirmed_count AS n FROM events WHERE id = ?`, [eventId])).toBe(21);
    expect(await count(`SELECT count(DISTINCT seq) AS n FROM signups WHERE event_id = ?`, [eventId])).toBe(21);
    // Each confirmed volunteer got exactly one notice, committed with the seat; nobody refused got one.
    expect(await count(`SELECT count(*) AS n FROM notices WHERE link = ? AND kind = 'signup.confirmed'`, [`/events/${eventId}`])).toBe(21);
    expect(await count(`SELECT count(DISTINCT user_id) AS n FROM notices WHERE link = ?`, [`/events/${eventId}`])).toBe(21);
    const html = await (await fetch(`${server.url}/events/${eventId}`)).text();
    expect(html).toContain('剩余 0 个');
  });

  test('an editor writes an article, two reviewers approve it in the console, and search finds it', async () => {
    const title = '远程数据库验证河道巡查志愿活动';
    const { ctx, page } = await as('13900000002');
    await page.goto(server.url + '/console/articles/new');
    await page.fill('#title', title);
    await page.selectOption('#channel', 'news');
    await page.fill('#summary', '巡河志愿者清点河岸垃圾。');
    await page.fill('#body', '## 巡河\n\n周日上午，巡河志愿者沿清水河清点河岸垃圾并记录排污口。');
    await page.click('button[value="submit"]');
    await page.waitForURL(/\/console\/articles\/\d+\?done=submitted/);
    const articleUrl = page.url().split('?')[0];
    await ctx.close();
    for (const [phone, button] of [
      ['13900000003', '通过，送下一级'],
      ['13900000004', '终审通过并发布'],
    ]) {
      const r = await as(phone);
      await r.page.goto(articleUrl);
      await r.page.fill('#opinion', '同意');
      await r.page.click(`button:has-text("${button}")`);
      await r.page.waitForURL(/done=/);
      await r.ctx.close();
    }
    expect(await (await fetch(server.url + '/articles')).text()).toContain(title);

    const search = await browser.newPage();
    await search.goto(server.url + '/search');
    await search.fill('#q', '河道巡查');
    await Promise.all([search.waitForURL(/\/search\?q=/), search.press('#q', 'Enter')]);
    expect(await search.locator('.results').textContent()).toContain(title);
    await search.goto(`${server.url}/search?q=${encodeURIComponent('巡河')}`); // two characters: the bigram index
    expect(await search.locator('.results').textContent()).toContain(title);
    await search.close();
  });

  test('nothing written above points at a missing row (foreign keys are not enforced by a libSQL server over HTTP)', async () => {
    expect((await db.$client.execute('PRAGMA foreign_key_check')).rows).toEqual([]);
    expect((await db.$client.execute('PRAGMA integrity_check')).rows[0][0]).toBe('ok');
  });
});
