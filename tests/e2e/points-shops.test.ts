// 超市管理员 per shop and catalogue editing (issue 21, docs/decisions/103) through the real pages in Chromium
// at 360 px, JavaScript off: the village shop's manager sees only that shop, edits an item (price, picture),
// records a donation thanked on the public page and a 盘点 correction with its reason, cannot hand over the
// county shop's order; the public 积分公示 and /stats show the figures per 村.
import { afterAll, expect } from 'vitest';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../helpers/server.ts';
import { flow } from '../helpers/flow.ts';
import { portalHooks } from '../helpers/portal.ts';
import { fitsPhone, phonePages, submit } from '../helpers/pages.ts';
import { userIdByPhoneAt } from '../helpers/session.ts';
import { openDb } from '../../db/client.ts';

let server: RunningServer;
let browser: Browser;
portalHooks((s, b) => {
  server = s;
  browser = b;
});
const { phoneAs, anonymous } = phonePages(() => ({ browser, server }));

flow('the village shop manager keeps their own catalogue only, at 360 px without JavaScript', (step) => {
  let manager: { ctx: BrowserContext; page: Page };
  let vol: { ctx: BrowserContext; page: Page };
  let countyCode = '';
  afterAll(async () => {
    for (const c of [manager?.ctx, vol?.ctx]) await c?.close();
  });

  step('a volunteer redeems at the county shop (its code is for the county counter)', async () => {
    // 上榜好人榜 points (as the trigger grants them), so the volunteer can afford a towel.
    const db = await openDb({ url: server.dbUrl });
    await db.$client.execute({
      sql: `INSERT INTO points_entries (user_id, kind, amount, reason, source_type, created_at) VALUES (?, 'volunteer', 50, '上榜好人榜', 'grant', ?)`,
      args: [await userIdByPhoneAt(server.dbUrl, '13900000006'), Date.now()],
    });
    db.$client.close();
    vol = await phoneAs('13900000006');
    await vol.page.goto(server.url + '/me/points');
    const card = vol.page.locator('article.card', { hasText: '毛巾两条' });
    expect(await submit(vol.page, card.locator('button[type=submit]'))).toBe(303);
    countyCode = (await vol.page.locator('.checkin-code .code').textContent())!.trim();
    expect(countyCode).toMatch(/^\d{8}$/);
  });

  step("the village manager's counter lists only the village shop, and refuses the county shop's code at the field", async () => {
    manager = await phoneAs('13900000022');
    await manager.page.goto(server.url + '/console/shop');
    expect(await manager.page.textContent('main')).toContain('您管理：青石镇白鹤村爱心超市');
    const stock = await manager.page.textContent('#stock ~ .table-wrap');
    expect(stock).toContain('香皂三块');
    expect(stock).not.toContain('保温杯');
    expect(await manager.page.locator('select#item-shop option').allTextContents()).toEqual(['青石镇白鹤村爱心超市']);
    await manager.page.fill('#pickup-code', countyCode);
    expect(await submit(manager.page, manager.page.locator('button:text-is("核对并发放")'))).toBe(403);
    expect(await manager.page.textContent('.field .error')).toContain('您不是该积分超市的管理员');
    await fitsPhone(manager.page);
  });

  step("another shop's item page is a 404 for them", async () => {
    const res = await manager.page.goto(server.url + '/console/shop');
    expect(res?.status()).toBe(200);
    const ids = await manager.page.locator('td[data-label="物品"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(ids.length).toBe(3);
    const county = await manager.page.goto(server.url + '/console/shop/items/1');
    expect(county?.status()).toBe(404);
  });

  step('they edit 挂面: a new price and a picture (303), shown resized on the public shop', async () => {
    await manager.page.goto(server.url + '/console/shop');
    await manager.page.locator('td[data-label="物品"] a', { hasText: '挂面' }).click();
    await manager.page.waitForLoadState('domcontentloaded');
    await manager.page.fill('#edit-price', '');
    expect(await submit(manager.page, manager.page.locator('button:text-is("保存")'))).toBe(400);
    expect(await manager.page.locator('#edit-price ~ .error').textContent()).toContain('所需积分');
    const png = await sharp({ create: { width: 1200, height: 900, channels: 3, background: { r: 230, g: 200, b: 120 } } })
      .png()
      .toBuffer();
    await manager.page.fill('#edit-price', '18');
    await manager.page.setInputFiles('#edit-photo', { name: 'noodles.png', mimeType: 'image/png', buffer: png });
    await manager.page.fill('#edit-photo-alt', '两袋挂面');
    expect(await submit(manager.page, manager.page.locator('button:text-is("保存")'))).toBe(303);
    expect(await manager.page.textContent('[role=status]')).toContain('已保存');
    expect(await manager.page.inputValue('#edit-price')).toBe('18');
    await fitsPhone(manager.page);
    const anon = await anonymous();
    await anon.page.goto(server.url + '/shop');
    const card = anon.page.locator('article.card', { hasText: '挂面' });
    expect(await card.textContent()).toContain('18 分');
    const src = await card.locator('img').getAttribute('src');
    expect(src).toMatch(/^\/media\/[a-z0-9]+-\d+\.webp$/);
    expect(await card.locator('img').getAttribute('alt')).toBe('两袋挂面');
    const img = await anon.page.request.get(server.url + src!);
    expect(img.status()).toBe(200);
    expect((await sharp(await img.body()).metadata()).width).toBeLessThanOrEqual(960);
    await fitsPhone(anon.page);
    await anon.ctx.close();
  });

  step('a donation with its thank-you line (303) is thanked on the shop page; a 盘点 without a reason is refused, with one it is recorded', async () => {
    await manager.page.selectOption('#stock-kind', 'donation');
    await manager.page.fill('#stock-change', '12');
    await manager.page.fill('#stock-donor', '白鹤村粮油店');
    await manager.page.fill('#stock-thanks', '邻里守望，感谢支持');
    expect(await submit(manager.page, manager.page.locator('button:text-is("登记库存")'))).toBe(303);
    expect(await manager.page.textContent('#movements ~ .table-wrap')).toContain('白鹤村粮油店');
    await manager.page.selectOption('#stock-kind', 'count');
    await manager.page.fill('#stock-change', '-2');
    expect(await submit(manager.page, manager.page.locator('button:text-is("登记库存")'))).toBe(400);
    expect(await manager.page.locator('#stock-reason ~ .error').textContent()).toContain('写明原因');
    expect(await manager.page.inputValue('#stock-change')).toBe('-2');
    await manager.page.fill('#stock-reason', '受潮破损 2 袋');
    expect(await submit(manager.page, manager.page.locator('button:text-is("登记库存")'))).toBe(303);
    expect(await manager.page.textContent('#movements ~ .table-wrap')).toContain('受潮破损 2 袋');
    await fitsPhone(manager.page);
    const anon = await anonymous();
    await anon.page.goto(server.url + '/shop');
    expect(await anon.page.textContent('main')).toContain('感谢 白鹤村粮油店 捐赠挂面（2 kg） 12 件');
    expect(await anon.page.textContent('main')).toContain('邻里守望，感谢支持');
    await anon.ctx.close();
  });

  step('the public 积分公示 and /stats show points per 村 and month, no script, within the phone width', async () => {
    const anon = await anonymous();
    for (const path of ['/shop/publicity', '/stats']) {
      const res = await anon.page.goto(server.url + path);
      expect(res?.status()).toBe(200);
      expect(await anon.page.locator('script').count()).toBe(0);
      await fitsPhone(anon.page);
    }
    await anon.page.goto(server.url + '/shop/publicity');
    const text = await anon.page.textContent('main');
    expect(text).toContain('城关镇');
    expect(text).toContain('全县合计');
    await anon.ctx.close();
  });
});
