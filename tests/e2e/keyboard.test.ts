// A keyboard alone completes the public forms: nominate, register and sign-up (issue 8).
import { describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../helpers/server.ts';
import { portalHooks } from '../helpers/portal.ts';
import { signInContext, userIdByPhoneAt } from '../helpers/session.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { codeFromLog } from '../helpers/sms.ts';
import { createClient } from '@libsql/client';

let server: RunningServer;
let browser: Browser;
portalHooks((s, b) => {
  server = s;
  browser = b;
});

/** Presses Tab until the focused element matches `selector`; asserts the focus is visible there. */
async function tabTo(page: Page, selector: string) {
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => !!document.activeElement?.matches(s), selector)) {
      const visible = await page.evaluate(() => {
        const st = getComputedStyle(document.activeElement as Element);
        return (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0) || st.boxShadow !== 'none';
      });
      expect(visible, `focus ring on ${selector}`).toBe(true);
      return;
    }
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function typeInto(page: Page, selector: string, text: string) {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

describe('keyboard only', () => {
  test('nominate a good person', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/honors/nominate');
    await typeInto(page, '#f-nominatorName', '刘桂芳');
    await typeInto(page, '#f-nominatorPhone', '13712345678');
    await typeInto(page, '#f-relation', '邻居');
    await typeInto(page, '#f-nomineeName', '张德明');
    await tabTo(page, '#f-townId');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, '#f-category');
    await page.keyboard.press('ArrowDown');
    await typeInto(page, '#f-deeds', '张德明老人二十年如一日义务清扫村道，冬天为上学的孩子们铲雪开路，还自费修好了村口的便桥，方便全村老少出行，乡亲们都很敬重他。');
    await tabTo(page, 'main button[type="submit"]');
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    await page.waitForSelector('text=/TJ-\\d{4}-/');
    expect(await page.textContent('main')).toMatch(/TJ-\d{4}-[A-Z0-9]+/);
    await page.close();
  });

  test('register as a volunteer', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/register');
    await typeInto(page, '#phone', '13698765432');
    // 获取验证码 by keyboard; the demo provider writes the code to the server log (decision 092).
    const from = server.output().length;
    await tabTo(page, '#sendCode');
    await Promise.all([page.waitForLoadState('load'), page.waitForResponse((r) => r.request().method() === 'POST'), page.keyboard.press('Enter')]);
    await page.waitForSelector('#hint-smsCode[role="status"]');
    expect(await page.inputValue('#phone')).toBe('13698765432');
    await typeInto(page, '#smsCode', await codeFromLog(server.output, '13698765432', { after: from }));
    await typeInto(page, '#password', '键盘用户的长密码2026');
    await typeInto(page, '#realName', '孙晓梅');
    await tabTo(page, '#idType'); // 居民身份证 is the default
    await typeInto(page, '#idNumber', makeIdNumber('1988-06-15', 7, false));
    await tabTo(page, '#townId');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, '#villageId');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, '#agreeTerms');
    await page.keyboard.press('Space');
    await tabTo(page, '#agreePrivacy');
    await page.keyboard.press('Space');
    await tabTo(page, '#register-submit');
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    await page.waitForURL((u) => !u.pathname.startsWith('/register'), { timeout: 20_000 });
    const db = createClient({ url: server.dbUrl });
    const rs = await db.execute({ sql: 'SELECT real_name FROM users WHERE phone = ?', args: ['13698765432'] });
    db.close();
    expect(rs.rows[0]?.real_name).toBe('孙晓梅');
    await page.close();
  });

  test('sign up for an event', async () => {
    const ctx = await browser.newContext();
    const uid = await userIdByPhoneAt(server.dbUrl, '13900000006');
    await signInContext(ctx, server.url, server.dbUrl, uid);
    const db = createClient({ url: server.dbUrl });
    const ev = await db.execute(`SELECT e.id FROM events e WHERE e.status = 'published' AND e.starts_at > unixepoch() * 1000 + 86400000
      AND e.confirmed_count < e.capacity AND e.dangerous = 0 AND e.members_only = 0 AND e.required_skill IS NULL AND e.min_age IS NULL
      AND (e.signup_opens_at IS NULL OR e.signup_opens_at <= unixepoch() * 1000) AND (e.signup_closes_at IS NULL OR e.signup_closes_at > unixepoch() * 1000)
      AND NOT EXISTS (SELECT 1 FROM signups s WHERE s.event_id = e.id AND s.user_id = ${uid}) ORDER BY e.starts_at LIMIT 1`);
    db.close();
    const eventId = Number(ev.rows[0].id);
    const page = await ctx.newPage();
    await page.goto(`${server.url}/events/${eventId}`);
    await tabTo(page, 'form[action*="events.signUp"] button');
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    await page.waitForSelector('text=已报名');
    expect(await page.textContent('main')).toContain('已报名');
    await ctx.close();
  });
});
