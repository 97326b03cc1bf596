import { describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../helpers/server.ts';
import { portalHooks } from '../helpers/portal.ts';

let server: RunningServer;
let browser: Browser;

portalHooks((s, b) => {
  server = s;
  browser = b;
});

describe('a visitor browses the demo county', () => {
  test('home → honoree → article, reading Chinese text', async () => {
    const page = await browser.newPage();
    const res = await page.goto(server.url + '/');
    expect(res?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('body')).toContain('好人榜');
    // follow the first honoree card
    const honoreeLink = page.locator('a[href^="/honors/"]').filter({ hasNotText: '查看' }).first();
    const honoreeName = (await honoreeLink.textContent())!.trim();
    await honoreeLink.click();
    await page.waitForURL(/\/honors\/[a-z0-9-]+$/);
    expect(await page.textContent('h1')).toContain(honoreeName.split('（')[0]);
    expect(await page.textContent('main')).toContain('事迹');
    // back home and into an article
    await page.goto(server.url + '/');
    const articleLink = page.locator('a[href^="/articles/"]').first();
    const title = (await articleLink.textContent())!.trim();
    await articleLink.click();
    await page.waitForURL(/\/articles\/[a-z0-9-]+$/);
    expect(await page.textContent('h1')).toBe(title);
    expect((await page.textContent('main'))!.length).toBeGreaterThan(200);
    await page.close();
  });

  test.each(['/', '/honors', '/teams', '/events', '/articles', '/legal', '/about', '/privacy', '/terms'])('%s answers 200 with navigation', async (path) => {
    const res = await fetch(server.url + path);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const label of ['首页', '好人榜', '志愿队伍', '志愿活动', '普法', '新闻动态', '数据']) expect(html).toContain(label);
    expect(html).toContain('跳到主要内容');
  });

  test('/healthz answers JSON with a database check', async () => {
    const res = await fetch(server.url + '/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });

  test('unknown pages answer 404 in Chinese', async () => {
    const res = await fetch(server.url + '/honors/no-such-person');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('页面未找到');
  });

  test('demo accounts are printed once, with random passwords', async () => {
    expect(server.accounts.length).toBeGreaterThanOrEqual(5);
    expect(new Set(server.accounts.map((a) => a.password)).size).toBe(server.accounts.length);
  });

  test('no horizontal scrolling at 360 px', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 } });
    for (const path of ['/', '/honors', '/teams', '/events', '/articles']) {
      await page.goto(server.url + path);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, path).toBeLessThanOrEqual(360);
    }
    await page.close();
  });
});
