// Issue 20 审单 and 评单 in Chromium (docs/decisions/100): a 所 staff member's console lists only their own
// 乡镇's orders (another 乡镇's order is a 404), and a resident rates a finished order at 360 px, without
// JavaScript, through the one-time link the closing sent by SMS — once.
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { trustPortalHooks } from '../helpers/portal.ts';
import { fitsWidth, walkPages } from '../helpers/pages.ts';
import { flow } from '../helpers/flow.ts';
import type { Actors, Q } from '../helpers/trust.ts';
import type { RunningServer } from '../helpers/server.ts';
import { maskPhone } from '../../src/lib/pii.ts';

let server: RunningServer;
let q: Q;
let actors: Actors;
let browser: Browser;
trustPortalHooks((p, b) => {
  ({ server, q, actors } = p);
  browser = b;
});

const { pageFor, pageAs, closeAll } = walkPages(() => ({ browser, server, actors }));

flow('a 所 staff member sees only their own 乡镇', (step) => {
  let staff: Page;
  let townA = 0;
  step('the demo 所 account (scoped to the first 乡镇) lists only that 乡镇’s orders', async () => {
    const id = await q.one("SELECT id FROM users WHERE phone = '13900000021'");
    townA = await q.one("SELECT town_id FROM user_roles WHERE user_id = ? AND role = 'editor'", [id]);
    // One order in each of two 乡镇, so the list has something to leave out.
    const townB = await q.one("SELECT id FROM regions WHERE level = 'town' AND id <> ? ORDER BY id LIMIT 1", [townA]);
    for (const [town, no] of [
      [townA, 'DD-2026-SCOPEA'],
      [townB, 'DD-2026-SCOPEB'],
    ] as const) {
      const village = await q.one("SELECT id FROM regions WHERE level = 'village' AND parent_id = ? ORDER BY id LIMIT 1", [town]);
      await q.client.execute({
        sql: "INSERT INTO service_orders (tracking_no, item_id, requester_name, requester_phone, town_id, village_id, address, need, status, created_at) VALUES (?, (SELECT id FROM service_items WHERE slug = 'elder-care'), '张桂芳', '13812349001', ?, ?, '3组12号', '想请志愿者帮忙打扫卫生。', 'new', ?)",
        args: [no, town, village, Date.now()],
      });
    }
    staff = await pageFor(id, 1280);
    await staff.goto(server.url + '/console/orders');
    const html = await staff.content();
    expect(html).toContain('DD-2026-SCOPEA');
    expect(html).not.toContain('DD-2026-SCOPEB');
    const towns = await staff.locator('#town option').allTextContents();
    expect(towns).toHaveLength(2); // 全部 and their own 乡镇
    const listed = await q.client.execute({ sql: 'SELECT count(*) AS n FROM service_orders WHERE town_id = ?', args: [townA] });
    expect(await staff.locator('tbody tr').count()).toBe(Math.min(200, Number(listed.rows[0].n)));
  });

  step('another 乡镇’s order is a 404 for them', async () => {
    const other = await q.one("SELECT id FROM service_orders WHERE tracking_no = 'DD-2026-SCOPEB'");
    const res = await staff.goto(`${server.url}/console/orders/${other}`);
    expect(res?.status()).toBe(404);
  });

  step('the 中心 (an editor with no 乡镇) sees both', async () => {
    const centre = await pageAs('editor', 1280);
    await centre.goto(server.url + '/console/orders');
    const html = await centre.content();
    expect(html).toContain('DD-2026-SCOPEA');
    expect(html).toContain('DD-2026-SCOPEB');
  });

  step('the 逾期 filter lists only overdue orders, each marked, and the order page gives its deadlines', async () => {
    const centre = await pageAs('editor', 360);
    await centre.goto(server.url + '/console/orders?overdue=1');
    const rows = centre.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await centre.getByTestId('overdue').count()).toBe(await rows.count());
    await fitsWidth(centre);
    await rows.first().getByRole('link').click();
    await expect.poll(() => centre.locator('h1 [data-testid=overdue]').textContent()).toBe('逾期');
    expect(await centre.locator('tr', { hasText: '办理时限' }).textContent()).toMatch(/受理：\d{4}年\d+月\d+日 24 时前/);
    await fitsWidth(centre);
  });
});

flow('the rating link in the SMS, at 360 px without JavaScript', (step) => {
  const no = 'DD-2026-LINKRT';
  let link = '';
  let resident: Page;
  step('team B’s leader closes an order it holds; the resident is texted a link without their name, phone or address', async () => {
    const town = Number((await q.row('SELECT town_id FROM teams WHERE id = ?', [actors.teamB]))?.town_id) || (await q.one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1"));
    const village = await q.one("SELECT id FROM regions WHERE level = 'village' AND parent_id = ? ORDER BY id LIMIT 1", [town]);
    await q.client.execute({
      sql: "INSERT INTO service_orders (tracking_no, item_id, requester_name, requester_phone, town_id, village_id, address, need, status, dispatch_mode, team_id, accepted_at, dispatched_at, created_at) VALUES (?, (SELECT id FROM service_items WHERE slug = 'elder-care'), '赵玉兰', '13812349002', ?, ?, '7组21号', '想请志愿者帮忙陪同老人去卫生院。', 'assigned', 'assign', ?, ?, ?, ?)",
      args: [no, town, village, actors.teamB, Date.now(), Date.now(), Date.now()],
    });
    const leader = await pageAs('leaderB', 360);
    await leader.goto(`${server.url}/me/teams/chengguan-red-vest/orders`);
    const mark = server.output().length;
    // The 结项 report (decision 099): what was done, who served, who benefited; no event was needed here.
    const report = leader.locator(`li[id^="order-"]`, { hasText: no });
    await report.getByText('确认完成（填写结项报告）').click();
    await report.getByLabel('做了什么（结项说明）').fill('两名志愿者陪同老人到卫生院复查。');
    await report.getByLabel('参加服务的志愿者（人）').fill('2');
    await report.getByLabel('受益群众（人）').fill('1');
    await report.getByLabel('无需活动的原因').fill('陪同就医一次即完成，无需组织报名活动');
    await report.getByRole('button', { name: '确认完成' }).click();
    await expect.poll(() => leader.locator('#flash').textContent()).toContain('已确认完成');
    await expect
      .poll(() =>
        server
          .output()
          .slice(mark)
          .split('\n')
          .find((l) => l.includes('"sms.demo"') && l.includes(`"phone":"${maskPhone('13812349002')}"`) && l.includes('"purpose":"rate"')),
      )
      .toBeTruthy();
    const line = server
      .output()
      .slice(mark)
      .split('\n')
      .find((l) => l.includes('"purpose":"rate"'))!;
    const text = String((JSON.parse(line) as { text: string }).text);
    for (const secret of ['赵玉兰', '13812349002', '7组21号']) expect(text).not.toContain(secret);
    link = /https?:\/\/\S+\/services\/rate\/[a-z0-9]+/.exec(text)![0].replace(/^https?:\/\/[^/]+/, server.url);
  });

  step('the resident opens the link on a phone: the service, no phone or address, and the stars', async () => {
    resident = await pageFor(null, 360);
    const res = await resident.goto(link);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['cache-control']).toContain('no-store');
    await expect.poll(() => resident.locator('h1').textContent()).toBe('服务评价');
    const html = await resident.content();
    for (const secret of ['赵玉兰', '13812349002', '7组21号', '9002']) expect(html).not.toContain(secret);
    expect(html).toContain('助老助残上门服务');
    await fitsWidth(resident);
  });

  step('submitting without stars says so next to them (4xx, comment kept); two stars rate it and answer 303', async () => {
    await resident.getByLabel('想说的话（可不填）').fill('约好的时间晚到了');
    const [bad] = await Promise.all([resident.waitForResponse((r) => r.request().method() === 'POST'), resident.getByRole('button', { name: '提交评价' }).click()]);
    expect(bad.status()).toBe(400);
    await expect.poll(() => resident.locator('#rating-error').textContent()).toBe('请选择 1–5 星');
    expect(await resident.getByLabel('想说的话（可不填）').inputValue()).toBe('约好的时间晚到了');
    await fitsWidth(resident);
    await resident.getByLabel(/2 星/).check();
    const [ok] = await Promise.all([resident.waitForResponse((r) => r.request().method() === 'POST'), resident.getByRole('button', { name: '提交评价' }).click()]);
    expect(ok.status()).toBe(303);
    await expect.poll(() => resident.locator('#flash').textContent()).toContain('评价已提交');
    const row = (await q.client.execute({ sql: 'SELECT status, rating, rating_comment, revisit_due FROM service_orders WHERE tracking_no = ?', args: [no] })).rows[0];
    expect(row).toMatchObject({ status: 'rated', rating: 2, rating_comment: '约好的时间晚到了', revisit_due: 1 });
    await fitsWidth(resident);
  });

  step('the link works once; a made-up link is a 404', async () => {
    await resident.goto(link);
    expect(await resident.locator('form button', { hasText: '提交评价' }).count()).toBe(0);
    expect(await resident.locator('#flash').textContent()).toContain('已经评价过');
    const res = await resident.goto(`${server.url}/services/rate/${'a'.repeat(32)}`);
    expect(res?.status()).toBe(404);
    await closeAll();
  });
});
