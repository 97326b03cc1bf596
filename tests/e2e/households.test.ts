// Issue 21, household 文明积分, through the real pages in Chromium at 360 px with JavaScript off: a household
// member's 申报 with a photo → two 评议员 approve → the village opens the month's 公示 (names masked without
// consent, anyone may object) → after the period the month is posted → the member redeems with household
// points → the 超市管理员 hands the goods over by the pickup code.
import { afterAll, expect } from 'vitest';
import sharp from 'sharp';
import { createClient, type Client } from '@libsql/client';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../helpers/server.ts';
import { flow } from '../helpers/flow.ts';
import { portalHooks } from '../helpers/portal.ts';
import { fitsPhone, phonePages, submit, type Phone } from '../helpers/pages.ts';
import { maskName } from '../../src/lib/pii.ts';

let server: RunningServer;
let browser: Browser;
portalHooks((s, b) => {
  server = s;
  browser = b;
});
const { phoneAs } = phonePages(() => ({ browser, server }));

const balanceOf = async (page: Page) => Number((await page.getByTestId('household-balance').textContent())?.trim());

flow("a household's 申报 → two approvals → 公示 → posted → redemption → pickup, at 360 px without JavaScript", (step) => {
  let db: Client;
  let member: Phone;
  let assessors: Phone[] = [];
  let clerk: Phone;
  let villageId = 0;
  let villageCode = '';
  let before = 0;
  let code = '';
  let photoHref = '';
  afterAll(async () => {
    for (const c of [member?.ctx, clerk?.ctx, ...assessors.map((a) => a.ctx)]) await c?.close();
    db?.close();
  });

  step('the public 公示 pages list the demo villages, mask names without consent and ship no script', async () => {
    db = createClient({ url: server.dbUrl });
    const v = (await db.execute(`SELECT id, code FROM regions WHERE name = '河坝村'`)).rows[0];
    villageId = Number(v.id);
    villageCode = String(v.code);
    const anon = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await anon.newPage();
    expect((await page.goto(server.url + '/points'))?.status()).toBe(200);
    expect(await page.textContent('main')).toContain('河坝村');
    expect(await page.locator('script').count()).toBe(0);
    await fitsPhone(page);
    const publicityMonth = String((await db.execute({ sql: `SELECT month FROM village_months WHERE village_id = ? AND status = 'publicity'`, args: [villageId] })).rows[0].month);
    expect((await page.goto(`${server.url}/points/${villageCode}?month=${publicityMonth}`))?.status()).toBe(200);
    const text = (await page.textContent('main'))!;
    const hidden = (await db.execute({ sql: `SELECT head_name FROM households WHERE village_id = ? AND name_consent = 0 ORDER BY id LIMIT 1`, args: [villageId] })).rows[0].head_name as string;
    expect(text).toContain(`${maskName(hidden)}户`);
    expect(text).not.toContain(hidden);
    expect(text).toContain('有异议，暂缓');
    expect(await page.locator('script').count()).toBe(0);
    await fitsPhone(page);
    // An objection without a reason: 400, the message next to the field, nothing held.
    const held = Number((await db.execute(`SELECT count(*) AS n FROM household_entries WHERE status = 'held'`)).rows[0].n);
    await page.fill('#f-phone', '13912345678');
    expect(await submit(page, page.locator('button:text-is("提交异议")'))).toBe(400);
    expect(await page.locator('#e-reason').textContent()).toContain('异议理由');
    expect(await page.inputValue('#f-phone')).toBe('13912345678');
    expect(Number((await db.execute(`SELECT count(*) AS n FROM household_entries WHERE status = 'held'`)).rows[0].n)).toBe(held);
    await anon.close();
  });

  step('a household member declares a 加分项 with a photo on /me/household (303, waiting for 评议)', async () => {
    member = await phoneAs('13900000006');
    await member.page.goto(server.url + '/me/household');
    before = await balanceOf(member.page);
    await fitsPhone(member.page);
    await member.page.selectOption('#f-itemId', { label: '邻里和睦：主动调解邻里纠纷、互帮互助（+3）' });
    await member.page.fill('#f-note', '帮邻居王婆婆修好了漏雨的屋顶');
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a3' } })
      .png()
      .toBuffer();
    await member.page.setInputFiles('#f-photo', { name: 'roof.png', mimeType: 'image/png', buffer: png });
    expect(await submit(member.page, member.page.locator('button:text-is("提交申报")'))).toBe(303);
    expect(await member.page.textContent('[role=status]')).toContain('等待两位评议员评议');
    expect(await member.page.locator('tr', { hasText: '主动调解邻里纠纷' }).first().textContent()).toContain('待评议');
  });

  step('two 评议员 of the village approve it: the first waits for a second, the second puts it on the month', async () => {
    const phones = (
      await db.execute({ sql: `SELECT u.phone FROM village_roles r JOIN users u ON u.id = r.user_id WHERE r.village_id = ? AND r.role = 'assessor' ORDER BY u.id`, args: [villageId] })
    ).rows.map((r) => String(r.phone));
    assessors = [await phoneAs(phones[1]), await phoneAs(phones[2])];
    const messages = ['还需另一位评议员同意', '条目进入本月公示'];
    for (const [i, a] of assessors.entries()) {
      await a.page.goto(server.url + '/console/households/review');
      const card = a.page.locator('article.card', { hasText: '帮邻居王婆婆修好了漏雨的屋顶' });
      // The photo is private: the 评议员 of the village may open it.
      const photo = await card.locator('a:text-is("查看申报照片")').getAttribute('href');
      expect((await a.page.request.get(server.url + photo!)).status()).toBe(200);
      photoHref = photo!;
      await fitsPhone(a.page);
      expect(await submit(a.page, card.locator('button:text-is("同意")'))).toBe(303);
      expect(await a.page.textContent('[role=status]')).toContain(messages[i]);
    }
    const anon = await browser.newContext({ javaScriptEnabled: false });
    // Nobody else: not an anonymous visitor, not a 评议员 of another village.
    expect((await (await anon.newPage()).request.get(server.url + photoHref)).status()).toBe(404);
    const outsider = await phoneAs('13900000005');
    expect((await outsider.page.request.get(server.url + photoHref)).status()).toBe(404);
    await outsider.ctx.close();
    await anon.close();
  });

  step("the village opens this month's 公示; the entry shows on the public page", async () => {
    clerk = await phoneAs('13900000001');
    await clerk.page.goto(`${server.url}/console/households/month?village=${villageId}`);
    await fitsPhone(clerk.page);
    expect(await submit(clerk.page, clerk.page.locator('button:text-is("发布公示")'))).toBe(303);
    expect(await clerk.page.textContent('[role=status]')).toContain('公示已发布');
    const anon = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await anon.newPage();
    await page.goto(`${server.url}/points/${villageCode}`);
    expect(await page.locator('tr', { hasText: '主动调解邻里纠纷' }).first().textContent()).toContain('公示中');
    await anon.close();
  });

  step('after the period (the clock moved past its end) the village posts the month: the points count', async () => {
    // Seven days pass: the test moves the period's end instead of waiting.
    await db.execute({ sql: `UPDATE village_months SET ends_at = ? WHERE village_id = ? AND status = 'publicity' AND opens_at > ?`, args: [Date.now() - 1000, villageId, Date.now() - 3_600_000] });
    await clerk.page.goto(`${server.url}/console/households/month?village=${villageId}`);
    expect(await submit(clerk.page, clerk.page.locator('button:text-is("确认入账")').first())).toBe(303);
    expect(await clerk.page.textContent('[role=status]')).toContain('已入账');
    await member.page.goto(server.url + '/me/household');
    expect(await balanceOf(member.page)).toBeGreaterThanOrEqual(before + 3);
    before = await balanceOf(member.page);
    expect(await member.page.locator('tr', { hasText: '主动调解邻里纠纷' }).first().textContent()).toContain('已入账');
  });

  step('the member redeems 洗洁精 with household points and gets a pickup code', async () => {
    const card = member.page.locator('article.card', { hasText: '洗洁精' });
    expect(await submit(member.page, card.locator('button[type=submit]'))).toBe(303);
    code = (await member.page.locator('.checkin-code .code').textContent())!.trim();
    expect(code).toMatch(/^\d{8}$/);
    expect(await balanceOf(member.page)).toBe(before - 12);
    await fitsPhone(member.page);
  });

  step("the village's clerk sees a household's phone masked and reveals it once, audited", async () => {
    const hid = Number((await db.execute({ sql: 'SELECT household_id FROM household_members m JOIN users u ON u.id = m.user_id WHERE u.phone = ?', args: ['13900000006'] })).rows[0].household_id);
    await clerk.page.goto(`${server.url}/console/households/${hid}`);
    expect(await clerk.page.locator('[data-testid=revealed-phone]').count()).toBe(0);
    const before = Number((await db.execute(`SELECT count(*) AS n FROM audit_log WHERE action = 'household.reveal_phone'`)).rows[0].n);
    expect(await submit(clerk.page, clerk.page.locator('button:text-is("显示完整号码（记入审计日志）")'))).toBe(200);
    expect(await clerk.page.textContent('[data-testid=revealed-phone]')).toMatch(/^1\d{10}$/);
    expect(Number((await db.execute(`SELECT count(*) AS n FROM audit_log WHERE action = 'household.reveal_phone'`)).rows[0].n)).toBe(before + 1);
    await fitsPhone(clerk.page);
  });

  step('the 超市管理员 hands it over by the code, once', async () => {
    await clerk.page.goto(server.url + '/console/shop');
    await clerk.page.fill('#pickup-code', code);
    expect(await submit(clerk.page, clerk.page.locator('button:text-is("核对并发放")'))).toBe(303);
    expect(await clerk.page.textContent('[role=status]')).toContain('已发放：洗洁精');
    await clerk.page.fill('#pickup-code', code);
    expect(await submit(clerk.page, clerk.page.locator('button:text-is("核对并发放")'))).toBe(409);
    await member.page.goto(server.url + '/me/household');
    expect(await member.page.locator('#orders ~ ul li', { hasText: '洗洁精' }).first().textContent()).toContain('已领取');
  });
});
