// Issue 18, item 13 through the real pages in Chromium: a resident proves their phone with an SMS
// code to register, moves the account to a new number, forgets the password and sets a new one by
// SMS — in the demo, where codes go to the server log and the pages say so. Then the same server
// path with a configured provider, against a fake 腾讯云 API. Also issue 19, item 6: robots.txt.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { flow } from '../helpers/flow.ts';
import { portalHooks } from '../helpers/portal.ts';
import { codeFromLog } from '../helpers/sms.ts';
import { startFakeSms } from '../helpers/fake-sms.ts';
import { openDb } from '../../db/client.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';

let server: RunningServer;
let browser: Browser;
portalHooks((s, b) => {
  server = s;
  browser = b;
});

const phone = '13622223333';
const newPhone = '13744446666';
const password = '青山绿水慢慢走 2026';

async function post(page: Page, selector: string): Promise<number> {
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(selector)]);
  await page.waitForLoadState('domcontentloaded');
  return res.status();
}

/** Presses 获取验证码 and returns the code the demo provider logged for `to`. */
async function sendCode(page: Page, to: string): Promise<{ status: number; code: string }> {
  const from = server.output().length;
  const status = await post(page, '#sendCode');
  return { status, code: await codeFromLog(server.output, to, { after: from }) };
}

async function phoneOf(realName: string): Promise<string | null> {
  const db = await openDb({ url: server.dbUrl });
  const rs = await db.$client.execute({ sql: 'SELECT phone FROM users WHERE real_name = ?', args: [realName] });
  db.$client.close();
  return (rs.rows[0]?.phone as string | undefined) ?? null;
}

flow('register with a code, change the phone, forget the password, reset it by SMS', (step) => {
  let context: BrowserContext;
  let page: Page;
  afterAll(() => context?.close());

  step('the registration page says codes go to the server log in this demo', async () => {
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(server.url + '/register');
    expect(await page.textContent('#hint-smsCode')).toContain('演示环境：本站未接入短信服务，验证码会写入服务器日志');
  });

  step('获取验证码 keeps what was typed and says where the code went', async () => {
    await page.fill('#phone', phone);
    await page.fill('#realName', '林晓雨');
    const { status, code } = await sendCode(page, phone);
    expect(status).toBe(200);
    expect(code).toMatch(/^\d{6}$/);
    expect(await page.textContent('#hint-smsCode')).toContain('验证码已发送至 136****3333');
    expect(await page.textContent('#hint-smsCode')).toContain('演示环境：验证码已写入服务器日志');
    expect(await page.inputValue('#phone')).toBe(phone);
    expect(await page.inputValue('#realName')).toBe('林晓雨');
  });

  step('pressing it again within a minute is refused next to the code field (429), nothing lost', async () => {
    const status = await post(page, '#sendCode');
    expect(status).toBe(429);
    expect(await page.textContent('#err-smsCode')).toMatch(/获取验证码过于频繁，请 \d+ 秒后再试/);
    expect(await page.inputValue('#realName')).toBe('林晓雨');
  });

  step('a wrong code is refused next to its field; the right one registers', async () => {
    const from = 0;
    const code = await codeFromLog(server.output, phone, { after: from });
    await page.fill('#smsCode', code === '000000' ? '111111' : '000000');
    await page.fill('#password', password);
    await page.selectOption('#idType', '居民身份证');
    await page.fill('#idNumber', makeIdNumber('1993-02-11', 55, false));
    const town = await page.locator('#townId option').nth(1).getAttribute('value');
    await page.selectOption('#townId', town!);
    const village = await page.locator(`#villageId optgroup[data-town="${town}"] option`).first().getAttribute('value');
    await page.selectOption('#villageId', village!);
    await page.check('#agreeTerms');
    await page.check('#agreePrivacy');
    expect(await post(page, '#register-submit')).toBe(400);
    expect(await page.textContent('#err-smsCode')).toContain('验证码不正确或已过期');
    await page.fill('#smsCode', code);
    await page.fill('#password', password);
    expect(await post(page, '#register-submit')).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/me');
    expect(await phoneOf('林晓雨')).toBe(phone);
  });

  step('on 个人资料 the volunteer moves the account to a new number with the code sent to it', async () => {
    await page.goto(server.url + '/me/profile');
    await page.fill('#newPhone', newPhone);
    const { status, code } = await sendCode(page, newPhone);
    expect(status).toBe(200);
    expect(await page.textContent('#hint-smsCode')).toContain('验证码已发送至 137****6666');
    expect(await page.inputValue('#newPhone')).toBe(newPhone);
    await page.fill('#smsCode', code);
    await page.fill('#phonePassword', password);
    expect(await post(page, '#change-phone-submit')).toBe(303);
    expect(await page.textContent('main')).toContain('手机号已更换');
    expect(await phoneOf('林晓雨')).toBe(newPhone);
  });

  step('signed out, they follow 忘记密码？ from the login page and set a new password by SMS', async () => {
    // A minute later: one code per number per 60 s, whatever it is for.
    const db = await openDb({ url: server.dbUrl });
    // The counters name the phone only by its keyed hash: every resend cooldown goes (only this test's are there).
    await db.$client.execute("DELETE FROM rate_limits WHERE key LIKE 'sms-resend:%'");
    db.$client.close();
    await context.clearCookies();
    await page.goto(server.url + '/login');
    await page.click('a[href="/forgot"]');
    await page.waitForURL(server.url + '/forgot');
    await page.fill('#phone', newPhone);
    const { status, code } = await sendCode(page, newPhone);
    expect(status).toBe(200);
    expect(await page.textContent('#hint-smsCode')).toContain('如果 137****6666 是已注册的手机号，验证码已发送到该号码');
    await page.fill('#smsCode', code);
    await page.fill('#password', '新的密码也要好记 2027');
    await page.fill('#confirm', '新的密码也要好记 2027');
    expect(await post(page, '#reset-submit')).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#phone', newPhone);
    await page.fill('#password', '新的密码也要好记 2027');
    await post(page, 'main button[type="submit"]');
    expect(new URL(page.url()).pathname).toBe('/me');
  });
});

test('忘记密码 for a number without an account reads exactly as for a registered one, and no SMS goes out', async () => {
  const page = await browser.newPage();
  const texts: string[] = [];
  for (const p of ['13900000006', '13655550000']) {
    await page.goto(server.url + '/forgot');
    await page.fill('#phone', p);
    const from = server.output().length;
    expect(await post(page, '#sendCode')).toBe(200);
    texts.push((await page.textContent('main'))!.replace(/1\d{2}\*{4}\d{4}/g, 'PHONE'));
    await new Promise((r) => setTimeout(r, 300));
    const logged = server.output().slice(from).includes('"sms.demo"');
    expect(logged, p).toBe(p === '13900000006');
  }
  expect(texts[1]).toBe(texts[0]);
  await page.close();
});

test('Enter in a field submits the form itself, not 获取验证码 (the form’s default button comes first)', async () => {
  const page = await browser.newPage();
  for (const [path, field, action] of [
    ['/register', '#realName', 'accounts.register'],
    ['/forgot', '#phone', 'accounts.resetWithSmsCode'],
  ]) {
    await page.goto(server.url + path);
    await page.fill(field, field === '#phone' ? '13655550001' : '林晓雨');
    const [req] = await Promise.all([page.waitForRequest((r) => r.method() === 'POST'), page.press(field, 'Enter')]);
    await page.waitForLoadState('domcontentloaded');
    expect(new URL(req.url()).searchParams.get('_action'), path).toBe(action);
  }
  await page.close();
});

test('robots.txt names the sitemap at SITE_URL and disallows the private prefixes', async () => {
  const res = await fetch(server.url + '/robots.txt');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  expect(text).toContain(`Sitemap: ${server.url}/sitemap.xml`);
  for (const p of ['/console', '/me/', '/calendar/', '/files/', '/track', '/reset/', '/verify/']) expect(text).toContain(`Disallow: ${p}`);
});

describe('with 腾讯云短信 configured', () => {
  let real: RunningServer;
  let fake: Awaited<ReturnType<typeof startFakeSms>>;
  beforeAll(async () => {
    fake = await startFakeSms({ keyId: 'AKID-e2e', keySecret: 'e2e-secret' });
    real = await startServer({
      env: {
        SMS_PROVIDER: 'tencent',
        SMS_KEY_ID: 'AKID-e2e',
        SMS_KEY_SECRET: 'e2e-secret',
        SMS_SIGN_NAME: '善行云溪',
        SMS_TEMPLATE_ID: '2233445',
        SMS_TEMPLATE_PARAMS: 'code,minutes',
        SMS_SDK_APP_ID: '1400123456',
        SMS_ENDPOINT: fake.url,
      },
    });
  });
  afterAll(async () => {
    await real?.stop();
    await fake?.close();
  });

  test('获取验证码 sends a signed SendSms to the provider; the page makes no demo claim and the log holds no code', async () => {
    const page = await browser.newPage();
    await page.goto(real.url + '/register');
    expect(await page.textContent('#hint-smsCode')).not.toContain('演示环境');
    await page.fill('#phone', '13811112222');
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('#sendCode')]);
    expect(res.status()).toBe(200);
    expect(await page.textContent('#hint-smsCode')).toContain('验证码已发送至 138****2222');
    expect(await page.textContent('#hint-smsCode')).not.toContain('演示环境');
    for (let i = 0; i < 50 && !fake.messages.length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]).toMatchObject({ provider: 'tencent', phone: '13811112222', signName: '善行云溪', templateId: '2233445' });
    expect(fake.messages[0].params[0]).toMatch(/^\d{6}$/);
    expect(fake.messages[0].params[1]).toBe('10');
    expect(real.output()).not.toContain('"sms.demo"');
    await page.close();
  });
});
