// 好人榜 end to end in Chromium: nominate → candidate → 公示 with a like → 终审 → on /honors; the phone never shows.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { signInContext, userIdByPhoneAt } from '../helpers/session.ts';
import { openDb } from '../../db/client.ts';

let server: RunningServer;
let browser: Browser;
let visitor: BrowserContext;
let editor: BrowserContext;
let reviewer: BrowserContext;

const PHONE = '13877776666';
const NOMINEE = '测试好人甲';
const DEEDS = '去年冬天河边有小孩落水，测试好人甲不顾寒冷跳进冰冷的河水里把孩子救上岸，又把孩子背到村卫生室，之后一直没有留下姓名，直到孩子家长多方打听才找到他。';

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  visitor = await browser.newContext();
  editor = await browser.newContext();
  reviewer = await browser.newContext();
  await signInContext(editor, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, '13900000002'));
  await signInContext(reviewer, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, '13900000004'));
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function likeCount(page: Page, name: string): Promise<number> {
  const card = page.locator('article.card', { hasText: name });
  return Number(await card.locator('[data-likes]').textContent());
}

describe('the honor roll pipeline', () => {
  let trackingNo = '';
  let batchUrl = '';

  test('a visitor nominates and reads the tracking number', async () => {
    const page = await visitor.newPage();
    await page.goto(server.url + '/honors/nominate');
    // a short deeds text is refused in place, with what was typed kept
    await page.fill('#f-nominatorName', '王大姐');
    await page.fill('#f-nominatorPhone', PHONE);
    await page.fill('#f-relation', '邻居');
    await page.fill('#f-nomineeName', NOMINEE);
    await page.selectOption('#f-townId', { index: 1 });
    await page.selectOption('#f-category', '见义勇为');
    await page.fill('#f-deeds', '他救了人。');
    const bad = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[type=submit]')]);
    expect(bad[0].status()).toBe(400);
    expect(await page.textContent('#e-deeds')).toContain('至少 50 字');
    expect(await page.inputValue('#f-nomineeName')).toBe(NOMINEE);
    await page.fill('#f-deeds', DEEDS);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/honors\/nominate\?no=/);
    trackingNo = (await page.textContent('#tracking-no'))!.trim();
    expect(trackingNo).toMatch(/^TJ-\d{4}-[A-Z2-9]{6}$/);
    expect(await page.content()).not.toContain(PHONE);
    await page.close();
  });

  test('an editor turns the nomination into a candidate in a new batch and starts 公示', async () => {
    const page = await editor.newPage();
    await page.goto(server.url + '/console/honors');
    await page.fill('#f-title', '2026年第四季度测试好人榜');
    await page.fill('#f-period', '2026年第四季度');
    await page.click('button:has-text("创建批次")');
    await page.waitForURL(/\/console\/honors\/batches\/\d+\?ok=created/);
    batchUrl = page.url().split('?')[0];

    await page.goto(server.url + '/console/nominations');
    const html = await page.content();
    expect(html).toContain('138****6666');
    expect(html).not.toContain(PHONE);
    await page.click(`a:has-text("${trackingNo}")`);
    expect(await page.content()).not.toContain(PHONE);
    await page.selectOption('#f-batchId', { label: '2026年第四季度测试好人榜' });
    await page.click('button:has-text("转为候选人")');
    await page.waitForURL(/\/console\/honors\/\d+\?ok=fromNomination/);
    expect(await page.inputValue('#f-name')).toBe(NOMINEE);
    // 公示 needs the consent record
    await page.fill('#f-consentBy', '本人');
    await page.fill('#f-consentAt', '2026-11-20');
    await page.fill('#f-consentMethod', '书面同意书');
    await page.check('input[name=nameConsent]');
    await page.click('button:has-text("保存")');
    await page.waitForURL(/ok=saved/);

    await page.goto(batchUrl);
    await page.click('button:has-text("开始公示")');
    await page.waitForURL(/ok=publicity/);
    expect(await page.textContent('main')).toContain('公示中');
    await page.close();
  });

  test('a visitor likes the candidate once a day', async () => {
    const page = await visitor.newPage();
    await page.goto(server.url + '/honors/candidates');
    const before = await likeCount(page, NOMINEE);
    await page.locator('article.card', { hasText: NOMINEE }).locator('button').click();
    await page.waitForURL(/liked=/);
    expect(await likeCount(page, NOMINEE)).toBe(before + 1);
    expect(await page.textContent('main')).toContain('点赞成功');
    await page.locator('article.card', { hasText: NOMINEE }).locator('button').click();
    await page.waitForURL(/again=/);
    expect(await likeCount(page, NOMINEE)).toBe(before + 1);
    const cookies = await visitor.cookies();
    expect(cookies.find((c) => c.name === 'sx_visitor')?.httpOnly).toBe(true);
    // Only the 公示 page sees it: every other page stays in the page cache for this visitor.
    expect(cookies.find((c) => c.name === 'sx_visitor')?.path).toBe('/honors/candidates');
    await page.close();
  });

  test('公示 cannot be cut short; once it has run its course the editor states how it went and submits', async () => {
    const page = await editor.newPage();
    await page.goto(batchUrl);
    expect(await page.textContent('main')).toContain('公示期满后才能提交终审');
    expect(await page.locator('button:has-text("提交终审")').count()).toBe(0);
    // A forged POST before the end date is refused too, and the candidates stay on the public page.
    const batchId = Number(new URL(batchUrl).pathname.split('/').pop());
    const early = await page.request.post(`${server.url}/console/honors/batches/${batchId}?_action=honors.submitForReview`, {
      form: { id: String(batchId), opinion: '公示期满，提交终审' },
      headers: { Origin: server.url },
    });
    expect(early.status()).toBe(409);
    expect(await early.text()).toContain('公示期满后才能提交终审');
    const pub = await visitor.newPage();
    await pub.goto(server.url + '/honors/candidates');
    expect(await pub.textContent('main')).toContain(NOMINEE);
    await pub.close();
    // Ten days pass: the 公示 window moves into the past.
    const db = await openDb({ url: server.dbUrl });
    await db.$client.execute({
      sql: 'UPDATE honor_batches SET publicity_starts_at = publicity_starts_at - 11 * 86400000, publicity_ends_at = publicity_ends_at - 11 * 86400000 WHERE id = ?',
      args: [batchId],
    });
    db.$client.close();
    await page.goto(batchUrl);
    expect(await page.inputValue('#f-opinion')).toBe('');
    const empty = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button:has-text("提交终审")')]);
    expect(empty[0].status()).toBe(400);
    expect(await page.textContent('#e-opinion')).toContain('请填写公示情况说明');
    await page.fill('#f-opinion', '公示期间未收到异议。');
    await page.click('button:has-text("提交终审")');
    await page.waitForURL(/ok=submitted/);
    expect(await page.textContent('main')).toContain('公示期间未收到异议。');
    await page.close();
  });

  test('a reviewer publishes the batch', async () => {
    const rpage = await reviewer.newPage();
    await rpage.goto(batchUrl);
    await rpage.fill('#f-opinion', '经公示无异议，同意发布。');
    await rpage.click('button:has-text("提交终审意见")');
    await rpage.waitForURL(/ok=published/);
    expect(await rpage.textContent('main')).toContain('已发布');
    await rpage.close();
  });

  test('the honoree appears on /honors under its category filter, and no page shows the phone', async () => {
    const page = await visitor.newPage();
    await page.goto(server.url + '/honors');
    await page.click('ul[aria-labelledby="f-cat"] a:has-text("见义勇为")');
    await page.waitForURL(/category=/);
    const card = page.locator('article.card', { hasText: NOMINEE });
    await expect(card.count()).resolves.toBe(1);
    await card.locator('a').first().click();
    await page.waitForURL(/\/honors\/h-[a-z0-9]+$/);
    expect(await page.textContent('h1')).toContain(NOMINEE);
    expect(await page.getAttribute('meta[property="og:title"]', 'content')).toContain(NOMINEE);
    const honoreePath = new URL(page.url()).pathname;
    await page.close();

    const publicPaths = ['/', '/honors', '/honors?category=' + encodeURIComponent('见义勇为'), '/honors/candidates', honoreePath, '/honors/nominate', '/rss.xml', '/sitemap.xml'];
    for (const p of publicPaths) {
      const res = await fetch(server.url + p);
      expect(await res.text(), p).not.toContain(PHONE);
    }
    const staff = await editor.newPage();
    for (const p of ['/console/nominations?status=accepted', '/console/honors', batchUrl.replace(server.url, '')]) {
      await staff.goto(server.url + p);
      expect(await staff.content(), p).not.toContain(PHONE);
    }
    await staff.close();
  });
});

describe('public submit actions are robust to bad input', () => {
  const post = (path: string, action: string, body: Record<string, string>) =>
    fetch(`${server.url}${path}?_action=${action}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
      body: new URLSearchParams(body).toString(),
    });

  test.each([
    ['like without a candidate', '/honors/candidates', 'honors.like', {}, 400],
    ['like with a non-number', '/honors/candidates', 'honors.like', { honoreeId: 'abc' }, 400],
    ['like for someone not in 公示', '/honors/candidates', 'honors.like', { honoreeId: '1' }, 404],
    ['objection with too little text', '/honors/objection', 'honors.objection', { honoreeId: '1', text: '不对' }, 400],
    ['objection for someone not in 公示', '/honors/objection', 'honors.objection', { honoreeId: '999999', text: '这位候选人的事迹与事实不符，请核查。' }, 404],
    [
      'nomination with a bad phone and region',
      '/honors/nominate',
      'honors.nominate',
      { nominatorName: '甲', nominatorPhone: '12', relation: '邻居', nomineeName: '乙', townId: 'x', category: '助人为乐', deeds: '好'.repeat(60) },
      400,
    ],
    [
      'nomination with an unknown category',
      '/honors/nominate',
      'honors.nominate',
      { nominatorName: '甲', nominatorPhone: '13800001111', relation: '邻居', nomineeName: '乙', townId: '2', category: '<script>', deeds: '好'.repeat(60) },
      400,
    ],
  ] as const)('%s answers %i in Chinese', async (_title, path, action, body, status) => {
    const res = await post(path, action, body as Record<string, string>);
    expect(res.status).toBe(status);
    const html = await res.text();
    expect(html).toMatch(/[\u4e00-\u9fff]{4,}/);
    expect(html).not.toContain('<script>');
  });

  test('a filled honeypot looks accepted but stores nothing', async () => {
    const res = await post('/honors/nominate', 'honors.nominate', {
      nominatorName: '机器人',
      nominatorPhone: '13800002222',
      relation: '邻居',
      nomineeName: '蜜罐测试',
      townId: '2',
      category: '助人为乐',
      deeds: '好'.repeat(60),
      website: 'http://spam.example',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/\/honors\/nominate\?no=TJ-/);
    const staff = await editor.newPage();
    await staff.goto(server.url + '/console/nominations?status=new');
    expect(await staff.content()).not.toContain('蜜罐测试');
    await staff.close();
  });
});
