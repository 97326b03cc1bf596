// Issue 20 (四单), 接单 — delivery, in Chromium: a resident orders at 360 px without JavaScript with
// photos (a third one refused next to the field, the rest kept); staff see the thumbnails; the photo
// is served to staff and the holding team's leader and is a 404 for everyone else.
import { expect } from 'vitest';
import sharp from 'sharp';
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

const jpeg = async (colour: string, name: string) => ({
  name,
  mimeType: 'image/jpeg',
  buffer: await sharp({ create: { width: 800, height: 600, channels: 3, background: colour } })
    .jpeg()
    .toBuffer(),
});

flow('an order with photos: private to staff and the holding team’s leader', (step) => {
  let resident: Page;
  let staff: Page;
  let no = '';
  let photoUrl = '';
  step('the resident orders at 360 px without JavaScript; a third photo is refused next to the field, the other input kept', async () => {
    const townId = Number((await q.row('SELECT town_id FROM teams WHERE id = ?', [actors.teamB]))?.town_id) || (await q.one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1"));
    const villageId = await q.one("SELECT id FROM regions WHERE level = 'village' AND parent_id = ? ORDER BY id LIMIT 1", [townId]);
    resident = await pageAs('anonymous', 360);
    await resident.goto(`${server.url}/services/order`);
    await resident.getByLabel('服务项目', { exact: true }).selectOption({ label: '助老助残上门服务' });
    await resident.getByLabel('需要什么帮助').fill('厨房的水管漏水，老人自己修不了。');
    await resident.getByLabel('乡镇（街道）').selectOption(String(townId));
    await resident.getByLabel('村（社区）').selectOption(String(villageId));
    await resident.getByLabel('详细地址').fill('2组8号');
    await resident.getByLabel('联系人', { exact: true }).fill('王淑兰');
    await resident.getByLabel('手机号码').fill('13812347788');
    await resident.getByLabel(/照片/).setInputFiles([await jpeg('#c33', 'a.jpg'), await jpeg('#3c3', 'b.jpg'), await jpeg('#33c', 'c.jpg')]);
    const [res] = await Promise.all([resident.waitForResponse((r) => r.request().method() === 'POST'), resident.getByRole('button', { name: '提交点单' }).click()]);
    expect(res.status()).toBe(400);
    await expect.poll(() => resident.locator('#photos-error').textContent()).toContain('最多上传 2 张照片');
    expect(await resident.getByLabel('需要什么帮助').inputValue()).toBe('厨房的水管漏水，老人自己修不了。');
    expect(await resident.getByLabel('手机号码').inputValue()).toBe('13812347788');
    expect(await q.one("SELECT count(*) FROM service_orders WHERE requester_phone = '13812347788'")).toBe(0);
    await fitsWidth(resident);
    await resident.getByLabel(/照片/).setInputFiles([await jpeg('#c33', 'a.jpg'), await jpeg('#3c3', 'b.jpg')]);
    await resident.getByRole('button', { name: '提交点单' }).click();
    await resident.waitForURL(/\/services\/ordered\?no=/);
    no = String(await resident.getByTestId('tracking-no').textContent()).trim();
    expect(await q.one('SELECT count(*) FROM service_order_files f JOIN service_orders o ON o.id = f.order_id WHERE o.tracking_no = ?', [no])).toBe(2);
  });

  step('staff see both thumbnails on the order and open the photo', async () => {
    staff = await pageAs('editor', 1280);
    const id = await q.one('SELECT id FROM service_orders WHERE tracking_no = ?', [no]);
    await staff.goto(`${server.url}/console/orders/${id}`);
    const thumbs = staff.getByRole('list', { name: '群众上传的照片' }).locator('img');
    await expect.poll(() => thumbs.count()).toBe(2);
    photoUrl = server.url + String(await staff.getByRole('list', { name: '群众上传的照片' }).locator('a').first().getAttribute('href'));
    const r = await staff.request.get(photoUrl);
    expect(r.status()).toBe(200);
    expect(r.headers()['content-type']).toBe('image/webp');
    expect(await thumbs.first().evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await staff.getByRole('button', { name: '受理' }).click();
    await staff.getByLabel(/承接队伍/).selectOption(String(actors.teamB));
    await staff.getByRole('button', { name: '派给这支队伍' }).click();
    await expect.poll(() => staff.locator('h1 .tag').first().textContent()).toBe('服务中');
  });

  step('team B’s leader sees the thumbnails; another team’s leader and the public get 404 for the photo', async () => {
    const leader = await pageAs('leaderB', 360);
    await leader.goto(`${server.url}/me/teams/chengguan-red-vest/orders`);
    await expect.poll(() => leader.locator('li', { hasText: no }).getByRole('list', { name: '群众上传的照片' }).locator('img').count()).toBe(2);
    await fitsWidth(leader);
    expect((await leader.request.get(photoUrl)).status()).toBe(200);
    const other = await pageAs('leaderA', 1280);
    const refused = await other.request.get(photoUrl);
    expect(refused.status()).toBe(404);
    const anon = await pageAs('anonymous', 1280);
    const anonRes = await anon.request.get(photoUrl);
    expect(anonRes.status()).toBe(404);
    expect(await anonRes.text()).toBe(await refused.text());
    // The resident's /track never shows the photos.
    await resident.goto(`${server.url}/track?no=${encodeURIComponent(no)}`);
    await resident.getByLabel('手机号码后四位').fill('7788');
    await resident.getByRole('button', { name: '查询' }).click();
    expect(await resident.content()).not.toContain('/files/');
  });

  step('the leader turns the order into an event: prefilled with the item and the 村, never the address', async () => {
    const leader = await pageAs('leaderB', 1280);
    await leader.goto(`${server.url}/me/teams/chengguan-red-vest/orders`);
    await leader.locator('li', { hasText: no }).getByRole('link', { name: '由此点单新建服务活动' }).click();
    await expect.poll(() => leader.getByTestId('for-order').textContent()).toContain(no);
    expect(await leader.getByLabel('活动名称').inputValue()).toContain('助老助残上门服务（');
    expect(await leader.getByLabel(/详细地点/).inputValue()).not.toContain('2组8号');
    await fitsWidth(leader);
    const start = new Date(Date.now() + 3 * 86400_000 + 8 * 3600_000).toISOString().slice(0, 10);
    await leader.getByLabel('开始时间').fill(`${start}T09:00`);
    await leader.getByLabel('结束时间').fill(`${start}T11:00`);
    await leader.getByRole('button', { name: '保存草稿' }).click();
    await leader.waitForURL(/created=1/);
    await expect.poll(() => leader.getByTestId('service-order').textContent()).toContain(no);
    const id = await q.one('SELECT id FROM service_orders WHERE tracking_no = ?', [no]);
    expect(await q.one('SELECT count(*) FROM events WHERE service_order_id = ? AND address NOT LIKE ?', [id, '%2组8号%'])).toBe(1);
  });

  step('at 360 px the leader records progress with a photo and 告知群众; closing is refused while the event is not over', async () => {
    const leader = await pageAs('leaderB', 360);
    await leader.goto(`${server.url}/me/teams/chengguan-red-vest/orders`);
    const ours = leader.locator(`li[id^="order-"]`, { hasText: no });
    await ours.getByText('记录服务进展').click();
    await ours.getByLabel('进展说明').fill('已上门看过，周末带工具来修。');
    await ours.getByLabel(/照片（可选，最多 3 张）/).setInputFiles([await jpeg('#999', 'pipe.jpg')]);
    await ours.getByLabel(/告知群众/).check();
    await ours.getByRole('button', { name: '保存进展' }).click();
    await expect.poll(() => leader.locator('#flash').textContent()).toContain('已记录服务进展');
    await expect.poll(() => leader.locator(`li[id^="order-"]`, { hasText: no }).getByRole('list', { name: '进展照片' }).locator('img').count()).toBe(1);
    await fitsWidth(leader);
    const report = leader.locator(`li[id^="order-"]`, { hasText: no });
    await report.getByText('确认完成（填写结项报告）').click();
    await report.getByLabel('做了什么（结项说明）').fill('两名志愿者上门修好了水管。');
    await report.getByLabel('参加服务的志愿者（人）').fill('2');
    await report.getByLabel('受益群众（人）').fill('2');
    await report.getByRole('button', { name: '确认完成' }).click();
    await expect.poll(() => leader.locator('.notice-box.err').first().textContent()).toContain('还没有结束');
    expect((await q.row('SELECT status FROM service_orders WHERE tracking_no = ?', [no]))?.status).toBe('assigned');
    await fitsWidth(leader);
  });

  step('the resident reads the told progress and the event date on /track, never a photo', async () => {
    await resident.goto(`${server.url}/track?no=${encodeURIComponent(no)}`);
    await resident.getByLabel('手机号码后四位').fill('7788');
    await resident.getByRole('button', { name: '查询' }).click();
    const text = String(await resident.locator('.track-result').textContent());
    expect(text).toContain('服务进展：已上门看过，周末带工具来修。');
    expect(text).toMatch(/已安排志愿服务活动：\d{4}年\d{1,2}月\d{1,2}日/);
    expect(await resident.content()).not.toContain('/files/');
    await fitsWidth(resident);
    await closeAll();
  });
});
