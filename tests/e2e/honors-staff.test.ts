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
});
