// Issue 15 item 9 in the browser: personal data written the ways the penetration test
// published (full-width digits, zero-width spaces, Markdown splitting the number, dots
// between groups, the source field) is refused with 400, a Chinese message next to the
// field, the input kept and nothing written; the article editor's one-click mask fixes it.
import { describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../helpers/server.ts';
import { portalHooks } from '../helpers/portal.ts';
import { signInContext, userIdByPhoneAt } from '../helpers/session.ts';
import { openDb } from '../../db/client.ts';

let server: RunningServer;
let browser: Browser;

portalHooks((s, b) => {
  server = s;
  browser = b;
});

async function as(phone: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext();
  await signInContext(ctx, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, phone));
  return { ctx, page: await ctx.newPage() };
}

async function count(sql: string): Promise<number> {
  const db = await openDb({ url: server.dbUrl });
  const n = Number((await db.$client.execute(sql)).rows[0].n);
  db.$client.close();
  return n;
}

/** Clicks a submit button and returns the status of the POST it sends. */
async function submit(page: Page, selector: string): Promise<number> {
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(selector)]);
  await page.waitForLoadState();
  return res.status();
}

describe('personal data in public text, in the browser', () => {
  test('a leader’s event with a phone in full-width digits and zero-width spaces is refused next to 活动内容', async () => {
    const { ctx, page } = await as('13900000005');
    const db = await openDb({ url: server.dbUrl });
    const slug = String(
      (await db.$client.execute(`SELECT t.slug FROM teams t JOIN team_members m ON m.team_id = t.id JOIN users u ON u.id = m.user_id WHERE u.phone = '13900000005' AND m.role = 'leader' LIMIT 1`))
        .rows[0].slug,
    );
    db.$client.close();
    const before = await count('SELECT count(*) n FROM events');
    await page.goto(`${server.url}/me/teams/${slug}/events/new`);
    const description = '报名请联系王老师：１３８\u200b１２３４\u200b５６７８';
    await page.fill('#title', '周末河道清理');
    await page.fill('#startsAt', `${new Date().getFullYear() + 1}-05-04T09:00`);
    await page.fill('#endsAt', `${new Date().getFullYear() + 1}-05-04T11:00`);
    // (Left empty, 地点 and 风险提示 are refused as null: a separate, older problem of this form.)
    await page.fill('#address', '河坝村村委会');
    await page.fill('#risks', '注意防滑。');
    await page.fill('#description', description);
    expect(await submit(page, 'form[action*="events.create"] button[type="submit"]')).toBe(400);
    expect(await page.textContent('#description-err')).toContain('活动内容中含有手机号码');
    expect(await page.inputValue('#description')).toBe(description);
    expect(await page.inputValue('#title')).toBe('周末河道清理');
    expect(await count('SELECT count(*) n FROM events')).toBe(before);
    await ctx.close();
  });

  test('an honoree story splitting a phone with Markdown is refused next to 事迹全文', async () => {
    const { ctx, page } = await as('13900000002');
    const before = await count('SELECT count(*) n FROM honorees');
    await page.goto(`${server.url}/console/honors/new`);
    const story = '大家有事都找她，电话138**1234**5678。';
    await page.fill('#f-name', '周海燕');
    await page.selectOption('#f-townId', { index: 1 });
    await page.selectOption('#f-category', { index: 1 });
    await page.selectOption('#f-level', { index: 1 });
    await page.fill('#f-summary', '照顾孤寡老人二十年。');
    await page.fill('#f-story', story);
    expect(await submit(page, 'form[action*="honors.saveHonoree"] button[type="submit"]')).toBe(400);
    expect(await page.textContent('#e-story')).toContain('事迹全文中含有手机号码');
    expect(await page.inputValue('#f-story')).toBe(story);
    expect(await count('SELECT count(*) n FROM honorees')).toBe(before);
    await ctx.close();
  });

  test('an article with a phone in its source field cannot be submitted; one click masks it there', async () => {
    const { ctx, page } = await as('13900000002');
    await page.goto(server.url + '/console/articles/new');
    await page.fill('#title', '社区开展义诊活动');
    await page.fill('#body', '本周六上午在社区广场开展义诊。');
    await page.fill('#source', '东门社区 138.1234.5678');
    await page.click('button[value="save"]');
    await page.waitForURL(/\/edit\?saved=1/);
    expect(await submit(page, 'button[value="submit"]')).toBe(400);
    expect(await page.textContent('#source-error')).toContain('来源中含有手机号码');
    expect(await page.textContent('#pii-h')).toContain('1 处');
    await page.click('button:has-text("遮挡")');
    await page.waitForURL(/saved=masked/);
    expect(await page.inputValue('#source')).toBe('东门社区 138****5678');
    await page.click('button[value="submit"]');
    await page.waitForURL(/done=submitted/);
    await ctx.close();
  });
});
