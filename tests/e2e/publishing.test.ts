import { describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import type { RunningServer } from '../helpers/server.ts';
import { flow } from '../helpers/flow.ts';
import { portalHooks } from '../helpers/portal.ts';
import { sessionCookieFor, signInContext, userIdByPhoneAt } from '../helpers/session.ts';
import { openDb } from '../../db/client.ts';
import { XSS_PAYLOADS } from '../fixtures/publishing-xss-payloads.ts';
import { XSS_PAYLOADS as SHARED_XSS_PAYLOADS } from '../fixtures/xss-payloads.ts';

let server: RunningServer;
let browser: Browser;

portalHooks((s, b) => {
  server = s;
  browser = b;
});

async function as(phone: string, opts: { javaScriptEnabled?: boolean } = {}): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext(opts);
  await signInContext(ctx, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, phone));
  return { ctx, page: await ctx.newPage() };
}

describe('publishing in the browser', () => {
  flow('an editor writes an article with an image; two reviewers approve; it is on /articles and in /rss.xml', (step) => {
    let editor: { ctx: BrowserContext; page: Page };
    let snippet: string;
    let articleUrl: string;
    const title = '清水河志愿者开展河道清理活动';

    step('the editor uploads an image to the media library', async () => {
      // Without JavaScript: the plain form (Markdown textarea, server preview) must keep working.
      editor = await as('13900000002', { javaScriptEnabled: false });
      const { page } = editor;
      await page.goto(server.url + '/console/media');
      const jpg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#d33' } })
        .jpeg()
        .toBuffer();
      await page.setInputFiles('#file', { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpg });
      await page.fill('#alt', '志愿者在河边清理垃圾');
      await page.click('button:has-text("上传")');
      await page.waitForURL(/uploaded=\d+/);
      expect(await page.textContent('main')).toContain('已去除拍摄信息');
      snippet = (await page.locator('figcaption code').first().textContent())!;
      expect(snippet).toMatch(/^!\[志愿者在河边清理垃圾\]\(\/media\/[a-z0-9]+-960\.webp\)$/);
    });

    step('the editor writes the article and previews it without JavaScript', async () => {
      const { page } = editor;
      await page.goto(server.url + '/console/articles/new');
      await page.fill('#title', title);
      await page.selectOption('#channel', 'news');
      await page.fill('#summary', '40 名志愿者清理河岸垃圾。');
      await page.locator('input[name="coverMediaId"]:not([value=""])').first().check();
      await page.fill('#body', `## 活动现场\n\n周六上午，志愿者们沿河岸清理垃圾。\n\n${snippet}`);
      await page.fill('#tags', '河长制、环境保护');
      await page.click('button[value="preview"]');
      expect(await page.textContent('#preview-h')).toContain('预览');
      expect(await page.locator('.preview .prose img').getAttribute('alt')).toBe('志愿者在河边清理垃圾');
      expect(await page.locator('.preview figure.cover img').getAttribute('alt')).toBe('志愿者在河边清理垃圾');
      expect(await page.inputValue('#title')).toBe(title);
    });

    step('the editor submits it for review', async () => {
      const { page } = editor;
      await page.click('button[value="submit"]');
      await page.waitForURL(/\/console\/articles\/\d+\?done=submitted/);
      articleUrl = page.url().split('?')[0];
      expect(await page.textContent('main')).toContain('已提交审核');
    });

    step('the editor finds no approve button, and a forged approval is refused', async () => {
      const { ctx, page } = editor;
      expect(await page.locator('button[value="approve"]').count()).toBe(0);
      const id = articleUrl.split('/').pop()!;
      const { cookie } = await sessionCookieFor(server.dbUrl, await userIdByPhoneAt(server.dbUrl, '13900000002'));
      const forged = await fetch(`${articleUrl}?_action=articles.review`, {
        method: 'POST',
        headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: `id=${id}&decision=approve&opinion=`,
        redirect: 'manual',
      });
      expect(forged.status).toBe(403);
      await ctx.close();
    });

    step('two different reviewers approve it: 初审, then 终审', async () => {
      for (const [phone, button] of [
        ['13900000003', '通过，送下一级'],
        ['13900000004', '终审通过并发布'],
      ]) {
        const r = await as(phone);
        await r.page.goto(articleUrl);
        await r.page.fill('#opinion', '同意');
        await r.page.click(`button:has-text("${button}")`);
        await r.page.waitForURL(/done=/);
        await r.ctx.close();
      }
    });

    step('readers find it on /articles and in /rss.xml', async () => {
      const list = await (await fetch(server.url + '/articles')).text();
      expect(list).toContain(title);
      const rss = await fetch(server.url + '/rss.xml');
      expect(rss.headers.get('content-type')).toContain('application/rss+xml');
      expect(await rss.text()).toContain(`<title>${title}</title>`);
    });

    step('a reader opens it: Open Graph image, lazy cover with dimensions, the body image served safely', async () => {
      const anon = await browser.newPage();
      await anon.goto(server.url + '/articles');
      await anon.click(`a:has-text("${title}")`);
      expect(await anon.textContent('h1')).toBe(title);
      expect(await anon.getAttribute('meta[property="og:image"]', 'content')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\/[a-z0-9]+-\d+\.webp$/);
      const cover = anon.locator('figure.cover img');
      expect(await cover.getAttribute('loading')).toBe('lazy');
      expect(await cover.getAttribute('width')).toBe('1200');
      const imgSrc = (await anon.locator('.prose img').getAttribute('src'))!;
      const img = await fetch(server.url + imgSrc);
      expect(img.headers.get('content-type')).toBe('image/webp');
      expect(img.headers.get('x-content-type-options')).toBe('nosniff');
      // Public while the article is published, and cached briefly only: withdrawing it must reach readers (docs/decisions/076).
      expect(img.headers.get('cache-control')).toBe('public, max-age=60');
      expect(img.headers.get('content-security-policy')).toContain('sandbox');
      await anon.close();
    });

    step('a reviewer prints the review form, which lists both reviewers', async () => {
      const r = await as('13900000003');
      await r.page.goto(articleUrl + '/form');
      const form = (await r.page.textContent('body'))!;
      expect(form).toContain('信息发布审核表');
      expect(form).toContain('郑国平');
      expect(form).toContain('邓雅琴');
      await r.ctx.close();
    });
  });

  test('personal data blocks submission with 400; one click masks it; then it submits', async () => {
    const { ctx, page } = await as('13900000002');
    await page.goto(server.url + '/console/articles/new');
    await page.fill('#title', '寻找失主启事');
    await page.fill('#body', '请失主联系张先生，电话13812341234。');
    // Attachments are checked by content: a text file named .pdf is refused, a real PDF is kept.
    await page.setInputFiles('#newAttachments', { name: '通知.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not a pdf') });
    const [bad] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[value="save"]')]);
    expect(bad.status()).toBe(400);
    expect(await page.textContent('[role="alert"]')).toContain('不是 PDF、DOCX 或 XLSX');
    await page.setInputFiles('#newAttachments', { name: '失物清单.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await page.click('button[value="save"]');
    await page.waitForURL(/\/edit\?saved=1/);
    expect(await page.textContent('a[href^="/media/"]')).toBe('失物清单.pdf');
    const [resp] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[value="submit"]')]);
    expect(resp.status()).toBe(400);
    expect(await page.textContent('#pii-h')).toContain('1 处');
    expect(await page.textContent('main')).toContain('→ 138****1234');
    await page.click('button:has-text("遮挡")');
    await page.waitForURL(/saved=masked/);
    // The rich-text editor's body is HTML: the number is masked inside it, the markup kept.
    expect(await page.inputValue('#body-source')).toBe('<p>请失主联系张先生，电话138****1234。</p>');
    expect(await page.textContent('a[href^="/media/"]')).toBe('失物清单.pdf');
    await page.click('button[value="submit"]');
    await page.waitForURL(/done=submitted/);
    await ctx.close();
  });

  test('editing a live article creates a revision with a diff; the live page keeps the old text', async () => {
    const { ctx, page } = await as('13900000002');
    await page.goto(server.url + '/articles');
    const href = (await page.locator('main .list a').first().getAttribute('href'))!;
    const liveTitle = (await page.locator('main .list a').first().textContent())!.trim();
    const db = await openDb({ url: server.dbUrl });
    const rs = await db.$client.execute({ sql: 'SELECT id FROM articles WHERE slug = ?', args: [href.split('/').pop()!] });
    db.$client.close();
    const id = Number(rs.rows[0].id);
    await page.goto(`${server.url}/console/articles/${id}/edit`);
    expect(await page.textContent('main')).toContain('修改稿');
    await page.fill('#title', liveTitle + '（更正）');
    await page.click('button[value="save"]');
    await page.waitForURL(/saved=1/);
    await page.goto(`${server.url}/console/articles/${id}`);
    const revLink = page.locator('a:has-text("查看差异")').first();
    await revLink.click();
    expect(await page.locator('.diff .add').allTextContents()).toEqual([`标题：${liveTitle}（更正）`]);
    expect(await page.locator('.diff .del').allTextContents()).toEqual([`标题：${liveTitle}`]);
    expect(await (await fetch(server.url + href)).text()).toContain(`<h1>${liveTitle}</h1>`);
    await ctx.close();
  });

  test('Markdown XSS payloads on a published article page run nothing', async () => {
    const db = await openDb({ url: server.dbUrl });
    await db.$client.execute({
      sql: `INSERT INTO articles (slug, channel, title, summary, body, status, published_at, created_at) VALUES ('xss-check', 'news', ?, ?, ?, 'published', ?, ?)`,
      args: ['<script>alert(1)</script>标题', '"><img src=x onerror=alert(1)>', [...XSS_PAYLOADS, ...SHARED_XSS_PAYLOADS].join('\n\n'), Date.now(), Date.now()],
    });
    db.$client.close();
    const page = await browser.newPage();
    let dialogs = 0;
    page.on('dialog', async (d) => {
      dialogs++;
      await d.dismiss();
    });
    // The shared corpus calls window.__xss(n) when a payload runs.
    await page.addInitScript(() => {
      (window as unknown as { __xss: () => void; __hits: number }).__hits = 0;
      (window as unknown as { __xss: () => void }).__xss = () => {
        (window as unknown as { __hits: number }).__hits++;
      };
    });
    await page.goto(server.url + '/articles/xss-check');
    await page.waitForLoadState('load');
    const found = await page.evaluate(() => {
      const main = document.querySelector('main')!;
      const bad: string[] = [];
      for (const el of main.querySelectorAll('*')) {
        if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'FORM', 'INPUT', 'STYLE', 'LINK', 'META', 'BASE', 'DETAILS', 'VIDEO', 'MATH', 'TEMPLATE'].includes(el.tagName.toUpperCase()))
          bad.push(el.tagName);
        for (const a of el.attributes) {
          if (a.name.startsWith('on') || a.name === 'style') bad.push(`${el.tagName}@${a.name}`);
          if ((a.name === 'href' || a.name === 'src') && /^\s*(javascript|data|vbscript):/i.test(a.value)) bad.push(`${el.tagName}@${a.name}=${a.value}`);
        }
      }
      return bad;
    });
    expect(found).toEqual([]);
    expect(dialogs).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __hits: number }).__hits)).toBe(0);
    expect(await page.textContent('h1')).toBe('<script>alert(1)</script>标题');
    await page.close();
  });

  // 点单式普法 is a category of the 四单 loop (docs/decisions/101): the same order page, number and rating on /track.
  flow('a lecture order is dispatched to a lecturer, becomes an event, is delivered and rated on /track', (step) => {
    let trackingNo: string;
    let editor: { ctx: BrowserContext; page: Page };
    let resident: { ctx: BrowserContext; page: Page };
    const fits = async (page: Page) => expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);

    step('a village orders a lecture on a phone without JavaScript and gets a tracking number', async () => {
      const ctx = await browser.newContext({ viewport: { width: 360, height: 800 }, javaScriptEnabled: false });
      resident = { ctx, page: await ctx.newPage() };
      const page = resident.page;
      await page.goto(server.url + '/legal/order?topic=' + encodeURIComponent('反电信诈骗'));
      await page.selectOption('#townId', { index: 1 });
      const townName = (await page.locator('#townId option:checked').textContent())!;
      const village = await page.locator(`#villageId optgroup[label="${townName}"] option`).first().getAttribute('value');
      await page.selectOption('#villageId', village!);
      await page.fill('#audienceExpected', '60');
      await page.fill('#preferredDates', '下周三上午');
      await page.fill('#requesterName', '王主任');
      await page.fill('#requesterPhone', '13812345678');
      await page.fill('#organisation', '村民委员会');
      await page.click('button:has-text("提交预约")');
      expect(await page.textContent('#audienceType-error')).toBe('请选择听众类型');
      expect(await page.inputValue('#requesterName')).toBe('王主任');
      await fits(page);
      await page.selectOption('#audienceType', '老年人');
      await page.click('button:has-text("提交预约")');
      await page.waitForURL(/\/services\/ordered\?no=/);
      trackingNo = String(await page.getByTestId('tracking-no').textContent()).trim();
      expect(trackingNo).toMatch(/^DD-\d{4}-[A-Z0-9]{6}$/);
      await fits(page);
    });

    step('the editor finds it under 普法点单, accepts it and dispatches it to a lecturer, publishing the event', async () => {
      editor = await as('13900000002');
      const ed = editor.page;
      await ed.setViewportSize({ width: 1280, height: 900 });
      await ed.goto(server.url + '/console/lectures?status=new');
      await ed.click(`a:has-text("${trackingNo}")`);
      expect(await ed.textContent('main')).toContain('预计 60 人，主要是老年人');
      await ed.click('button:has-text("受理")');
      await ed.waitForSelector('h1 .tag:has-text("已受理")');
      await ed.selectOption('#lecturerId', { index: 1 });
      await ed.click('button:has-text("指派并发布活动")');
      await ed.waitForSelector('text=查看活动页面');
      await fits(ed);
      const eventHref = (await ed.locator('a:has-text("查看活动页面")').getAttribute('href'))!;
      const events = await (await fetch(server.url + '/events?category=' + encodeURIComponent('普法讲座'))).text();
      expect(events).toContain(`href="${eventHref}"`);
    });

    step('the editor records the lecture as given, with its audience', async () => {
      const ed = editor.page;
      await ed.fill('#audience', '58');
      await ed.click('button:has-text("登记开讲")');
      await ed.waitForSelector('text=实际听众');
      expect(await ed.textContent('h1 .tag')).toBe('已办结，待评价');
    });

    step('the requester tracks the number, reads the dated steps and rates the lecture', async () => {
      const page = resident.page;
      await page.goto(server.url + '/track');
      await page.getByLabel('受理编号').fill(trackingNo);
      await page.getByLabel('手机号码后四位').fill('5678');
      await page.getByRole('button', { name: '查询' }).click();
      const text = String(await page.locator('.track-result').textContent());
      for (const t of ['普法讲座预约', '网上预约普法讲座：反电信诈骗', '已受理', '已安排主讲人', '讲座已开讲，听众 58 人']) expect(text).toContain(t);
      await fits(page);
      await page.getByLabel('5 星').check();
      await page.getByLabel('想说的话（可选）').fill('讲得很实用，老人们都说好。');
      await page.getByRole('button', { name: '提交评价' }).click();
      expect(await page.locator('#flash').textContent()).toContain('感谢您的评价');
      await resident.ctx.close();
    });

    step('the editor sees the rating, and /legal counts the lectures given', async () => {
      const { ctx, page: ed } = editor;
      await ed.reload();
      expect(await ed.textContent('main')).toContain('讲得很实用');
      await ctx.close();
      const legal = await (await fetch(server.url + '/legal')).text();
      expect(legal).toMatch(/累计讲座<b>\d+ 场<\/b>/);
    });
  });

  test('/sitemap.xml and a channel feed are well-formed', async () => {
    const sm = await (await fetch(server.url + '/sitemap.xml')).text();
    expect(sm).toContain('<urlset');
    for (const part of ['/articles/', '/honors/', '/teams/', '/events/', '/legal/', '/about']) expect(sm).toContain(part);
    const feed = await fetch(server.url + '/rss/legal.xml');
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('普法课堂');
    expect((await fetch(server.url + '/rss/nope.xml')).status).toBe(404);
  });
});
