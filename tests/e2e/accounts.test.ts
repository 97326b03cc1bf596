// Accounts through the real pages in Chromium: register → logout → login → /me → profile → logout,
// form errors in place, brute-force 429, cookie flags, nothing secret in the database file, the reset
// link e-mailed through SMTP_URL.
import { afterAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '../helpers/server.ts';
import { flow } from '../helpers/flow.ts';
import { portalHooks } from '../helpers/portal.ts';
import { sessionCookieFor, signInContext, userIdByPhoneAt } from '../helpers/session.ts';
import { openDb } from '../../db/client.ts';
import { sessionIdFromToken } from '../../src/domain/accounts/sessions.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { readMessage, startFakeSmtp } from '../helpers/fake-smtp.ts';
import { codeFromLog } from '../helpers/sms.ts';

let server: RunningServer;
let browser: Browser;

// The built server sends mail through nodemailer (decision 085) to this relay on loopback.
const smtp = await startFakeSmtp();
afterAll(() => smtp.close());

portalHooks(
  (s, b) => {
    server = s;
    browser = b;
  },
  { env: { SMTP_URL: smtp.url } },
);

const idNumber = makeIdNumber('1992-07-21', 42, false);
const phone = '13566667777';
const password = '山间小路慢慢走 2026';

async function fillRegistration(page: Page, over: { idNumber?: string; phone?: string; withCode?: boolean } = {}) {
  await page.fill('#phone', over.phone ?? phone);
  if (over.withCode) {
    // 获取验证码 posts the form; the demo provider writes the code to the server log (decision 092).
    const from = server.output().length;
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('#sendCode')]);
    await page.waitForLoadState('domcontentloaded');
    await page.fill('#smsCode', await codeFromLog(server.output, over.phone ?? phone, { after: from }));
  }
  await page.fill('#password', password);
  await page.fill('#realName', '陈美玲');
  await page.selectOption('#idType', '居民身份证');
  await page.fill('#idNumber', over.idNumber ?? idNumber);
  const town = await page.locator('#townId option').nth(1).getAttribute('value');
  await page.selectOption('#townId', town!);
  const village = await page.locator(`#villageId optgroup[data-town="${town}"] option`).first().getAttribute('value');
  await page.selectOption('#villageId', village!);
  await page.check('input[name="skills"][value="急救"]');
  await page.check('#agreeTerms');
  await page.check('#agreePrivacy');
  return { town: town!, village: village! };
}

async function submit(page: Page) {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator('main button[type="submit"]').last().click()]);
  await page.waitForLoadState('domcontentloaded');
  return response;
}

describe('a new volunteer', () => {
  test('what was typed comes back exactly after a refusal, whatever the characters (the form body is read once by the server)', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/register');
    const bad = idNumber.slice(0, 17) + (idNumber[17] === '5' ? '6' : '5');
    await fillRegistration(page, { idNumber: bad });
    const typed = '陈+美 &a=%E4"<b>😀'; // within the field's maxlength
    await page.fill('#realName', typed);
    await page.fill('#password', `${password}+&=%`);
    const res = await submit(page);
    expect(res.status()).toBe(400);
    expect(await page.inputValue('#realName')).toBe(typed);
    expect(await page.inputValue('#idNumber')).toBe(bad);
    expect(await page.textContent('#err-idNumber')).toContain('身份证号码校验位不正确');
    await page.close();
  });

  test('a form naming no real action gets the same 4xx whether the body is url-encoded (read by our server) or multipart (read by Astro), and the Action endpoint never a 5xx', async () => {
    const names = ['nope.x', '__proto__.toString', 'constructor.name', 'accounts', 'accounts.login.orThrow', 'accounts.%E4', 'accounts.hasOwnProperty', ''];
    for (const name of names) {
      const url = `${server.url}/login?_action=${encodeURIComponent(name)}`;
      const fields = { phone, password: 'x' };
      const plain = await fetch(url, {
        method: 'POST',
        headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      });
      const multi = new FormData();
      for (const [k, v] of Object.entries(fields)) multi.append(k, v);
      const viaAstro = await fetch(url, { method: 'POST', headers: { origin: server.url }, body: multi, redirect: 'manual' });
      expect(plain.status, name).toBe(viaAstro.status);
      expect(plain.status, name).toBeLessThan(500);
      if (name) expect(plain.status, name).toBeGreaterThanOrEqual(400);
      expect(plain.headers.get('set-cookie') ?? '', name).not.toContain('sx_session=');
      if (!name) continue;
      // The same names called as an Action endpoint: a 4xx with a Chinese message, never a 5xx.
      const rpc = await fetch(`${server.url}/_actions/${name}`, {
        method: 'POST',
        headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      expect(rpc.status, `/_actions/${name}`).toBeGreaterThanOrEqual(400);
      expect(rpc.status, `/_actions/${name}`).toBeLessThan(500);
      // A JSON refusal, or the 404 page for a path that is no Action route at all: Chinese either way.
      expect(await rpc.text(), `/_actions/${name}`).toMatch(/\p{Script=Han}/u);
    }
  });

  test('a wrong checksum is shown next to the field with a 4xx status; every other field stays filled', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/register');
    const bad = idNumber.slice(0, 17) + (idNumber[17] === '5' ? '6' : '5');
    const { town, village } = await fillRegistration(page, { idNumber: bad });
    const res = await submit(page);
    expect(res.status()).toBeGreaterThanOrEqual(400);
    expect(res.status()).toBeLessThan(500);
    expect(await page.textContent('#err-idNumber')).toContain('身份证号码校验位不正确');
    expect(await page.getAttribute('#idNumber', 'aria-invalid')).toBe('true');
    expect(await page.inputValue('#phone')).toBe(phone);
    expect(await page.inputValue('#realName')).toBe('陈美玲');
    expect(await page.inputValue('#idNumber')).toBe(bad);
    expect(await page.inputValue('#townId')).toBe(town);
    expect(await page.inputValue('#villageId')).toBe(village);
    expect(await page.isChecked('input[name="skills"][value="急救"]')).toBe(true);
    expect(await page.isChecked('#agreeTerms')).toBe(true);
    expect(await page.inputValue('#password')).toBe('');
    await page.close();
  });

  flow('registers, logs out, logs in, sees their name and full ID number, logs out', (step) => {
    let context: BrowserContext;
    let page: Page;
    let cookie: Cookie;
    let second: Cookie;
    afterAll(() => context?.close());

    step('a resident registers and lands on /me with a secure session cookie', async () => {
      context = await browser.newContext();
      page = await context.newPage();
      await page.goto(server.url + '/register');
      await fillRegistration(page, { withCode: true });
      await submit(page);
      expect(new URL(page.url()).pathname).toBe('/me');
      expect(await page.textContent('#me-name')).toBe('陈美玲');

      cookie = (await context.cookies()).find((c) => c.name === 'sx_session')!;
      expect(cookie.httpOnly).toBe(true);
      expect(cookie.sameSite).toBe('Lax');
      expect(cookie.path).toBe('/');
    });

    step('the volunteer logs out: the cookie is gone', async () => {
      await page.click('header form[action="/logout"] button');
      await page.waitForURL(server.url + '/');
      expect((await context.cookies()).find((c) => c.name === 'sx_session')).toBeUndefined();
    });

    step('the volunteer opens /me, is sent to log in, and logs in with a new session', async () => {
      await page.goto(server.url + '/me');
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/login?next=%2Fme');
      await page.fill('#phone', phone);
      await page.fill('#password', password);
      await submit(page);
      expect(new URL(page.url()).pathname).toBe('/me');
      expect(await page.textContent('#me-name')).toBe('陈美玲');
      second = (await context.cookies()).find((c) => c.name === 'sx_session')!;
      expect(second.value).not.toBe(cookie.value);
    });

    step('the volunteer sees their full ID number on their profile', async () => {
      await page.goto(server.url + '/me/profile');
      expect(await page.textContent('#own-id-number')).toBe(idNumber);
    });

    step('the volunteer logs out; the profile then asks to log in', async () => {
      await page.click('header form[action="/logout"] button');
      await page.waitForURL(server.url + '/');
      const res = await page.goto(server.url + '/me/profile');
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(res?.status()).toBe(200);
    });

    step('neither the ID number nor a session token is stored in plain text', async () => {
      const dbFile = fileURLToPath(server.dbUrl.replace(/^file:/, 'file://'));
      const bytes = Buffer.concat([dbFile, dbFile + '-wal'].filter(existsSync).map((f) => readFileSync(f)));
      expect(bytes.length).toBeGreaterThan(0);
      expect(bytes.includes(Buffer.from(idNumber))).toBe(false);
      expect(bytes.includes(Buffer.from(cookie.value))).toBe(false);
      expect(bytes.includes(Buffer.from(second.value))).toBe(false);
    });
  });
});

describe('login protection', () => {
  const post = (path: string, body: Record<string, string>, origin = server.url) =>
    fetch(server.url + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });

  test('the 11th wrong password answers 429 with a Chinese retry time', async () => {
    const target = server.accounts.find((a) => a.phone === '13900000004')!;
    for (let i = 0; i < 10; i++) {
      const r = await post('/login?_action=accounts.login', { phone: target.phone, password: `wrong-${i}-password` });
      expect(r.status).toBe(401);
      expect(await r.text()).toContain('手机号或密码不正确');
    }
    const r = await post('/login?_action=accounts.login', { phone: target.phone, password: target.password });
    expect(r.status).toBe(429);
    expect(await r.text()).toMatch(/请于 .*\d{2}:\d{2}.*再试/);
  });

  test('a cross-origin form POST to /login answers 403', async () => {
    const target = server.accounts.find((a) => a.phone === '13900000006')!;
    const r = await post('/login?_action=accounts.login', { phone: target.phone, password: target.password }, 'http://evil.example');
    expect(r.status).toBe(403);
    expect(r.headers.get('set-cookie')).toBeNull();
  });

  test('the session cookie is sent again only when the session is extended (sliding expiry)', async () => {
    const target = server.accounts.find((a) => a.phone === '13900000006')!;
    const { token, cookie } = await sessionCookieFor(server.dbUrl, await userIdByPhoneAt(server.dbUrl, target.phone));
    const first = await fetch(server.url + '/me', { headers: { cookie }, redirect: 'manual' });
    expect(first.status).toBe(200);
    expect(first.headers.get('set-cookie') ?? '').not.toMatch(/sx_session=/);
    // Past half its window: the database moves it forward, and the browser's copy with it.
    const db = await openDb({ url: server.dbUrl });
    await db.$client.execute({ sql: 'UPDATE sessions SET expires_at = ? WHERE id = ?', args: [Date.now() + 2 * 86400_000, sessionIdFromToken(token)] });
    db.$client.close();
    const renewed = await fetch(server.url + '/me', { headers: { cookie }, redirect: 'manual' });
    expect(renewed.status).toBe(200);
    const set = renewed.headers.get('set-cookie') ?? '';
    expect(set).toContain(`sx_session=${token}`);
    expect(set).toMatch(/HttpOnly/i);
    const expires = Date.parse(/Expires=([^;]+)/i.exec(set)![1]);
    expect(expires).toBeGreaterThan(Date.now() + 25 * 86400_000);
  });

  test('anonymous /me redirects to /login?next=%2Fme', async () => {
    const r = await fetch(server.url + '/me', { redirect: 'manual' });
    expect([302, 303]).toContain(r.status);
    expect(r.headers.get('location')).toMatch(/\/login\?next=%2Fme$/);
  });

  test('a wrong current password is shown next to its field with 400 (a domain refusal, not only zod, reaches the field)', async () => {
    const context = await browser.newContext();
    await signInContext(context, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, '13900000006'));
    const page = await context.newPage();
    await page.goto(server.url + '/me/password');
    await page.fill('#current', 'not-my-password-1');
    await page.fill('#password', 'Xq7!another-pass');
    await page.fill('#confirm', 'Xq7!another-pass');
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: /修改密码|保存/ }).click()]);
    expect(res.status()).toBe(400);
    await page.waitForLoadState();
    expect(await page.textContent('#err-current')).toBe('当前密码不正确');
    expect(await page.getAttribute('#current', 'aria-invalid')).toBe('true');
    await context.close();
  });

  test('a volunteer opening /console/users gets the Chinese 403 page', async () => {
    const context = await browser.newContext();
    await signInContext(context, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, '13900000006'));
    const page = await context.newPage();
    const res = await page.goto(server.url + '/console/users');
    expect(res?.status()).toBe(403);
    expect(await page.textContent('h1')).toBe('无权访问');
    await context.close();
  });

  test('an admin finds a user with masked phone and ID, issues a reset link that works once', async () => {
    const context = await browser.newContext();
    await signInContext(context, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, '13900000001'));
    const page = await context.newPage();
    await page.goto(server.url + '/console/users?q=' + encodeURIComponent('何思远'));
    const row = page.locator('tbody tr').first();
    expect(await row.textContent()).toContain('139****0006');
    expect(await row.textContent()).toMatch(/\d{4}\*{14}(?![\dX])/); // first 4 only (decision 077)
    await row.locator('a').click();
    await page.waitForURL(/\/console\/users\/\d+$/);
    const db = await openDb({ url: server.dbUrl });
    await db.$client.execute("UPDATE users SET email = 'he.siyuan@example.cn' WHERE phone = '13900000006'");
    db.$client.close();
    await submitButton(page, '生成重置链接');
    const link = (await page.textContent('#reset-link code'))!.trim();
    expect(link).toMatch(/\/reset\/[a-z2-7]{32}$/);
    expect(await page.textContent('main')).toContain('已同时发送到该用户登记的邮箱');
    const mail = smtp.messages
      .filter((m) => m.rcpt.includes('he.siyuan@example.cn'))
      .map((m) => readMessage(m.data))
      .find((m) => m.subject === '善行平台：重置密码链接');
    expect(mail?.text).toContain('何思远，您好');
    expect(mail?.text).toContain(link);

    const anon = await browser.newPage();
    await anon.goto(link);
    await anon.fill('#password', '新的密码不要太常见');
    await anon.fill('#confirm', '新的密码不要太常见');
    await submit(anon);
    expect(new URL(anon.url()).pathname).toBe('/login');
    const again = await anon.goto(link);
    expect(again?.status()).toBe(410);
    expect(await anon.textContent('main')).toContain('无效、已使用或已过期');
    await anon.close();
    await context.close();
  });
});

test('忘记密码 by e-mail: the resident asks on /forgot and the link in the mail sets a new password once', async () => {
  const db = await openDb({ url: server.dbUrl });
  // 陈美玲 registered above (with her phone's code) and gave no e-mail then; she adds one later.
  await db.$client.execute({ sql: "UPDATE users SET email = 'chen.meiling@example.cn' WHERE phone = ?", args: [phone] });
  db.$client.close();
  const page = await browser.newPage();
  await page.goto(server.url + '/forgot');
  await page.fill('#mailPhone', phone);
  await submitButton(page, '发送重设链接');
  expect(await page.textContent('main')).toContain('如果该手机号的账户登记了电子邮箱，重设链接已发出');
  let mail: ReturnType<typeof readMessage> | undefined;
  for (let i = 0; i < 50 && !mail; i++) {
    mail = smtp.messages.filter((m) => m.rcpt.includes('chen.meiling@example.cn')).map((m) => readMessage(m.data))[0];
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  expect(mail?.text).toContain('您申请了重置密码');
  const link = /(http:\/\/\S+\/reset\/[a-z2-7]+)/.exec(mail!.text)![1];
  await page.goto(link);
  await page.fill('#password', '邮件里的链接很方便 2026');
  await page.fill('#confirm', '邮件里的链接很方便 2026');
  await submit(page);
  expect(new URL(page.url()).pathname).toBe('/login');
  expect((await page.goto(link))?.status()).toBe(410);
  await page.close();
});

async function submitButton(page: Page, text: string) {
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(`button:has-text("${text}")`)]);
  await page.waitForLoadState('domcontentloaded');
}
