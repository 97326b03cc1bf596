// Issue 17.1/17.6: reviewers read what they sign. Reviewer 1 reads the full article as the public
// will, returns it; the editor (whose list opens on 待我处理) fixes it; reviewer 1 sees only what
// changed and approves; reviewer 2 publishes.
import { describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../helpers/server.ts';
import { flow } from '../helpers/flow.ts';
import { portalHooks } from '../helpers/portal.ts';
import { signInContext, userIdByPhoneAt } from '../helpers/session.ts';

let server: RunningServer;
let browser: Browser;

portalHooks((s, b) => {
  server = s;
  browser = b;
});

async function as(phone: string, javaScriptEnabled = true): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ javaScriptEnabled });
  await signInContext(ctx, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, phone));
  return { ctx, page: await ctx.newPage() };
}

const TITLE = '城关镇开展冬季送温暖志愿服务';
const P1 = '十二月初，城关镇新时代文明实践所组织志愿者走访辖区困难群众。';
const P2_OLD = '志愿者共走访困难家庭 35 户，送去棉被和米面油。';
const P2_NEW = '志愿者共走访困难家庭 53 户，送去棉被、米面油和取暖器。';
const P3 = '活动将持续到春节前，欢迎更多居民报名参加。';

describe('review rounds in the browser', () => {
  flow('reviewer 1 returns, the editor fixes, reviewer 1 sees only the change and approves, reviewer 2 publishes', (step) => {
    let articleUrl = '';

    step('the editor writes the article and submits it', async () => {
      const { ctx, page } = await as('13900000002');
      await page.goto(server.url + '/console/articles/new');
      await page.fill('#title', TITLE);
      await page.selectOption('#channel', 'news');
      await page.fill('#summary', '志愿者走访困难群众，送去冬季物资。');
      await page.fill('#body', `${P1}\n\n${P2_OLD}\n\n${P3}`);
      await page.fill('#author', '林晓雯');
      await page.fill('#source', '城关镇');
      await page.click('button[value="submit"]');
      await page.waitForURL(/\/console\/articles\/\d+\?done=submitted/);
      articleUrl = page.url().split('?')[0];
      await ctx.close();
    });

    step('reviewer 1 reads the full article as the public will, at desktop and phone width, and returns it', async () => {
      const { ctx, page } = await as('13900000003');
      await page.goto(articleUrl);
      for (const frame of ['电脑宽度预览', '手机宽度预览']) {
        const region = page.getByRole('region', { name: frame });
        const text = await region.textContent();
        for (const part of [TITLE, P1, P2_OLD, P3, '来源：城关镇', '林晓雯']) expect(text).toContain(part);
      }
      expect(await page.getByRole('region', { name: '手机宽度预览' }).evaluate((e) => e.getBoundingClientRect().width)).toBeLessThanOrEqual(375);
      expect(await page.textContent('#changes-h + p')).toContain('您尚未审核过这篇文章');
      await page.fill('#opinion', '第二段走访户数请核实。');
      await page.click('button[value="return"]');
      await page.waitForURL(/done=returned/);
      await ctx.close();
    });

    step("the editor's list opens on 待我处理 with the returned article; the editor fixes and resubmits it", async () => {
      // The plain form (no JavaScript): with it, the rich-text editor hides #body once it has loaded, and
      // whether it had loaded before the fill was a race (tests/e2e/rich-editor.test.ts walks the editor).
      const { ctx, page } = await as('13900000002', false);
      await page.goto(server.url + '/console/articles');
      expect(await page.textContent('ul[aria-label="按状态"] [aria-current="true"]')).toContain('待我处理');
      await page.click(`a:has-text("${TITLE}")`);
      expect(await page.textContent('main')).toContain('第二段走访户数请核实。');
      await page.click('a:has-text("编辑")');
      await page.fill('#body', `${P1}\n\n${P2_NEW}\n\n${P3}`);
      await page.click('button[value="submit"]');
      await page.waitForURL(/done=submitted/);
      await ctx.close();
    });

    step('reviewer 1 sees only what changed since the return, word by word, and approves', async () => {
      const { ctx, page } = await as('13900000003');
      await page.goto(articleUrl);
      const diff = page.getByRole('region', { name: '自上次审核以来的改动' });
      expect(await diff.locator('del').allTextContents()).toEqual(['［删除］35', '［删除］和']);
      expect(await diff.locator('ins').allTextContents()).toEqual(['［新增］53', '［新增］、', '［新增］和取暖器']);
      // Unchanged text is folded away or shown without marks: the title line is not in the diff.
      expect(await diff.textContent()).not.toContain(TITLE);
      expect(await diff.textContent()).toContain('未改动');
      await page.fill('#opinion', '已核实，同意。');
      await page.click('button:has-text("通过，送下一级")');
      await page.waitForURL(/done=in_review/);
      // Having done 初审, reviewer 1 is not offered 终审 (it would fail): only a return stays possible.
      expect(await page.locator('button[value="approve"]').count()).toBe(0);
      expect(await page.textContent('main')).toContain('您已完成本轮的初审');
      await ctx.close();
    });

    step('reviewer 2, reading it for the first time, sees the full article and publishes it', async () => {
      const { ctx, page } = await as('13900000004');
      await page.goto(server.url + '/console/articles');
      expect(await page.textContent('ul[aria-label="按状态"] [aria-current="true"]')).toContain('待我处理');
      await page.click(`a:has-text("${TITLE}")`);
      expect(await page.getByRole('region', { name: '电脑宽度预览' }).textContent()).toContain(P2_NEW);
      await page.fill('#opinion', '同意发布。');
      await page.click('button:has-text("终审通过并发布")');
      await page.waitForURL(/done=published/);
      await page.click('a:has-text("查看线上页面")');
      expect(await page.textContent('main')).toContain(P2_NEW);
      await ctx.close();
    });
  });
});

describe('a refusal says which role is needed and who grants it (issue 17.6)', () => {
  test('the system administrator opening 文章与审核 is told the roles and where to grant them', async () => {
    const { ctx, page } = await as('13900000001');
    const res = await page.goto(server.url + '/console/articles');
    expect(res!.status()).toBe(403);
    const text = await page.textContent('main');
    expect(text).toContain('宣传编辑、审核员');
    expect(text).not.toContain('请联系县委宣传部系统管理员');
    expect(await page.getAttribute('main a:has-text("用户管理")', 'href')).toBe('/console/users');
    await ctx.close();
  });

  test('an editor opening 用户管理 is told it needs 系统管理员, granted by the administrator', async () => {
    const { ctx, page } = await as('13900000002');
    const res = await page.goto(server.url + '/console/users');
    expect(res!.status()).toBe(403);
    const text = await page.textContent('main');
    expect(text).toContain('此页面需要以下角色：系统管理员');
    expect(text).toContain('角色由系统管理员在“用户管理”中授予');
    await ctx.close();
  });
});
