// Loose ends of issues 17–19: a 403 from an export names the role (or the team) that opens it, the
// unfiltered article list is 全部文章 and an article's breadcrumb names its own channel, a print
// page honours 大字模式 on screen but not on paper.
import { describe, expect, test } from 'vitest';
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

describe('a refused export says which role opens it and who grants it', () => {
  test.each([
    ['/console/ledger.xlsx', 'volunteer', /此页面需要以下角色[\s\S]*系统管理员/],
    ['/console/audit.xlsx', 'editor', /此页面需要以下角色[\s\S]*系统管理员/],
    ['/me/teams/chengguan-red-vest/ledger.xlsx', 'leaderA', /城关[^<]*」的负责人（队长、副队长）[\s\S]*队长在“我的队伍”中任命/],
    ['/me/teams/chengguan-red-vest/hours', 'volunteer', /的负责人（队长、副队长）/],
  ] as const)('%s as %s', async (path, kind, says) => {
    const res = await getPage(server, path, actors.cookies[kind]);
    expect(res.status).toBe(403);
    expect(res.body).toMatch(says);
    expect(res.body).not.toContain('您的账号没有访问此页面的权限');
  });
});

describe('articles', () => {
  test('the unfiltered list is 全部文章; a channel keeps its own name', async () => {
    const all = await getPage(server, '/articles');
    expect(all.body).toMatch(/<h1[^>]*>全部文章<\/h1>/);
    expect(all.body).toMatch(/<title>全部文章/);
    const typical = await getPage(server, '/articles?channel=typical');
    expect(typical.body).toMatch(/<h1[^>]*>典型宣传<\/h1>/);
  });
  test('an article of 典型宣传 is not filed under 新闻动态 in its breadcrumb', async () => {
    const slug = await q.row("SELECT slug FROM articles WHERE status = 'published' AND channel = 'typical' ORDER BY id LIMIT 1");
    expect(slug).toBeTruthy();
    const page = await getPage(server, `/articles/${slug!.slug}`);
    const crumb = page.body.match(/<p class="breadcrumb"[^>]*>([\s\S]*?)<\/p>/)![1].replace(/<[^>]+>/g, '');
    expect(crumb).toBe('全部文章 › 典型宣传');
  });
});

describe('demo team contacts', () => {
  test('a demo team page and its event page show the team hotline', async () => {
    const team = await getPage(server, '/teams/chengguan-red-vest');
    expect(team.body).toMatch(/联系电话：<a href="tel:0838-6212345"[^>]*>0838-6212345<\/a>（队伍联系电话）/);
    const event = await q.one("SELECT e.id FROM events e JOIN teams t ON t.id = e.team_id WHERE t.slug = 'yunxi-medical-volunteers' AND e.status = 'published' ORDER BY e.id LIMIT 1");
    const page = await getPage(server, `/events/${event}`);
    expect(page.body).toMatch(/联系电话<\/th><td[^>]*><a href="tel:0838-6251120"/);
  });
});

describe('print pages in 大字模式', () => {
  test('the certificate print view is larger on screen, unchanged on paper', async () => {
    const cert = await q.row("SELECT id FROM certificates WHERE status = 'issued' AND user_id = ? ORDER BY id LIMIT 1", [actors.ids.owner]);
    expect(cert, 'the owner has an issued certificate').toBeTruthy();
    const heights: Record<string, number> = {};
    for (const large of [false, true]) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const [name, value] = actors.cookies.owner.split('=');
      await context.addCookies([{ name, value, url: server.url }, ...(large ? [{ name: 'sx_large', value: '1', url: server.url }] : [])]);
      const page = await context.newPage();
      await page.goto(`${server.url}/me/certificates/${cert!.id}/print`);
      const h1 = () =>
        page
          .locator('h1')
          .first()
          .evaluate((e) => e.getBoundingClientRect().height);
      heights[`screen ${large}`] = await h1();
      await page.emulateMedia({ media: 'print' });
      heights[`print ${large}`] = await h1();
      await context.close();
    }
    expect(heights['screen true'] / heights['screen false']).toBeGreaterThan(1.2);
    expect(heights['print true']).toBeCloseTo(heights['print false'], 1);
  });
});
