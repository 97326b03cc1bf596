// Issue 20 (四单) in Chromium: a resident orders at 360 px without JavaScript, staff accept and open it,
// team B's leader claims it (抢单) and closes it, the resident rates it on /track; and an order a
// resident phoned in is entered by staff and assigned (派单) to a team.
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { trustPortalHooks } from '../helpers/portal.ts';
import { fitsWidth, walkPages } from '../helpers/pages.ts';
import { flow } from '../helpers/flow.ts';
import type { Actors, Q } from '../helpers/trust.ts';
import type { RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let q: Q;
let actors: Actors;
let browser: Browser;
trustPortalHooks((p, b) => {
  ({ server, q, actors } = p);
  browser = b;
});

const { pageAs, closeAll } = walkPages(() => ({ browser, server, actors }));

const order = async (no: string) => (await q.client.execute({ sql: 'SELECT * FROM service_orders WHERE tracking_no = ?', args: [no] })).rows[0];

flow('order → accept → open → claim → done → rate, the resident at 360 px without JavaScript', (step) => {
  let resident: Page;
  let no = '';
  let townId = 0;
  step('the resident finds the menu and orders help; a missing field is named next to it, the rest kept', async () => {
    townId = Number((await q.row('SELECT town_id FROM teams WHERE id = ?', [actors.teamB]))?.town_id) || (await q.one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1"));
    const villageId = await q.one("SELECT id FROM regions WHERE level = 'village' AND parent_id = ? ORDER BY id LIMIT 1", [townId]);
    resident = await pageAs('anonymous', 360);
    await resident.goto(server.url + '/services');
    await expect.poll(() => resident.locator('h1').textContent()).toBe('志愿服务菜单');
    await fitsWidth(resident);
    // The public record of consenting demo orders names no resident, phone or address.
    const menuHtml = await resident.content();
    expect(menuHtml).toContain('最近的点单');
    // (A 普法讲座 order has no address of its own — the place is set when it is scheduled — so '' is skipped.)
    for (const r of (await q.client.execute('SELECT requester_name, requester_phone, address FROM service_orders')).rows)
      for (const v of Object.values(r)) if (String(v ?? '')) expect(menuHtml).not.toContain(String(v));
    await resident.locator('li', { hasText: '助老助残上门服务' }).getByRole('link', { name: '点单' }).click();
    await resident.getByLabel('需要什么帮助').fill('家中老人腿脚不便，想请志愿者帮忙打扫卫生。');
    await resident.getByLabel('乡镇（街道）').selectOption(String(townId));
    await resident.getByLabel('村（社区）').selectOption(String(villageId));
    await resident.getByLabel('详细地址').fill('3组12号');
    await resident.getByLabel('联系人', { exact: true }).fill('张桂芳');
    const res = await Promise.all([resident.waitForResponse((r) => r.request().method() === 'POST'), resident.getByRole('button', { name: '提交点单' }).click()]);
    expect(res[0].status()).toBe(400);
    await expect.poll(() => resident.locator('#requesterPhone-error').textContent()).toBe('请填写 11 位手机号码');
    expect(await resident.getByLabel('需要什么帮助').inputValue()).toBe('家中老人腿脚不便，想请志愿者帮忙打扫卫生。');
    expect(await resident.getByLabel('服务项目', { exact: true }).inputValue()).toBe(String(await q.one("SELECT id FROM service_items WHERE slug = 'elder-care'")));
    await fitsWidth(resident);
    await resident.getByLabel('手机号码').fill('13812346677');
    await resident.getByRole('button', { name: '提交点单' }).click();
    await resident.waitForURL(/\/services\/ordered\?no=/);
    no = String(await resident.getByTestId('tracking-no').textContent()).trim();
    expect(no).toMatch(/^DD-\d{4}-[A-Z0-9]{6}$/);
    expect(await order(no)).toMatchObject({ status: 'new', source: '网上', requester_phone: '13812346677' });
  });

  step('staff see the order with the phone masked, accept it and open it for teams to claim', async () => {
    const staff = await pageAs('editor', 1280);
    await staff.goto(`${server.url}/console/orders?town=${townId}`);
    expect(await staff.content()).not.toContain('13812346677');
    await staff.getByRole('link', { name: no }).click();
    await staff.getByRole('button', { name: '受理' }).click();
    await expect.poll(() => staff.locator('h1 .tag').first().textContent()).toBe('已受理，待派单');
    await staff.getByRole('button', { name: /开放接单/ }).click();
    await expect.poll(() => staff.locator('h1 .tag').first().textContent()).toBe('待队伍接单');
    expect((await order(no)).status).toBe('open');
  });

  step('team B’s leader claims it on a phone, sees the contact, and closes it with a 结项 note', async () => {
    const leader = await pageAs('leaderB', 360);
    await leader.goto(`${server.url}/me/teams/chengguan-red-vest/orders`);
    await fitsWidth(leader);
    expect(await leader.content()).not.toContain('13812346677');
    await leader.locator('li', { hasText: '家中老人腿脚不便' }).getByRole('button', { name: '抢单' }).click();
    await expect.poll(() => leader.locator('#flash').textContent()).toContain('接单成功');
    expect(await leader.content()).toContain('13812346677');
    await fitsWidth(leader);
    const ours = leader.locator('li', { hasText: no });
    await ours.getByText('确认完成（填写结项报告）').click();
    await ours.getByRole('button', { name: '确认完成' }).click();
    await expect.poll(() => leader.locator(`.error`).first().textContent()).toContain('结项说明');
    const report = leader.locator('li', { hasText: no });
    await report.getByLabel('做了什么（结项说明）').fill('两名志愿者上门打扫卫生一次，老人很满意。');
    await report.getByLabel('参加服务的志愿者（人）').fill('2');
    await report.getByLabel('受益群众（人）').fill('1');
    await report.getByLabel('无需活动的原因').fill('上门打扫一次即完成，未另发布活动');
    await report.getByRole('button', { name: '确认完成' }).click();
    await expect.poll(() => leader.locator('#flash').textContent()).toContain('已确认完成');
    expect(await order(no)).toMatchObject({ status: 'done', team_id: actors.teamB, dispatch_mode: 'claim' });
  });

  step('the resident tracks the number, reads each dated step and rates the service', async () => {
    await resident.goto(server.url + '/track');
    await resident.getByLabel('受理编号').fill(no);
    await resident.getByLabel('手机号码后四位').fill('6677');
    await resident.getByRole('button', { name: '查询' }).click();
    const text = String(await resident.locator('.track-result').textContent());
    for (const s of ['网上点单：助老助残上门服务', '县新时代文明实践中心已受理', '已发布到接单大厅', '已接单', '服务已完成']) expect(text).toContain(s);
    await fitsWidth(resident);
    await resident.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => resident.locator('#rating-error').textContent()).toBe('请选择 1–5 星');
    await resident.getByLabel('5 星').check();
    await resident.getByLabel('想说的话（可选）').fill('志愿者很耐心');
    await resident.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => resident.locator('#flash').textContent()).toContain('感谢您的评价');
    expect(await order(no)).toMatchObject({ status: 'rated', rating: 5, rating_comment: '志愿者很耐心', revisit_due: 0 });
  });
});

flow('an order phoned in: staff enter it on the resident’s behalf and assign it to a team', (step) => {
  let staff: Page;
  let id = 0;
  step('staff enter the order with source 电话', async () => {
    staff = await pageAs('editor', 360);
    const townId = await q.one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1");
    await staff.goto(server.url + '/console/orders/new');
    await staff.getByLabel('点单渠道').selectOption('电话');
    await staff.getByLabel('服务项目', { exact: true }).selectOption({ label: '法律咨询' });
    await staff.getByLabel('需要什么帮助').fill('邻里宅基地界线纠纷，想咨询怎么处理。');
    await staff.getByLabel('乡镇（街道）').selectOption(String(townId));
    await staff.getByLabel('村（社区）').selectOption(String(await q.one("SELECT id FROM regions WHERE level = 'village' AND parent_id = ? ORDER BY id LIMIT 1", [townId])));
    await staff.getByLabel('详细地址').fill('5组3号');
    await staff.getByLabel('群众的联系人').fill('李大山');
    await staff.getByLabel('群众的手机号码').fill('13812345599');
    await staff.getByRole('button', { name: '登记点单' }).click();
    await expect.poll(() => staff.locator('#flash').textContent()).toContain('已登记');
    await fitsWidth(staff);
    id = Number(/\/console\/orders\/(\d+)/.exec(staff.url())![1]);
    const row = (await q.client.execute({ sql: 'SELECT source, entered_by FROM service_orders WHERE id = ?', args: [id] })).rows[0];
    expect(row).toMatchObject({ source: '电话', entered_by: actors.ids.editor });
  });

  step('staff accept it and assign it to team B, which sees it as its own', async () => {
    await staff.getByRole('button', { name: '受理' }).click();
    await staff.getByLabel(/承接队伍/).selectOption(String(actors.teamB));
    await staff.getByRole('button', { name: '派给这支队伍' }).click();
    await expect.poll(() => staff.locator('h1 .tag').first().textContent()).toBe('服务中');
    const leader = await pageAs('leaderB', 1280);
    await leader.goto(`${server.url}/me/teams/chengguan-red-vest/orders`);
    expect(await leader.locator('#ours + ul').textContent()).toContain('邻里宅基地界线纠纷');
    await closeAll();
  });
});
