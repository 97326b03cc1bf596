// Issue 18, items 6, 7, 12 and 14 through the running portal: a long search, tracking a number with
// four digits, a check-in that leaves nothing to tap by accident, and a new volunteer's 下一步 on /me.
import { describe, expect, test } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { trustPortalHooks } from '../helpers/portal.ts';
import { sessionCookieFor } from '../helpers/session.ts';
import { postAction, toFormData, type Actors, type Q } from '../helpers/trust.ts';
import type { RunningServer } from '../helpers/server.ts';
import { currentCode } from '../../src/domain/events/checkin.ts';

let server: RunningServer;
let q: Q;
let actors: Actors;
let browser: Browser;
trustPortalHooks((p, b) => {
  ({ server, q, actors } = p);
  browser = b;
});

let userSeq = 0;
/** A new active volunteer with no team, no sign-up and no skills; returns id and session cookie. */
async function newVolunteer(): Promise<{ id: number; cookie: string }> {
  const now = Date.now();
  const n = ++userSeq;
  const rs = await q.client.execute({
    sql: "INSERT INTO users (phone, real_name, status, volunteer_no, created_at) VALUES (?, ?, 'active', ?, ?) RETURNING id",
    args: [`1340000${String(1000 + n)}`, `新志愿者${n}`, `YX2026${String(900000 + n)}`, now],
  });
  const id = Number(rs.rows[0].id);
  await q.client.execute({ sql: "INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, 'volunteer', ?)", args: [id, now] });
  return { id, cookie: (await sessionCookieFor(server.dbUrl, id)).cookie };
}

async function contextFor(cookie: string, width: number, large = false): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name, value, url: server.url }, ...(large ? [{ name: 'sx_large', value: '1', url: server.url }] : [])]);
  return context;
}

describe('item 6: a long search is a Chinese page, not an empty 431', () => {
  test.each([3000, 20000])('%i characters', async (n) => {
    const res = await fetch(`${server.url}/search?q=${encodeURIComponent('好'.repeat(n))}`);
    expect([400, 414, 431]).toContain(res.status);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toMatch(/搜索词/);
  });
});

describe('item 7: tracking numbers that track', () => {
  test('a nomination is found by its number and the last four digits, and a guess gets the same "not found"', async () => {
    const town = await q.one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1");
    const posted = await postAction(
      server,
      'honors.nominate',
      toFormData({
        nominatorName: '刘阿姨',
        nominatorPhone: '13812348765',
        relation: '邻居',
        nomineeName: '周大海',
        townId: town,
        category: '助人为乐',
        deeds: '周大海十年如一日照顾村里的五保老人，每天送饭、打扫、陪老人说话，逢年过节还自掏腰包买年货，乡亲们都夸他是热心肠。',
      }),
      { page: '/honors/nominate' },
    );
    expect(posted.status).toBe(303);
    const confirmation = await (await fetch(server.url + posted.location!)).text();
    const no = /id="tracking-no"[^>]*>(TJ-\d{4}-[A-Z0-9]{6})</.exec(confirmation)![1];
    expect(confirmation).toContain(`href="/track?no=${no}"`);

    const found = await fetch(`${server.url}/track?no=${no}&last4=8765`);
    const html = await found.text();
    expect(found.status).toBe(200);
    expect(found.headers.get('cache-control')).toContain('no-store');
    expect(html).toContain('提交推荐');
    expect(html).toContain('下一步');
    expect(html).toContain('周*海');
    expect(html).not.toContain('周大海');
    expect(html).not.toContain('13812348765');

    const notFound = async (path: string) => {
      const r = await fetch(server.url + path);
      return { status: r.status, text: /data-testid="not-found">([^<]*)</.exec(await r.text())?.[1] };
    };
    const wrongDigits = await notFound(`/track?no=${no}&last4=1111`);
    const wrongNumber = await notFound('/track?no=TJ-2026-ZZZZZZ&last4=8765');
    expect(wrongDigits.status).toBe(404);
    expect(wrongDigits).toEqual(wrongNumber);
    const bad = await fetch(`${server.url}/track?no=${no}&last4=12`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('请填写 4 位数字');
  });

  test('an objection gets a number on its confirmation page, and a 查询码 when no phone was left', async () => {
    const hid = await q.one("SELECT h.id FROM honorees h JOIN honor_batches b ON b.id = h.batch_id WHERE h.status = 'candidate' AND b.status = 'publicity' ORDER BY h.id LIMIT 1");
    const posted = await postAction(server, 'honors.objection', toFormData({ honoreeId: hid, text: '该候选人的部分事迹与实际情况不符，请核实。', contact: '' }), {
      page: `/honors/objection?h=${hid}`,
    });
    expect(posted.status).toBe(303);
    const page = await fetch(server.url + posted.location!);
    const html = await page.text();
    const no = /id="tracking-no"[^>]*>(YY-\d{4}-[A-Z0-9]{6})</.exec(html)![1];
    const pin = /id="track-pin"[^>]*>(\d{4})</.exec(html)![1];
    expect(page.headers.get('cache-control')).toContain('no-store');
    const tracked = await (await fetch(`${server.url}/track?no=${no}&last4=${pin}`)).text();
    expect(tracked).toContain('公示异议');
    expect(tracked).toContain('核查中');
  });
});

describe('item 12: check-in leaves nothing to tap by accident', () => {
  test('after 签到 the code box is gone, the state reads 已签到 hh:mm, and check-out before the start is refused', async () => {
    const { id, cookie } = await newVolunteer();
    const startsAt = Date.now() + 20 * 60_000;
    const ev = await q.client.execute({
      sql: `INSERT INTO events (team_id, title, category, starts_at, ends_at, capacity, status, checkin_secret, created_at)
            VALUES (?, '签到测试活动', '其他', ?, ?, 10, 'published', 'secret-for-e2e', ?) RETURNING id`,
      args: [actors.teamB, startsAt, startsAt + 2 * 3600_000, Date.now()],
    });
    const eventId = Number(ev.rows[0].id);
    await q.client.execute({ sql: "INSERT INTO signups (event_id, user_id, status, seq, created_at) VALUES (?, ?, 'confirmed', 1, ?)", args: [eventId, id, Date.now()] });
    const context = await contextFor(cookie, 360);
    const page = await context.newPage();
    const code = currentCode('secret-for-e2e').code;
    await page.goto(`${server.url}/events/${eventId}/checkin?code=${code}`);
    await page.click('button:has-text("签到")');
    await page.waitForURL(/done=in/);
    expect(await page.textContent('[data-testid="checkin-state"]')).toMatch(/已签到 \d{2}:\d{2}/);
    expect(await page.locator('input[name="code"]').count()).toBe(0);
    expect(await page.locator('button:has-text("签退")').count()).toBe(0);
    expect(await page.textContent('main')).toContain('开始后才能签退');
    // A check-out posted anyway (an old tab) is refused and records nothing.
    const out = await postAction(server, 'events.checkIn', toFormData({ eventId, code: currentCode('secret-for-e2e').code, op: 'out' }), { cookie, page: `/events/${eventId}/checkin` });
    expect(out.status).toBe(400);
    expect(out.body).toContain('活动尚未开始，不能签退');
    expect(await q.row('SELECT checkout_at, proposed_minutes FROM signups WHERE event_id = ? AND user_id = ?', [eventId, id])).toEqual({ checkout_at: null, proposed_minutes: null });
    await context.close();
  });
});

describe('item 14: a new volunteer’s 下一步 on /me', () => {
  test('three steps, each gone once done; the volunteer number on one line at 360 px, normal and 大字', async () => {
    const { id, cookie } = await newVolunteer();
    const steps = async () => {
      const html = await (await fetch(server.url + '/me', { headers: { cookie } })).text();
      return [...html.matchAll(/data-step="(\w+)"/g)].map((m) => m[1]);
    };
    expect(await steps()).toEqual(['team', 'event', 'profile']);
    await q.client.execute({ sql: "INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (?, ?, 'member', 'active', ?)", args: [actors.teamA, id, Date.now()] });
    expect(await steps()).toEqual(['event', 'profile']);
    const town = await q.one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1");
    await q.client.execute({ sql: `UPDATE users SET town_id = ?, skills = '["急救"]' WHERE id = ?`, args: [town, id] });
    expect(await steps()).toEqual(['event']);
    for (const large of [false, true]) {
      const context = await contextFor(cookie, 360, large);
      const page = await context.newPage();
      await page.goto(server.url + '/me');
      const box = await page.locator('[data-testid="volunteer-no"]').evaluate((b) => {
        const r = b.getBoundingClientRect();
        return { height: r.height, lineHeight: parseFloat(getComputedStyle(b).lineHeight), right: r.right };
      });
      expect(box.height, `大字 ${large}`).toBeLessThan(box.lineHeight * 1.5);
      expect(box.right).toBeLessThanOrEqual(360);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await context.close();
    }
  });
});

describe('item 6: forms say what is wrong next to the field', () => {
  test('the 普法 order form has no browser bubbles: an empty submit gets the server’s messages, input kept', async () => {
    const html = await (await fetch(server.url + '/legal/order')).text();
    expect(html).toMatch(/<form[^>]*action="\?_action=legal\.order"[^>]*novalidate/);
    const r = await postAction(server, 'legal.order', toFormData({ requesterName: '王主任', requesterPhone: '123' }), { page: '/legal/order' });
    expect(r.status).toBe(400);
    expect(r.body).toContain('请填写 11 位手机号码');
    expect(r.body).toContain('value="王主任"');
  });

  test('a refused registration says the password must be typed again, and never echoes it', async () => {
    const r = await postAction(server, 'accounts.register', toFormData({ phone: '13512345678', password: 'Secret-horse-77', realName: 'Anna Müller', idType: '居民身份证', idNumber: '1' }), {
      page: '/register',
    });
    expect(r.status).toBe(400);
    expect(r.body).toContain('密码没有保留，请重新输入');
    expect(r.body).not.toContain('Secret-horse-77');
    expect(r.body).toContain('护照或港澳台居民居住证');
  });
});
