// Issue 18, item 6: every POST form is `novalidate`, so an empty or short answer reaches the server
// and comes back as the same page with a 4xx, the Chinese message next to the field and what was
// typed still there — never a browser bubble that the next click hides.
import { describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { trustPortalHooks } from '../helpers/portal.ts';
import type { Actors, Kind, Q } from '../helpers/trust.ts';
import type { RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let q: Q;
let actors: Actors;
let browser: Browser;
trustPortalHooks((p, b) => {
  ({ server, q, actors } = p);
  browser = b;
});

async function pageAs(kind: Kind): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (actors.cookies[kind]) {
    const [name, value] = actors.cookies[kind].split('=');
    await context.addCookies([{ name, value, url: server.url }]);
  }
  return context.newPage();
}

/** The page's next document answer that is not a redirect (what the deprecated waitForNavigation resolved to). */
function landed(page: Page) {
  return page.waitForResponse((r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400));
}

/** Clicks a submit button and returns the status of the page the browser lands on (no bubble: the post happens). */
async function submit(page: Page, form: string, button = 'button[type="submit"]'): Promise<number> {
  const [response] = await Promise.all([landed(page), page.locator(`${form} ${button}`).first().click()]);
  return response!.status();
}

/** The error text shown inside the field (or inline form) that holds the control named `name`. */
async function errorBeside(page: Page, form: string, name: string): Promise<string> {
  // An inline form (one row of a list) is itself the box its message sits in.
  return page
    .locator(`${form} .field:has([name="${name}"]) .error, ${form}.inline-form:has([name="${name}"]) > .error`)
    .first()
    .innerText({ timeout: 2000 })
    .catch(() => '');
}

interface Case {
  title: string;
  as: Kind;
  path: string;
  form: string;
  fill?: Record<string, string>;
  clear?: string[];
  errorsFor: string[];
  kept?: Record<string, string>;
  button?: string;
}

const CASES: Case[] = [
  { title: '登录：密码为空', as: 'anonymous', path: '/login', form: 'form[action*="accounts.login"]', fill: { phone: '13900000001' }, errorsFor: ['password'], kept: { phone: '13900000001' } },
  { title: '修改密码：全空', as: 'volunteer', path: '/me/password', form: 'form[action*="changePassword"]', errorsFor: ['current', 'password'] },
  { title: '注销账户：未填密码', as: 'volunteer', path: '/me/delete', form: 'form[action*="deleteAccount"]', errorsFor: ['password'] },
  {
    title: '注册队伍：只填了名称',
    as: 'volunteer',
    path: '/me/teams/new',
    form: 'form[action*="teams.register"]',
    fill: { name: '河口应急小队' },
    errorsFor: ['slug', 'summary'],
    kept: { name: '河口应急小队' },
  },
  { title: '申报时长：没写服务内容', as: 'owner', path: '/me/hours', form: 'form[action*="hours.claim"]', fill: { start: '09:00', end: '10:00' }, errorsFor: ['content'], kept: { start: '09:00' } },
  { title: '申请服务证明：开始日期清空', as: 'owner', path: '/me/certificates', form: 'form[action*="requestCertificate"]', clear: ['from'], errorsFor: ['from'] },
  { title: '媒体库上传：什么都没选', as: 'editor', path: '/console/media', form: 'form[action*="uploadImage"]', errorsFor: ['file', 'alt'] },
  {
    title: '发布活动：全空',
    as: 'leaderB',
    path: '/me/teams/chengguan-red-vest/events/new',
    form: 'form[action*="events.create"]',
    fill: { address: '东门广场' },
    errorsFor: ['title', 'startsAt'],
    kept: { address: '东门广场' },
  },
  {
    title: '撰写文章：全空',
    as: 'editor',
    path: '/console/articles/new',
    form: '#article-form',
    button: 'button[value="save"]',
    fill: { summary: '摘要留着' },
    errorsFor: ['title'],
    kept: { summary: '摘要留着' },
  },
  {
    title: '撤销证明：理由只写一个字',
    as: 'admin',
    path: '/console/certificates',
    form: 'form[action*="revokeCertificate"]',
    fill: { reason: '错' },
    errorsFor: ['reason'],
    kept: { reason: '错' },
  },
];

describe('an empty or short form answers in Chinese next to the field', () => {
  test.each(CASES)('$title', async (c) => {
    const page = await pageAs(c.as);
    await page.goto(server.url + c.path);
    expect(await page.locator(c.form).count(), 'the form is on the page').toBeGreaterThan(0);
    const form = `${c.form} >> nth=0`;
    for (const name of c.clear ?? []) await page.locator(`${form} >> [name="${name}"]`).fill('');
    for (const [name, value] of Object.entries(c.fill ?? {})) await page.locator(`${form} >> [name="${name}"]`).fill(value);
    const status = await submit(page, c.form, c.button);
    expect(status, 'a refusal, not a redirect or a fault').toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    for (const name of c.errorsFor) expect(await errorBeside(page, c.form, name), `message next to ${name}`).toMatch(/\p{Script=Han}/u);
    for (const [name, value] of Object.entries(c.kept ?? {})) expect(await page.locator(`${c.form} [name="${name}"]`).first().inputValue(), `${name} kept`).toBe(value);
    await page.context().close();
  });

  test('移出 a volunteer from an event: a one-character reason is refused next to that row, its form open, the text kept', async () => {
    const row = await q.row(
      "SELECT s.id AS signup, e.id AS event FROM signups s JOIN events e ON e.id = s.event_id WHERE e.team_id = ? AND e.starts_at > ? AND s.status = 'confirmed' ORDER BY s.id LIMIT 1",
      [actors.teamB, Date.now() + 3600_000],
    );
    expect(row, 'a confirmed sign-up for an upcoming event of team B').toBeTruthy();
    const page = await pageAs('leaderB');
    await page.goto(`${server.url}/me/teams/chengguan-red-vest/events/${row!.event}`);
    const form = `form[action*="removeSignup"]:has([name="signupId"][value="${row!.signup}"])`;
    await page.locator(form).evaluate((f) => f.closest('details')!.setAttribute('open', ''));
    await page.locator(`${form} [name="reason"]`).fill('走');
    expect(await submit(page, form)).toBe(400);
    expect(await page.locator(form).evaluate((f) => f.closest('details')!.open)).toBe(true);
    expect(await page.locator(`${form} .error`).innerText()).toBe('请填写移出原因');
    expect(await page.locator(`${form} [name="reason"]`).inputValue()).toBe('走');
    expect((await q.row('SELECT status FROM signups WHERE id = ?', [Number(row!.signup)]))!.status).toBe('confirmed');
    await page.context().close();
  });

  test('更正申请 and its 驳回: the refused reason sits next to its own input, the text kept', async () => {
    const owner = await pageAs('owner');
    await owner.goto(server.url + '/me/hours');
    const form = owner.locator('form[action*="requestCorrection"]').first();
    await form.evaluate((f) => f.closest('details')!.setAttribute('open', ''));
    const recordId = await form.locator('[name="recordId"]').inputValue();
    await form.locator('[name="startsAt"]').fill('');
    const [refused] = await Promise.all([landed(owner), form.locator('button[type="submit"]').click()]);
    expect(refused!.status()).toBe(400);
    const again = owner.locator(`form[action*="requestCorrection"]:has([name="recordId"][value="${recordId}"])`);
    expect(await again.locator('.field:has([name="startsAt"]) .error').innerText()).toMatch(/开始时间/);
    expect(await again.locator('.field:has([name="reason"]) .error').innerText()).toMatch(/更正理由/);
    // Now a proper request, for the leader to decline without a reason.
    await again.locator('[name="startsAt"]').fill('2026-01-05T09:00');
    await again.locator('[name="endsAt"]').fill('2026-01-05T10:00');
    await again.locator('[name="reason"]').fill('签退时间记错了');
    const [sent] = await Promise.all([landed(owner), again.locator('button[type="submit"]').click()]);
    expect([200, 400]).toContain(sent!.status());
    await owner.context().close();
    const pending = await q.row("SELECT c.id FROM hour_corrections c WHERE c.status = 'pending' ORDER BY c.id DESC LIMIT 1");
    expect(pending, 'a pending correction to decline').toBeTruthy();
    const leader = await pageAs('leaderB');
    await leader.goto(server.url + '/me/teams/chengguan-red-vest/hours');
    const decline = `form[action*="declineCorrection"]:has([name="id"][value="${pending!.id}"])`;
    await leader.locator(`${decline} [name="decision"]`).fill('不');
    const status = await submit(leader, decline);
    expect(status).toBe(400);
    expect(await errorBeside(leader, decline, 'decision')).toMatch(/不予更正的理由/);
    expect(await leader.locator(`${decline} [name="decision"]`).inputValue()).toBe('不');
    await leader.context().close();
  });
});
