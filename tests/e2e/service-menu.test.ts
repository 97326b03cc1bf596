// Issue 20 (服务菜单) in Chromium: staff add an item (a bad time limit is named next to its field, the rest
// kept), edit it on a phone and take it off the menu; /services shows each change at once to a
// resident whose earlier visit sits in the page cache.
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

const item = async (name: string) => (await q.client.execute({ sql: 'SELECT * FROM service_items WHERE name = ?', args: [name] })).rows[0];

flow('staff add, edit and take off a menu item; /services follows at once', (step) => {
  let resident: Page;
  let staff: Page;
  step('a resident has seen the menu (the page now sits in the cache)', async () => {
    resident = await pageAs('anonymous', 360);
    await resident.goto(server.url + '/services');
    expect(await resident.content()).not.toContain('代写家书');
  });

  step('staff add an item at 1280 px: 办结 shorter than 受理 + 派单 is named next to the field, the rest kept', async () => {
    staff = await pageAs('editor', 1280);
    await staff.goto(server.url + '/console/services');
    await fitsWidth(staff);
    await staff.getByRole('link', { name: '新增服务项目' }).click();
    await staff.getByLabel('项目名称').fill('代写家书与代办网上业务');
    await staff.getByLabel('类别').selectOption('邻里互助');
    await staff.getByLabel('项目说明').fill('帮老人写信、在手机上办医保缴费等网上业务。');
    await staff.getByLabel('需要志愿者上门').check();
    await staff.getByLabel('受理时限（小时）').fill('48');
    await staff.getByLabel('派单/接单时限（小时）').fill('72');
    await staff.getByLabel('办结时限（工作日）').fill('2');
    const [res] = await Promise.all([staff.waitForResponse((r) => r.request().method() === 'POST'), staff.getByRole('button', { name: '保存并上架' }).click()]);
    expect(res.status()).toBe(400);
    await expect.poll(() => staff.locator('#e-finishDays').textContent()).toBe('办结时限不能短于受理与派单时限之和（120 小时，约 5 天）');
    expect(await staff.getByLabel('项目名称').inputValue()).toBe('代写家书与代办网上业务');
    expect(await staff.getByLabel('需要志愿者上门').isChecked()).toBe(true);
    expect(await item('代写家书与代办网上业务')).toBeUndefined();
    await staff.getByLabel('办结时限（工作日）').fill('7');
    const [ok] = await Promise.all([staff.waitForResponse((r) => r.request().method() === 'POST'), staff.getByRole('button', { name: '保存并上架' }).click()]);
    expect(ok.status()).toBe(303);
    await expect.poll(() => staff.locator('#flash').textContent()).toContain('已新增服务项目');
    expect(await item('代写家书与代办网上业务')).toMatchObject({ category: '邻里互助', needs_visit: 1, accept_hours: 48, dispatch_hours: 72, finish_days: 7, active: 1 });
    await fitsWidth(staff);
  });

  step('the resident reloads /services and can order the new item', async () => {
    await resident.goto(server.url + '/services');
    const li = resident.locator('li', { hasText: '代写家书与代办网上业务' });
    expect(await li.textContent()).toContain('受理：2 个工作日内');
    await li.getByRole('link', { name: '点单' }).click();
    expect(await resident.getByLabel('服务项目', { exact: true }).inputValue()).toBe(String((await item('代写家书与代办网上业务')).id));
  });

  step('staff edit it on a phone in 大字 mode; the audit row keeps before and after', async () => {
    const phone = await pageAs('editor', 360, true);
    await phone.goto(server.url + '/console/services');
    await fitsWidth(phone);
    await phone.getByRole('link', { name: '代写家书与代办网上业务' }).click();
    await fitsWidth(phone);
    await phone.getByLabel('项目名称').fill('代写书信');
    await phone.getByLabel('受理时限（小时）').fill('24');
    await phone.getByRole('button', { name: '保存修改' }).click();
    await expect.poll(() => phone.locator('#flash').textContent()).toContain('已保存修改');
    await fitsWidth(phone);
    const a = (await q.client.execute("SELECT actor_id, before, after FROM audit_log WHERE action = 'services.item_update' ORDER BY id DESC LIMIT 1")).rows[0];
    expect(a.actor_id).toBe(actors.ids.editor);
    expect(JSON.parse(String(a.before))).toMatchObject({ name: '代写家书与代办网上业务', acceptHours: 48 });
    expect(JSON.parse(String(a.after))).toMatchObject({ name: '代写书信', acceptHours: 24 });
    await resident.goto(server.url + '/services');
    expect(await resident.locator('li', { hasText: '代写书信' }).textContent()).toContain('受理：当日（节假日顺延）');
  });

  step('staff take it off the menu: gone from /services, kept (已停用) in the console', async () => {
    await staff.goto(server.url + '/console/services');
    await staff.getByRole('button', { name: '停用“代写书信”' }).click();
    await expect.poll(() => staff.locator('#flash').textContent()).toContain('已停用');
    expect(await staff.locator('tr', { hasText: '代写书信' }).textContent()).toContain('已停用');
    expect(await item('代写书信')).toMatchObject({ active: 0 });
    await resident.goto(server.url + '/services');
    expect(await resident.content()).not.toContain('代写书信');
    await fitsWidth(resident);
  });

  step('a volunteer is refused the editor', async () => {
    const v = await pageAs('volunteer', 360);
    const res = await v.goto(server.url + '/console/services');
    expect(res?.status()).toBe(403);
    await closeAll();
  });
});
