// Issue 21 through the real pages in Chromium at 360 px, JavaScript off: a volunteer's claimed hour is
// confirmed by the leader, earns 志愿积分, buys an item at the 积分超市, and the 超市管理员 hands it over
// by its pickup code — once; the code cannot be used again.
import { afterAll, expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../helpers/server.ts';
import { flow } from '../helpers/flow.ts';
import { portalHooks } from '../helpers/portal.ts';
import { fitsPhone, phonePages, submit } from '../helpers/pages.ts';
import { shanghaiDay } from '../../src/lib/time.ts';

let server: RunningServer;
let browser: Browser;
portalHooks((s, b) => {
  server = s;
  browser = b;
});
const { phoneAs } = phonePages(() => ({ browser, server }));

const balanceOf = async (page: Page) => Number((await page.locator('.checkin-state strong').textContent())?.trim());

flow("a volunteer's hours → points → redemption → pickup, at 360 px without JavaScript", (step) => {
  let vol: { ctx: BrowserContext; page: Page };
  let leader: { ctx: BrowserContext; page: Page };
  let manager: { ctx: BrowserContext; page: Page };
  let before = 0;
  let code = '';
  afterAll(async () => {
    for (const c of [vol?.ctx, leader?.ctx, manager?.ctx]) await c?.close();
  });

  step('the public 积分超市 lists the demo shops with prices and stock, no script', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await ctx.newPage();
    const res = await page.goto(server.url + '/shop');
    expect(res?.status()).toBe(200);
    const text = await page.textContent('main');
    expect(text).toContain('青石镇白鹤村爱心超市');
    expect(text).toContain('香皂三块');
    expect(text).toContain('感谢 白鹤村乡贤 爱心捐赠');
    expect(await page.locator('script').count()).toBe(0);
    await fitsPhone(page);
    await ctx.close();
  });

  step('the volunteer claims an hour of service', async () => {
    vol = await phoneAs('13900000006');
    await vol.page.goto(server.url + '/me/points');
    before = await balanceOf(vol.page);
    await vol.page.goto(server.url + '/me/hours');
    await vol.page.fill('#claim-day', shanghaiDay(Date.now() - 2 * 86_400_000));
    await vol.page.fill('#claim-start', '04:00');
    await vol.page.fill('#claim-end', '05:00');
    await vol.page.fill('#claim-content', '凌晨积分超市补货搬运');
    expect(await submit(vol.page, vol.page.locator('form:has(#claim-content) button[type=submit]'))).toBe(303);
  });

  step('the leader confirms it; the volunteer sees 10 分 more with the reason', async () => {
    leader = await phoneAs('13900000005');
    await leader.page.goto(server.url + '/me/teams/chengguan-red-vest/hours');
    const item = leader.page.locator('li.queue-item', { hasText: '凌晨积分超市补货搬运' });
    expect(await submit(leader.page, item.locator('button:text-is("确认")'))).toBe(303);
    await vol.page.goto(server.url + '/me/points');
    expect(await balanceOf(vol.page)).toBe(before + 10);
    expect(await vol.page.locator('#entries ~ .table-wrap tr', { hasText: '服务时长确认 1 小时' }).first().textContent()).toContain('+10');
    await fitsPhone(vol.page);
  });

  step('the volunteer redeems 香皂三块 and gets a pickup code (303, points taken)', async () => {
    const card = vol.page.locator('article.card', { hasText: '香皂三块' });
    expect(await submit(vol.page, card.locator('button[type=submit]'))).toBe(303);
    code = (await vol.page.locator('.checkin-code .code').textContent())!.trim();
    expect(code).toMatch(/^\d{8}$/);
    expect(await balanceOf(vol.page)).toBe(before);
    expect(await vol.page.locator('tr', { hasText: code }).textContent()).toContain('待领取');
    await fitsPhone(vol.page);
  });

  step('the 超市管理员 enters the code and hands the soap over', async () => {
    manager = await phoneAs('13900000001');
    await manager.page.goto(server.url + '/console/shop');
    await manager.page.fill('#pickup-code', code);
    expect(await submit(manager.page, manager.page.locator('button:text-is("核对并发放")'))).toBe(303);
    expect(await manager.page.textContent('[role=status]')).toContain('已发放：香皂三块');
    await fitsPhone(manager.page);
  });

  step('the same code a second time is refused next to the field, the code kept', async () => {
    await manager.page.fill('#pickup-code', code);
    expect(await submit(manager.page, manager.page.locator('button:text-is("核对并发放")'))).toBe(409);
    expect(await manager.page.textContent('.field .error')).toContain('物品已领取');
    expect(await manager.page.inputValue('#pickup-code')).toBe(code);
    await vol.page.goto(server.url + '/me/points');
    expect(await vol.page.locator('tr', { hasText: '香皂三块' }).first().textContent()).toContain('已领取');
  });

  step('the manager records a donation of soap; the public page thanks the donor and shows the new stock', async () => {
    await manager.page.goto(server.url + '/console/shop');
    const row = manager.page.locator('tr', { hasText: '香皂三块' });
    const stockBefore = Number((await row.locator('td[data-label="库存"]').textContent())!.replace(/\D.*$/, ''));
    await row.locator('input[name=change]').fill('-9999');
    await row.locator('input[name=reason]').fill('盘点');
    expect(await submit(manager.page, row.locator('button:text-is("登记")'))).toBe(409);
    expect(await manager.page.textContent('[role=alert]')).toContain(`香皂三块：库存只有 ${stockBefore} 件`);
    expect(await manager.page.locator('tr', { hasText: '香皂三块' }).locator('input[name=change]').inputValue()).toBe('-9999');
    const again = manager.page.locator('tr', { hasText: '香皂三块' });
    await again.locator('input[name=reason]').fill('');
    await again.locator('input[name=change]').fill('20');
    await again.locator('input[name=donor]').fill('青石镇卫生院');
    expect(await submit(manager.page, again.locator('button:text-is("登记")'))).toBe(303);
    await fitsPhone(manager.page);
    const anon = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await anon.newPage();
    await page.goto(server.url + '/shop');
    const card = await page.locator('article.card', { hasText: '香皂三块' }).textContent();
    expect(card).toContain(`库存 ${stockBefore + 20} 件`);
    expect(card).toContain('感谢 青石镇卫生院 爱心捐赠');
    await anon.close();
  });
});
