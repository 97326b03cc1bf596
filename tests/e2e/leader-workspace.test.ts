// The leader's workspace in a browser (issue 18, items 8–11): the team page links everything a leader does and
// shows members' phones masked with an audited 显示号码; the hours queue starts unticked, confirms row by row
// and in bulk only after a step that shows the count, and fits a 360 px phone; the chosen public number appears
// on the team and event pages; the insurer's list only for an insured event, on a POST.
import { describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import ExcelJS from 'exceljs';
import { trustPortalHooks } from '../helpers/portal.ts';
import type { Actors, Q } from '../helpers/trust.ts';
import type { RunningServer } from '../helpers/server.ts';
import { fromShanghai, shanghaiDay } from '../../src/lib/time.ts';

let server: RunningServer;
let q: Q;
let actors: Actors;
let browser: Browser;
trustPortalHooks((p, b) => {
  ({ server, q, actors } = p);
  browser = b;
});

const SLUG = 'chengguan-red-vest';

async function leaderPage(width = 1280, large = false): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width, height: 800 } });
  const [name, value] = actors.cookies.leaderB.split('=');
  await ctx.addCookies([{ name, value, url: server.url }, ...(large ? [{ name: 'sx_large', value: '1', url: server.url }] : [])]);
  return { ctx, page: await ctx.newPage() };
}

/** Three pending leader-entered records for active members of team B other than its leader, days apart. */
async function threePending(content: string): Promise<number[]> {
  const members = await q.client.execute({
    sql: `SELECT user_id FROM team_members WHERE team_id = ? AND status = 'active' AND role = 'member' ORDER BY id LIMIT 3`,
    args: [actors.teamB],
  });
  const ids: number[] = [];
  for (const [i, r] of members.rows.entries()) {
    const day = shanghaiDay(Date.now() - (20 + i) * 86400_000);
    const rs = await q.client.execute({
      sql: `INSERT INTO hour_records (user_id, team_id, starts_at, ends_at, minutes, content, source, status, created_by, created_at)
            VALUES (?, ?, ?, ?, 60, ?, 'leader', 'pending', ?, ?) RETURNING id`,
      args: [r.user_id, actors.teamB, fromShanghai(day, '02:00'), fromShanghai(day, '03:00'), content, actors.ids.leaderB, Date.now()],
    });
    ids.push(Number(rs.rows[0].id));
  }
  return ids;
}

const statusOf = async (id: number) => String((await q.row('SELECT status FROM hour_records WHERE id = ?', [id]))!.status);

describe('item 9 and 11: the team page', () => {
  test('links events, join requests, hours, certificates and ledger; phones masked; 显示号码 shows one, audited', async () => {
    const { ctx, page } = await leaderPage();
    const res = await page.goto(`${server.url}/me/teams/${SLUG}`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['cache-control']).toContain('no-store');
    const nav = page.locator('nav[aria-label="队伍管理"]');
    for (const [text, href] of [
      ['活动', '#events'],
      ['入队申请', '#join-requests'],
      ['服务时长', '/hours#queue'],
      ['服务证明', '/hours#certificates'],
      ['台账', '/ledger'],
      ['服务点单', '/orders'],
    ]) {
      expect(await nav.locator(`a:has-text("${text}")`).getAttribute('href')).toBe(`/me/teams/${SLUG}${href}`);
    }
    const phones = (
      await q.client.execute({
        sql: `SELECT u.phone FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ? AND m.status IN ('active', 'pending') AND u.phone IS NOT NULL`,
        args: [actors.teamB],
      })
    ).rows.map((r) => String(r.phone));
    const html = await page.content();
    expect(phones.length).toBeGreaterThan(1);
    for (const p of phones) expect(html).not.toContain(p);

    const ownerPhone = String((await q.row('SELECT phone FROM users WHERE id = ?', [actors.ids.owner]))!.phone);
    const ownerName = String((await q.row('SELECT real_name FROM users WHERE id = ?', [actors.ids.owner]))!.real_name);
    const before = await q.one(`SELECT count(*) FROM audit_log WHERE action = 'team.reveal_phone'`);
    await page.locator(`button[aria-label="显示 ${ownerName} 的号码"]`).click();
    await expect.poll(() => page.locator('[data-testid="revealed-phone"]').textContent()).toBe(ownerPhone);
    expect(await q.one(`SELECT count(*) FROM audit_log WHERE action = 'team.reveal_phone' AND target_id = ?`, [String(actors.ids.owner)])).toBe(before + 1);
    // Only that member's number: the others stay masked.
    const after = await page.content();
    for (const p of phones.filter((x) => x !== ownerPhone)) expect(after).not.toContain(p);
    await ctx.close();
  });

  test('the public page of the team shows its leader the same links', async () => {
    const { ctx, page } = await leaderPage();
    await page.goto(`${server.url}/teams/${SLUG}`);
    expect(await page.locator('nav[aria-label="队伍管理"] a').count()).toBe(6);
    await ctx.close();
  });
});

describe('item 8: the number the leader chose is public on team and event pages', () => {
  test('a bad hotline is refused next to the field, input kept; a good one appears on the team page and its events', async () => {
    const { ctx, page } = await leaderPage(360);
    await page.goto(`${server.url}/me/teams/${SLUG}#contact`);
    await page.check('input[name="choice"][value="hotline"]');
    await page.fill('#f-hotline', '12345');
    const [bad] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('form:has(#f-hotline) button[type="submit"]')]);
    expect(bad.status()).toBe(400);
    expect(await page.textContent('#e-hotline')).toContain('请填写正确的电话号码');
    expect(await page.inputValue('#f-hotline')).toBe('12345');
    await page.fill('#f-hotline', '0838-6612345');
    await page.click('form:has(#f-hotline) button[type="submit"]');
    await page.waitForSelector('text=已保存');
    expect(await page.textContent('[data-testid="public-contact"]')).toBe('0838-6612345');

    const anon = await browser.newPage();
    await anon.goto(`${server.url}/teams/${SLUG}`);
    expect(await anon.textContent('[data-testid="organiser-contact"]')).toBe('0838-6612345');
    const event = await q.one(`SELECT id FROM events WHERE team_id = ? AND status = 'published' ORDER BY id LIMIT 1`, [actors.teamB]);
    await anon.goto(`${server.url}/events/${event}`);
    expect(await anon.textContent('[data-testid="organiser-contact"]')).toBe('0838-6612345');
    await anon.close();
    await ctx.close();
  });
});

describe('item 10: nothing is pre-ticked', () => {
  test('no ticked box; one row confirmed by its own button; two only through the step that shows the count', async () => {
    const [a, b, c] = await threePending('凌晨巡堤（工作区测试）');
    const { ctx, page } = await leaderPage(360);
    await page.goto(`${server.url}/me/teams/${SLUG}/hours`);
    // Queue first on a phone: the first section heading is 待确认, and the page does not scroll sideways.
    expect(await page.locator('main h2').first().textContent()).toMatch(/^待确认/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await page.locator('input[type="checkbox"]:checked').count()).toBe(0);

    await page.locator(`li[data-record="${a}"] button:has-text("确认")`).first().click();
    await page.waitForSelector('text=已确认 1 条记录');
    expect([await statusOf(a), await statusOf(b), await statusOf(c)]).toEqual(['confirmed', 'pending', 'pending']);
    expect(await page.locator('input[type="checkbox"]:checked').count()).toBe(0);

    await page.check(`li[data-record="${b}"] input[name="pick"]`);
    await page.check(`li[data-record="${c}"] input[name="pick"]`);
    await page.click('button:has-text("批量确认所选")');
    const review = page.locator('[data-testid="bulk-review"]');
    await expect.poll(() => review.textContent()).toContain('共 2 条记录');
    expect([await statusOf(b), await statusOf(c)]).toEqual(['pending', 'pending']);
    await review.locator('button:has-text("确认这 2 条记录")').click();
    await page.waitForSelector('text=已确认 2 条记录');
    expect([await statusOf(b), await statusOf(c)]).toEqual(['confirmed', 'confirmed']);
    await ctx.close();
  });

  test('不予确认 with a reason: declined, and the volunteer is told the reason', async () => {
    const [a] = await threePending('夜间值守（工作区测试）');
    const user = await q.one('SELECT user_id FROM hour_records WHERE id = ?', [a]);
    const { ctx, page } = await leaderPage(360, true);
    await page.goto(`${server.url}/me/teams/${SLUG}/hours`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.fill(`#dr-${a}`, '当晚未安排值守');
    await page.locator(`li[data-record="${a}"] button:has-text("不予确认")`).click();
    await page.waitForSelector('text=已将该记录标记为未通过');
    expect(await statusOf(a)).toBe('declined');
    const n = await q.row(`SELECT body FROM notices WHERE user_id = ? AND kind = 'hours.declined' ORDER BY id DESC LIMIT 1`, [user]);
    expect(String(n!.body)).toContain('当晚未安排值守');
    expect(String(n!.body)).toContain('夜间值守（工作区测试）');
    await ctx.close();
  });
});

describe("item 11: exports carry masks; the insurer's list only for an insured event, on a POST", () => {
  test('GET roster is masked; POST for an uninsured event 409; for an insured one the full list, audited', async () => {
    const { ctx, page } = await leaderPage();
    const ev = await q.one(`SELECT id FROM events WHERE team_id = ? AND status = 'published' ORDER BY id LIMIT 1`, [actors.teamB]);
    await q.client.execute({ sql: `UPDATE events SET insurance_policy = NULL WHERE id = ?`, args: [ev] });
    await q.client.execute({ sql: `INSERT OR IGNORE INTO signups (event_id, user_id, status, seq, created_at) VALUES (?, ?, 'confirmed', 999, ?)`, args: [ev, actors.ids.owner, Date.now()] });
    await q.client.execute({ sql: `UPDATE signups SET status = 'confirmed' WHERE event_id = ? AND user_id = ?`, args: [ev, actors.ids.owner] });
    const ownerPhone = String((await q.row('SELECT phone FROM users WHERE id = ?', [actors.ids.owner]))!.phone);
    const url = `${server.url}/me/teams/${SLUG}/events/${ev}/roster.xlsx`;
    await page.goto(`${server.url}/me/teams/${SLUG}/events/${ev}`);
    const cells = async (bytes: Buffer) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(bytes as unknown as ArrayBuffer);
      return wb.worksheets[0].getSheetValues().flat().map(String);
    };
    expect(await cells(await (await page.request.get(url)).body())).not.toContain(ownerPhone);
    // The event roster masks too; a member of the team can be revealed from it, one audited POST.
    expect(await page.content()).not.toContain(ownerPhone);
    const ownerName = String((await q.row('SELECT real_name FROM users WHERE id = ?', [actors.ids.owner]))!.real_name);
    await page.locator(`button[aria-label="显示 ${ownerName} 的号码"]`).click();
    await expect.poll(() => page.locator('[data-testid="revealed-phone"]').textContent()).toBe(ownerPhone);
    await page.goto(`${server.url}/me/teams/${SLUG}/events/${ev}`);
    const refused = await page.request.post(url, { form: { forInsurance: '1' }, headers: { Origin: server.url } });
    expect(refused.status()).toBe(409);
    expect(await refused.text()).toContain('未投保');

    await q.client.execute({ sql: `UPDATE events SET insurance_policy = 'PICC-2026-7788' WHERE id = ?`, args: [ev] });
    await page.goto(`${server.url}/me/teams/${SLUG}/events/${ev}`);
    expect(await page.textContent('[data-testid="insured"]')).toBe('已投保');
    const unticked = await page.request.post(url, { form: {}, headers: { Origin: server.url } });
    expect(unticked.status()).toBe(400);
    await page.click('summary:has-text("导出投保名单")');
    await page.check('input[name="forInsurance"]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("导出投保名单")')]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    expect(await cells(readFileSync(path))).toContain(ownerPhone);
    expect(await q.one(`SELECT count(*) FROM audit_log WHERE action = 'event.insurance_export' AND target_id = ?`, [String(ev)])).toBe(1);
    await ctx.close();
  });
});
