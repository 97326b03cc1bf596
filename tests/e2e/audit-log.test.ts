// Issue 17, item 4 in the browser: an administrator reads the audit log in Chinese on a phone and a desk
// screen, filters it with the GET form (no JavaScript needed), and downloads the XLSX; the download is
// itself audited and nobody else can read either.
import { beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { trustPortalHooks } from '../helpers/portal.ts';
import { getPage, type Actors, type Q } from '../helpers/trust.ts';
import type { RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let q: Q;
let actors: Actors;
let browser: Browser;
trustPortalHooks((p, b) => {
  ({ server, q, actors } = p);
  browser = b;
});

const startsAt = Date.UTC(2026, 10, 18, 6, 0); // 2026/11/18 14:00 in Beijing

beforeAll(async () => {
  const batch = await q.one('SELECT id FROM honor_batches ORDER BY id LIMIT 1');
  await q.client.execute({
    sql: "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, before, after) VALUES (?, ?, 'honors.batch.publish', 'honor_batch', ?, ?, ?)",
    args: [Date.UTC(2026, 10, 20, 1, 5), actors.ids.admin, String(batch), JSON.stringify({ status: 'review' }), JSON.stringify({ status: 'published' })],
  });
  await q.client.execute({
    sql: "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, after) VALUES (?, ?, 'hours.create.leader', 'hour_record', '1', ?)",
    args: [Date.UTC(2026, 10, 20, 2, 0), actors.ids.leaderB, JSON.stringify({ startsAt, endsAt: startsAt + 150 * 60_000, minutes: 150, status: 'pending' })],
  });
});

describe('the audit log page', () => {
  test.each([
    [360, false],
    [360, true],
    [1280, false],
  ])('at %i px (大字 %s): Chinese action names, operator name and role, Beijing times, nothing wider than the screen', async (width, large) => {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const [name, value] = actors.cookies.admin.split('=');
    await context.addCookies([{ name, value, url: server.url }, ...(large ? [{ name: 'sx_large', value: '1', url: server.url }] : [])]);
    const page = await context.newPage();
    await page.goto(`${server.url}/console/audit?from=2026-11-20&to=2026-11-20`);
    const text = await page.locator('.audit-list').innerText();
    expect(text).toContain('发布评选结果');
    expect(text).toContain('队长录入服务时长');
    expect(text).toContain('2026/11/18 14:00');
    expect(text).toContain('150 分钟（2.5 小时）');
    expect(text).toMatch(/李建华\s*（队伍负责人）/);
    expect(text).toMatch(/周文涛\s*（系统管理员）/);
    expect(text).not.toContain('honors.batch.publish');
    expect(text).not.toMatch(/\d{12,}/);
    expect(text).not.toContain('{"');
    // The operator's name is one line, not a column one character wide.
    const nameBox = await page.locator('.entry dd a', { hasText: '周文涛' }).first().boundingBox();
    expect(nameBox!.width).toBeGreaterThan(nameBox!.height * 1.5);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await context.close();
  });

  test('filters with the GET form, no JavaScript: person, object title, action', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const [name, value] = actors.cookies.admin.split('=');
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/console/audit`);
    await page.fill('#f-who', '李建华');
    await page.selectOption('#f-action', 'hours.');
    await page.click('form.filters-form button[type=submit]');
    expect(page.url()).toContain('who=');
    expect(await page.locator('.summary').innerText()).toContain('操作：服务时长（全部）；操作人：姓名含“李建华”');
    const text = await page.locator('.audit-list').innerText();
    expect(text).toContain('队长录入服务时长');
    expect(text).not.toContain('发布评选结果');
    expect(await page.inputValue('#f-who')).toBe('李建华');
    await context.close();
  });

  test('a bad date answers 400 with the message next to the field and the input kept', async () => {
    const r = await getPage(server, '/console/audit?from=2026-12-05&to=2026-12-01&who=%E6%9D%8E', actors.cookies.admin);
    expect(r.status).toBe(400);
    expect(r.body).toContain('截止日期不能早于起始日期');
    expect(r.body).toMatch(/id="f-who"[^>]*value="李"/);
  });
});

describe('the audit export', () => {
  test('downloads the filtered rows as XLSX and writes an audit row for the download', async () => {
    const before = await q.one("SELECT count(*) FROM audit_log WHERE action = 'audit.export'");
    const res = await fetch(`${server.url}/console/audit.xlsx?action=honors.`, { headers: { cookie: actors.cookies.admin } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('审计日志'));
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 2)]).toEqual([0x50, 0x4b]);
    expect(await q.one("SELECT count(*) FROM audit_log WHERE action = 'audit.export'")).toBe(before + 1);
    const row = await q.row("SELECT actor_id, after FROM audit_log WHERE action = 'audit.export' ORDER BY id DESC LIMIT 1");
    expect(Number(row!.actor_id)).toBe(actors.ids.admin);
    expect(String(row!.after)).toContain('评选表彰');
  });

  test.each(['editor', 'reviewer', 'leaderB'] as const)('%s may not read the log or export it', async (kind) => {
    for (const path of ['/console/audit', '/console/audit.xlsx']) expect((await getPage(server, path, actors.cookies[kind])).status).toBe(403);
  });
});
