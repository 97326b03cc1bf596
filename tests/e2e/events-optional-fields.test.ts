// Issue 18, item 5: a leader saves an event with the optional fields left empty, in the browser as a
// leader would — no 「期望 string，实际接收 空值(null)」 under 详细地点, 风险提示 or 活动内容.
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

describe('optional event fields', () => {
  test('created and then edited with every optional field blank', async () => {
    const slug = String((await q.row('SELECT slug FROM teams WHERE id = ?', [actors.teamB]))!.slug);
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const [name, value] = actors.cookies.leaderB.split('=');
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/me/teams/${slug}/events/new`);
    const year = new Date().getFullYear() + 1;
    await page.fill('#title', '空白可选项测试活动');
    await page.fill('#startsAt', `${year}-03-01T09:00`);
    await page.fill('#endsAt', `${year}-03-01T11:00`);
    await page.fill('#capacity', '12');
    for (const id of ['#address', '#risks', '#description']) if (await page.locator(id).count()) await page.fill(id, '');
    const [created] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('form[action*="events.create"] button[type="submit"]')]);
    await page.waitForLoadState();
    if (created.status() !== 303) console.log(created.status(), (await page.locator('main').innerText()).slice(0, 600));
    expect(created.status()).toBe(303);
    expect(await page.textContent('main')).not.toContain('空值');
    const id = await q.one("SELECT id FROM events WHERE title = '空白可选项测试活动'");
    expect(await q.row('SELECT address, risks, description FROM events WHERE id = ?', [id])).toEqual({ address: '', risks: '', description: '' });
    // Edited on its own page, blanks still blank.
    await page.goto(`${server.url}/me/teams/${slug}/events/${id}`);
    await page.fill('#title', '空白可选项测试活动（改）');
    const [edited] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('form[action*="events.update"] button[type="submit"]')]);
    expect(edited.status()).toBe(303);
    expect(await q.one('SELECT count(*) FROM events WHERE id = ? AND title = ?', [id, '空白可选项测试活动（改）'])).toBe(1);
    await context.close();
  });
});
