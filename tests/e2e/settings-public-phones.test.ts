// Issue 17.7 in Chromium: the system administrator keeps the list of phone numbers the county
// publishes on purpose; a bad line is refused next to the field with the text kept.
import { describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../helpers/server.ts';
import { portalHooks } from '../helpers/portal.ts';
import { signInContext, userIdByPhoneAt } from '../helpers/session.ts';

let server: RunningServer;
let browser: Browser;

portalHooks((s, b) => {
  server = s;
  browser = b;
});

describe('系统设置: public phone numbers', () => {
  test('the administrator lists a hotline; a bad line answers 400 next to the field, text kept', async () => {
    const ctx = await browser.newContext();
    await signInContext(ctx, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, '13900000001'));
    const page = await ctx.newPage();
    await page.goto(server.url + '/console');
    await page.click('nav a:has-text("系统设置")');
    const bad = '0838-12345678 县政务服务热线\n12345 热线';
    await page.fill('#publicPhones', bad);
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button:has-text("保存")')]);
    expect(res.status()).toBe(400);
    expect(await page.textContent('#phones-error')).toContain('第 2 行');
    expect(await page.inputValue('#publicPhones')).toBe(bad);
    await page.fill('#publicPhones', '0838-12345678 县政务服务热线');
    await page.click('button:has-text("保存")');
    await page.waitForURL(/ok=phones/);
    expect(await page.textContent('table')).toContain('县政务服务热线');
    await ctx.close();
  });
});
