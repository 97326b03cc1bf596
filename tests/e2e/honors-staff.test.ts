// Issue 17.5 in Chromium: staff verifying a nomination reveal the nominator's phone (audited), and
// an objection closed without a conclusion is refused next to the field with the choice kept.
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

async function one(sql: string): Promise<number> {
  const db = await openDb({ url: server.dbUrl });
  const rs = await db.$client.execute(sql);
  db.$client.close();
  return Number(rs.rows[0][0]);
}

describe('honors staff', () => {
  test("the editor reveals a nominator's phone to call back; the page showed it masked and the reveal is in the audit log", async () => {
    const { ctx, page } = await as('13900000002');
    const id = await one("SELECT id FROM nominations WHERE nominator_phone = '13500000001'");
    await page.goto(`${server.url}/console/nominations/${id}`);
    expect(await page.textContent('main')).not.toContain('13500000001');
    await page.click('button:has-text("显示完整号码")');
    await page.waitForLoadState();
    expect(await page.textContent('main')).toContain('13500000001');
    expect(await one(`SELECT count(*) FROM audit_log WHERE action = 'honors.nomination.reveal_phone' AND target_id = '${id}'`)).toBe(1);
    await ctx.close();
  });

  test('closing an objection without a conclusion answers 400 with the message next to the field and the choice kept', async () => {
    const { ctx, page } = await as('13900000002');
    const batchId = await one("SELECT id FROM honor_batches WHERE status = 'publicity' ORDER BY id LIMIT 1");
    const objectionId = await one("SELECT id FROM objections WHERE status = 'open' ORDER BY id LIMIT 1");
    await page.goto(`${server.url}/console/honors/batches/${batchId}`);
    await page.selectOption(`#oc-${objectionId}`, 'upheld');
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(`#objection-${objectionId} button:has-text("办结")`)]);
    expect(res.status()).toBe(400);
    expect(await page.textContent(`#ore-${objectionId}`)).toContain('请填写核查结论');
    expect(await page.getAttribute(`#or-${objectionId}`, 'aria-describedby')).toBe(`ore-${objectionId}`);
    expect(await page.inputValue(`#oc-${objectionId}`)).toBe('upheld');
    expect(await one(`SELECT count(*) FROM objections WHERE id = ${objectionId} AND status = 'open'`)).toBe(1);
    await ctx.close();
  });

  test('at 终审 a reviewer reads every candidate as the public will, and is told what still speaks of 公示', async () => {
    const batchId = await one("SELECT id FROM honor_batches WHERE status = 'publicity' ORDER BY id LIMIT 1");
    const db = await openDb({ url: server.dbUrl });
    await db.$client.execute({ sql: 'UPDATE honor_batches SET publicity_starts_at = publicity_starts_at - 30 * 86400000, publicity_ends_at = ? WHERE id = ?', args: [Date.now() - 60_000, batchId] });
    db.$client.close();
    const ed = await as('13900000002');
    await ed.page.goto(`${server.url}/console/honors/batches/${batchId}`);
    await ed.page.fill('#f-opinion', '公示期间收到异议 1 条，正在核查。');
    await ed.page.click('button:has-text("提交终审")');
    await ed.page.waitForURL(/ok=submitted/);
    await ed.ctx.close();

    const { ctx, page } = await as('13900000003');
    await page.goto(`${server.url}/console/honors/batches/${batchId}`);
    expect(await page.textContent('#changes-h + p')).toContain('您尚未终审过这个批次');
    const entries = page.locator('details.preview-entry');
    expect(await entries.count()).toBeGreaterThan(1);
    await entries.first().locator('summary').click();
    const desktop = entries.first().getByRole('region', { name: /电脑宽度预览/ });
    expect(await desktop.textContent()).toContain('事迹简介');
    expect(
      await entries
        .first()
        .getByRole('region', { name: /手机宽度预览/ })
        .evaluate((e) => e.getBoundingClientRect().width),
    ).toBeLessThanOrEqual(375);
    const main = await page.textContent('main');
    expect(main).toContain('以下内容仍是公示期的说法');
    expect(main).toContain('荣誉称号');
    await ctx.close();
  });
});
