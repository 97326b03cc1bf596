// Browser: attendance → leader confirms → volunteer sees hours and stars → certificate → verify → revoke (issue 5).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Row } from '@libsql/client';
import { mkdirSync } from 'node:fs';
import { launchBrowser } from '../helpers/browser.ts';
import { flow } from '../helpers/flow.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { signInContext, userIdByPhoneAt } from '../helpers/session.ts';
import { openDb, type Db } from '../../db/client.ts';
import { fromShanghai, shanghaiDay } from '../../src/lib/time.ts';

let server: RunningServer;
let browser: Browser;
let db: Db;
const SHOTS = '/tmp/shots/hours';

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  db = await openDb({ url: server.dbUrl });
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  db?.$client.close();
  await browser?.close();
  await server?.stop();
});

async function as(phone: string, viewport = { width: 1200, height: 900 }): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport });
  await signInContext(ctx, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, phone));
  return { ctx, page: await ctx.newPage() };
}

describe('service hours end to end', () => {
  flow('check in/out → confirm → hours and stars → certificate → verify 有效 → revoke → 已撤销', (step) => {
    let volunteerId: number;
    let team: Row;
    let day: string;
    let eventId: number;
    let before: number;
    let leader: { ctx: BrowserContext; page: Page };
    let vol: { ctx: BrowserContext; page: Page };
    let admin: { ctx: BrowserContext; page: Page };
    let anon: Page;
    let verifyHref: string;
    afterAll(async () => {
      for (const c of [leader?.ctx, vol?.ctx, admin?.ctx]) await c?.close();
      await anon?.close();
    });

    step('the volunteer checks in and out of a night patrol three days ago', async () => {
      volunteerId = await userIdByPhoneAt(server.dbUrl, '13900000006');
      team = (await db.$client.execute(`SELECT id FROM teams WHERE slug = 'chengguan-red-vest'`)).rows[0];
      // An event three days ago at 03:00–06:00 (Shanghai), clear of the demo history; check-in/out set directly
      // in the database because the check-in page belongs to issue 4.
      day = shanghaiDay(Date.now() - 3 * 86400_000);
      const startsAt = fromShanghai(day, '03:00');
      const endsAt = fromShanghai(day, '06:00');
      const ev = await db.$client.execute({
        sql: `INSERT INTO events (team_id, title, category, starts_at, ends_at, capacity, status, created_at) VALUES (?, '凌晨防汛巡堤', '应急救援', ?, ?, 10, 'completed', ?) RETURNING id`,
        args: [team.id, startsAt, endsAt, Date.now()],
      });
      eventId = Number(ev.rows[0].id);
      await db.$client.execute({
        sql: `INSERT INTO signups (event_id, user_id, status, seq, checkin_at, checkout_at, created_at) VALUES (?, ?, 'attended', 1, ?, ?, ?)`,
        args: [eventId, volunteerId, startsAt + 10 * 60000, endsAt - 5 * 60000, Date.now()],
      });
      before = Number((await db.$client.execute({ sql: `SELECT confirmed_minutes FROM users WHERE id = ?`, args: [volunteerId] })).rows[0].confirmed_minutes);
    });

    step('the leader turns the attendance into a pending record', async () => {
      leader = await as('13900000005');
      const res = await leader.page.goto(`${server.url}/me/teams/chengguan-red-vest/hours`);
      expect(res?.status()).toBe(200);
      await leader.page.selectOption('#att-event', String(eventId));
      await leader.page.click('text=生成待确认记录');
      await leader.page.waitForSelector('text=生成 1 条待确认记录');
      const row = leader.page.locator('li.queue-item', { hasText: '何思远' }).filter({ hasText: '凌晨防汛巡堤' });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain('2.8 小时'); // 03:10–05:55 = 165 min
      await leader.page.screenshot({ path: `${SHOTS}/leader-queue.png`, fullPage: true });
    });

    step('the leader confirms the hours', async () => {
      // Each pending record has its own 确认 (issue 18, item 10: nothing pre-ticked, no blanket confirm).
      await leader.page.locator('li.queue-item', { hasText: '何思远' }).filter({ hasText: '凌晨防汛巡堤' }).locator('button:text-is("确认")').click();
      await leader.page.waitForSelector('text=/已确认 \\d+ 条记录/');
      const status = await db.$client.execute({ sql: `SELECT status, minutes FROM hour_records WHERE event_id = ?`, args: [eventId] });
      expect(status.rows[0]).toMatchObject({ status: 'confirmed', minutes: 165 });
    });

    step('the volunteer sees the hours and the star progress', async () => {
      vol = await as('13900000006');
      const res = await vol.page.goto(`${server.url}/me/hours`);
      expect(res?.status()).toBe(200);
      const total = await vol.page.textContent('[data-testid="total-hours"]');
      const after = Number((await db.$client.execute({ sql: `SELECT confirmed_minutes FROM users WHERE id = ?`, args: [volunteerId] })).rows[0].confirmed_minutes);
      expect(after - before).toBeGreaterThanOrEqual(165);
      expect(total).toBe(`${Math.round((after / 60) * 10) / 10} 小时`);
      const body = (await vol.page.textContent('main'))!;
      expect(body).toMatch(/再服务 [\d.]+ 小时可达 ★/);
      expect(await vol.page.locator('tr', { hasText: '凌晨防汛巡堤' }).textContent()).toContain('已确认');
      await vol.page.screenshot({ path: `${SHOTS}/me-hours.png`, fullPage: true });
    });

    step('the volunteer requests a certificate', async () => {
      await vol.page.goto(`${server.url}/me/certificates`);
      await vol.page.selectOption('#cert-team', String(team.id));
      await vol.page.fill('#cert-from', day);
      await vol.page.fill('#cert-note', '学校社会实践');
      await vol.page.click('button:has-text("提交申请")');
      await vol.page.waitForSelector('text=申请已提交');
    });

    step('the leader issues the certificate', async () => {
      await leader.page.goto(`${server.url}/me/teams/chengguan-red-vest/hours#certificates`);
      await leader.page.locator('tr', { hasText: '何思远' }).filter({ hasText: '学校社会实践' }).locator('button:has-text("出具证明")').click();
      await leader.page.waitForSelector('text=/证明已出具，编号 SX-\\d{4}-\\d{6}/');
    });

    step('the volunteer downloads the certificate PDF and opens the print view', async () => {
      await vol.page.goto(`${server.url}/me/certificates`);
      const pdfHref = await vol.page.locator('a:has-text("下载 PDF")').first().getAttribute('href');
      const pdf = await vol.page.request.get(server.url + pdfHref!);
      expect(pdf.status()).toBe(200);
      expect(pdf.headers()['content-type']).toBe('application/pdf');
      expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
      verifyHref = (await vol.page.locator('a:has-text("查验页")').first().getAttribute('href'))!;
      const print = await vol.page.goto(server.url + pdfHref!.replace('/pdf', '/print'));
      expect(print?.status()).toBe(200);
      expect(await vol.page.textContent('main, body')).toContain('志愿服务记录证明');
      await vol.page.screenshot({ path: `${SHOTS}/print.png`, fullPage: true });
    });

    step('anyone opens the verification page: 有效, the name masked', async () => {
      anon = await browser.newPage();
      const res = await anon.goto(server.url + verifyHref);
      expect(res?.status()).toBe(200);
      expect(await anon.textContent('.verdict')).toContain('有效');
      expect(await anon.textContent('main')).toContain('何*远');
      expect(await anon.textContent('main')).not.toContain('何思远');
      await anon.screenshot({ path: `${SHOTS}/verify-valid.png`, fullPage: true });
    });

    step('staff revoke the certificate in the console register', async () => {
      admin = await as('13900000001');
      await admin.page.goto(`${server.url}/console/certificates?q=${encodeURIComponent('何思远')}`);
      const certRow = admin.page.locator('tr', { hasText: '何思远' }).filter({ hasText: '有效' }).first();
      await certRow.locator('input[name="reason"]').fill('服务时长登记有误');
      await certRow.locator('button:has-text("撤销")').click();
      await admin.page.waitForSelector('text=证明已撤销');
    });

    step('the verification page then says 已撤销 with the reason', async () => {
      const res = await anon.goto(server.url + verifyHref);
      expect(res?.status()).toBe(200);
      expect(await anon.textContent('.verdict')).toContain('已撤销');
      expect(await anon.textContent('.verdict')).toContain('服务时长登记有误');
      await anon.screenshot({ path: `${SHOTS}/verify-revoked.png`, fullPage: true });
    });
  });

  test("on a phone the leader's pending queue is the first section, in the first screen", async () => {
    const leader = await as('13900000005', { width: 360, height: 640 });
    await leader.page.goto(`${server.url}/me/teams/chengguan-red-vest/hours`);
    const sections = await leader.page.locator('main h2').evaluateAll((hs) => hs.map((h) => h.id || h.textContent));
    expect(sections[0]).toBe('queue');
    expect(sections).toEqual(expect.arrayContaining(['attendance', 'entry', 'certificates']));
    const top = (await leader.page.locator('#queue').boundingBox())!.y;
    expect(top).toBeLessThan(640);
    await leader.ctx.close();
  });

  test('unknown verification code → 404 in Chinese; /verify form redirects', async () => {
    const res = await fetch(`${server.url}/verify/NOSUCHCODE99`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('未找到该证明');
    const form = await fetch(`${server.url}/verify?code=ab-cd`, { redirect: 'manual' });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/verify/ABCD');
  });

  test("a rejected claim answers 4xx in place with the reason; other teams' consoles are forbidden", async () => {
    const vol = await as('13900000006', { width: 360, height: 640 });
    await vol.page.goto(`${server.url}/me/hours`);
    await vol.page.fill('#claim-day', shanghaiDay(Date.now() - 86400_000));
    await vol.page.fill('#claim-start', '10:00');
    await vol.page.fill('#claim-end', '09:00');
    await vol.page.fill('#claim-content', '整理社区图书角');
    const [resp] = await Promise.all([vol.page.waitForResponse((r) => r.request().method() === 'POST'), vol.page.click('button:has-text("提交申报")')]);
    expect(resp.status()).toBe(400);
    expect(await vol.page.textContent('[role="alert"]')).toContain('结束时间必须晚于开始时间');
    expect(await vol.page.inputValue('#claim-content')).toBe('整理社区图书角');
    await vol.page.screenshot({ path: `${SHOTS}/me-hours-mobile-error.png`, fullPage: true });
    const other = await vol.page.goto(`${server.url}/me/teams/chengguan-red-vest/hours`);
    expect(other?.status()).toBe(403);
    const ledger = await vol.page.request.get(`${server.url}/console/ledger.xlsx`);
    expect(ledger.status()).toBe(403);
    await vol.ctx.close();
  });

  test('leader ledger export is an XLSX and is audited', async () => {
    const leader = await as('13900000005');
    const res = await leader.page.request.get(`${server.url}/me/teams/chengguan-red-vest/ledger.xlsx?status=confirmed`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('spreadsheetml');
    expect((await res.body()).subarray(0, 2).toString()).toBe('PK');
    const n = await db.$client.execute(`SELECT count(*) AS n FROM audit_log WHERE action = 'hours.ledger.export'`);
    expect(Number(n.rows[0].n)).toBeGreaterThanOrEqual(1);
    await leader.ctx.close();
  });
});
