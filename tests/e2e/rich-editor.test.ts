// Issue 17 item 3: writing like 秀米. An editor pastes a document made in Word (LibreOffice writes the
// .docx and gives back the HTML Word puts on the clipboard), adds an image inline, picks the cover by
// its thumbnail, previews at phone and desktop width, submits; two reviewers publish it; readers get
// only allow-listed HTML and no JavaScript; a readable address that can change, the old one 301.
import { describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import type { RunningServer } from '../helpers/server.ts';
import { flow } from '../helpers/flow.ts';
import { portalHooks } from '../helpers/portal.ts';
import { signInContext, userIdByPhoneAt } from '../helpers/session.ts';
import { openDb } from '../../db/client.ts';

const run = promisify(execFile);
let server: RunningServer;
let browser: Browser;
portalHooks((s, b) => {
  server = s;
  browser = b;
});

const SHOTS = process.env.EDITOR_SHOTS_DIR;

async function as(phone: string, opts: { viewport?: { width: number; height: number }; large?: boolean } = {}): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 900 } });
  await signInContext(ctx, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, phone));
  if (opts.large) await ctx.addCookies([{ name: 'sx_large', value: '1', url: server.url }]);
  return { ctx, page: await ctx.newPage() };
}

async function dbRow(sqlText: string, args: (string | number)[] = []) {
  const db = await openDb({ url: server.dbUrl });
  try {
    return (await db.$client.execute({ sql: sqlText, args })).rows[0];
  } finally {
    db.$client.close();
  }
}

/** The page is no wider than its screen (nothing to scroll sideways). */
async function fitsScreen(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/** Pastes HTML into the editor the way a browser does when the clipboard holds Word's text/html. */
async function pasteHtml(page: Page, html: string) {
  await page.click('#body');
  await page.evaluate((h) => {
    const dt = new DataTransfer();
    dt.setData('text/html', h);
    dt.setData('text/plain', 'plain');
    document.querySelector('#body')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, html);
}

const WORD_SOURCE = `<!doctype html><html><head><meta charset="utf-8"><title>总结</title></head><body>
<h1>城关镇志愿服务月度总结</h1>
<p>本月共开展活动 <b>十二场</b>，参与志愿者 <i>三百人次</i>。</p>
<h2>主要活动</h2>
<ul><li>清理河道垃圾</li><li>敬老院助餐</li></ul>
<ol><li>集合签到</li><li>分组服务</li></ol>
<table border="1"><tr><th>项目</th><th>人数</th></tr><tr><td>河道清理</td><td>40</td></tr></table>
</body></html>`;

// What Word itself adds on the clipboard around such content (LibreOffice's export has no mso- markup).
const WORD_CLUTTER = `<p class=MsoNormal style='mso-margin-top-alt:auto;mso-bidi-font-family:Calibri'><span lang=ZH-CN style='font-family:宋体;mso-ascii-font-family:Calibri'>联系人：县文明办<o:p></o:p></span></p><p class=MsoNormal><img width=200 height=100 src="file:///C:/Users/a/AppData/Local/Temp/msohtmlclip1/01/clip_image002.jpg"></p>`;

describe('the rich-text editor', () => {
  flow('an editor pastes a Word document, adds an inline image, previews and submits; it is published as written', (step) => {
    let clipboard = '';
    let editor: { ctx: BrowserContext; page: Page };
    let articleId = 0;
    let inlineSrc = '';
    const title = 'Qingshui River 志愿服务月度总结';

    step(
      'LibreOffice makes a Word file, and gives back the HTML Word puts on the clipboard',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'sx-docx-'));
        writeFileSync(join(dir, 'summary.html'), WORD_SOURCE);
        const env = { ...process.env, HOME: dir };
        await run('soffice', ['--headless', '--convert-to', 'docx:MS Word 2007 XML', 'summary.html', '--outdir', join(dir, 'docx')], { cwd: dir, env, timeout: 60_000 });
        await run('soffice', ['--headless', '--convert-to', 'html', join(dir, 'docx', 'summary.docx'), '--outdir', join(dir, 'back')], { cwd: dir, env, timeout: 60_000 });
        const html = readFileSync(join(dir, 'back', 'summary.html'), 'utf8');
        expect(html).toContain('<table');
        expect(html).toMatch(/class="(western|cjk)"/);
        clipboard = `<html xmlns:o="urn:schemas-microsoft-com:office:office"><body><!--StartFragment-->${html.replace(/^[\s\S]*<body[^>]*>|<\/body>[\s\S]*$/g, '')}${WORD_CLUTTER}<!--EndFragment--></body></html>`;
      },
      90_000,
    );

    step(
      'the editor pastes it: headings, bold, lists and the table stay; styles, classes, fonts and <o:p> go',
      async () => {
        editor = await as('13900000002');
        const { page } = editor;
        await page.goto(server.url + '/console/articles/new');
        expect(await page.locator('[role="toolbar"][aria-label="正文格式"]').isVisible()).toBe(true);
        await page.fill('#title', title);
        await pasteHtml(page, clipboard);
        const inEditor = await page.locator('#body').innerHTML();
        expect(inEditor).toContain('<h2>城关镇志愿服务月度总结</h2>');
        expect(inEditor).toMatch(/<strong>十二场\s*<\/strong>|<strong>十二场<\/strong>/);
        expect(inEditor).toContain('<ul>');
        expect(inEditor).toContain('<ol>');
        expect(inEditor).toContain('<table');
        expect(inEditor).toContain('联系人：县文明办');
        expect(inEditor).not.toMatch(/mso-|MsoNormal|<o:p|<font|class="(western|cjk)"|宋体|file:/);
        // A picture pasted from Word cannot be kept: the writer is told to upload it.
        expect(await page.textContent('[data-editor-error]')).toContain('1 张图片未能保留');
      },
      30_000,
    );

    step(
      'the editor adds an image inline through the toolbar: uploaded to the library, re-encoded, EXIF gone',
      async () => {
        const { page } = editor;
        const jpg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#2a6' } })
          .jpeg()
          .withExif({ IFD0: { Artist: 'GPS-SECRET-ARTIST' } })
          .toBuffer();
        expect(jpg.includes('GPS-SECRET-ARTIST')).toBe(true);
        await page.locator('#body p').last().click();
        page.once('dialog', (d) => void d.accept('志愿者在河道清理现场'));
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('button[data-cmd="image"]')]);
        await chooser.setFiles({ name: 'river.jpg', mimeType: 'image/jpeg', buffer: jpg });
        const img = page.locator('#body img[src^="/media/"]');
        await img.waitFor();
        inlineSrc = (await img.getAttribute('src'))!;
        expect(inlineSrc).toMatch(/^\/media\/[a-z0-9]+-960\.webp$/);
        expect(await img.getAttribute('alt')).toBe('志愿者在河道清理现场');
        const stored = await page.request.get(server.url + inlineSrc.replace(/-960\.webp$/, '.jpg'));
        expect(stored.status()).toBe(200);
        expect((await stored.body()).includes('GPS-SECRET-ARTIST')).toBe(false);
      },
      30_000,
    );

    step('the editor picks the cover by its thumbnail', async () => {
      const { page } = editor;
      const choice = page.locator('.cover-choice', { hasText: '志愿者在河道清理现场' });
      expect(await choice.locator('img').getAttribute('src')).toMatch(/^\/media\/[a-z0-9]+-480\.webp$/);
      await choice.click();
      expect(await choice.locator('input').isChecked()).toBe(true);
    });

    step(
      'the preview shows the cover and the body at phone and desktop width, nothing saved yet',
      async () => {
        const { page } = editor;
        await page.click('button[value="preview"]');
        for (const which of ['phone', 'desktop']) {
          const frame = page.frameLocator(`iframe[data-frame="${which}"]`);
          await frame.locator('article h1').waitFor();
          expect(await frame.locator('article h1').textContent()).toBe(title);
          expect(await frame.locator('figure.cover img').getAttribute('alt')).toBe('志愿者在河道清理现场');
          expect(await frame.locator('.prose table').count()).toBe(1);
          expect(await frame.locator('.prose h2').first().textContent()).toBe('城关镇志愿服务月度总结');
        }
        const phoneWidth = await page.locator('iframe[data-frame="phone"]').evaluate((f) => (f as HTMLIFrameElement).contentWindow!.innerWidth);
        expect(phoneWidth).toBeLessThanOrEqual(375);
        expect(phoneWidth).toBeGreaterThan(320);
        expect(await page.locator('iframe[data-frame="desktop"]').evaluate((f) => (f as HTMLIFrameElement).contentWindow!.innerWidth)).toBe(1280);
        expect(Number((await dbRow('SELECT count(*) AS n FROM articles WHERE title = ?', [title]))!.n)).toBe(0);
        // The header a reader sees, not the editor's own account menu.
        expect(await page.frameLocator('iframe[data-frame="desktop"]').locator('header').textContent()).not.toContain('林晓雯');
        if (SHOTS) await page.screenshot({ path: join(SHOTS, 'preview-1280.png'), fullPage: true });
      },
      30_000,
    );

    step(
      'the editor submits; the server stored only allow-listed HTML',
      async () => {
        const { page } = editor;
        await page.click('button[value="submit"]');
        await page.waitForURL(/\/console\/articles\/\d+\?done=submitted/);
        articleId = Number(new URL(page.url()).pathname.split('/').pop());
        const row = (await dbRow('SELECT body, body_format, body_text, cover_media_id, slug FROM articles WHERE id = ?', [articleId]))!;
        expect(row.body_format).toBe('html');
        const body = String(row.body);
        expect(body).toContain('<h2>城关镇志愿服务月度总结</h2>');
        expect(body).toContain('<table>');
        expect(body).toContain(`<img src="${inlineSrc}" alt="志愿者在河道清理现场" />`);
        expect(body).not.toMatch(/style=|class=|<span|<font|<o:p|mso-|<colgroup|<p>(<br \/>|&nbsp;|\s)*<\/p>/);
        expect(String(row.body_text)).toContain('河道清理 40');
        expect(row.cover_media_id).not.toBeNull();
        expect(String(row.slug)).toMatch(/^\d{4}-\d{2}-\d{2}-qingshui-river-[a-z0-9]{4}$/);
      },
      30_000,
    );

    step(
      'two reviewers approve; readers get the table, headings and image as written, and no JavaScript',
      async () => {
        for (const [phone, button] of [
          ['13900000003', '通过，送下一级'],
          ['13900000004', '终审通过并发布'],
        ]) {
          const r = await as(phone);
          await r.page.goto(`${server.url}/console/articles/${articleId}`);
          await r.page.fill('#opinion', '同意');
          await r.page.click(`button:has-text("${button}")`);
          await r.page.waitForURL(/done=/);
          await r.ctx.close();
        }
        const slug = String((await dbRow('SELECT slug FROM articles WHERE id = ?', [articleId]))!.slug);
        const res = await fetch(`${server.url}/articles/${slug}`);
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).not.toMatch(/<script\b/i);
        expect(html).toContain('<h2>主要活动</h2>');
        expect(html).toMatch(/<th>\s*(<p>)?项目/);
        expect(html).toContain(`src="${inlineSrc}"`);
        const search = await (await fetch(`${server.url}/search?q=${encodeURIComponent('敬老院助餐')}`)).text();
        expect(search).toContain(`/articles/${slug}`);
        expect(search).not.toContain('&lt;li&gt;');
      },
      60_000,
    );

    step(
      'the editor gives it a readable address; the old address answers 301 to the new one',
      async () => {
        const { page } = editor;
        const old = String((await dbRow('SELECT slug FROM articles WHERE id = ?', [articleId]))!.slug);
        await page.goto(`${server.url}/console/articles/${articleId}/edit`);
        await page.fill('#slug', 'Bad Slug!');
        const [bad] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[value="save"]')]);
        expect(bad.status()).toBe(400);
        expect(await page.textContent('#slug-error')).toContain('小写英文字母');
        expect(await page.inputValue('#slug')).toBe('Bad Slug!');
        await page.fill('#slug', '2026-qingshui-river-summary');
        await page.click('button[value="save"]');
        await page.waitForURL(/saved=1/);
        const moved = await fetch(`${server.url}/articles/${old}`, { redirect: 'manual' });
        expect(moved.status).toBe(301);
        expect(moved.headers.get('location')).toBe('/articles/2026-qingshui-river-summary');
        expect((await fetch(`${server.url}/articles/2026-qingshui-river-summary`)).status).toBe(200);
        // Only the address changed: no revision waits for review.
        expect(Number((await dbRow('SELECT count(*) AS n FROM article_revisions WHERE article_id = ?', [articleId]))!.n)).toBe(0);
      },
      30_000,
    );

    step('without JavaScript the same article is a plain textarea of its HTML, posted back as HTML', async () => {
      const ctx = await browser.newContext({ javaScriptEnabled: false });
      await signInContext(ctx, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, '13900000002'));
      const page = await ctx.newPage();
      await page.goto(`${server.url}/console/articles/${articleId}/edit`);
      expect(await page.locator('textarea#body').isVisible()).toBe(true);
      expect(await page.inputValue('textarea#body')).toContain('<h2>主要活动</h2>');
      expect(await page.inputValue('input[name="bodyFormat"]')).toBe('html');
      expect(await page.locator('[role="toolbar"]').isVisible()).toBe(false);
      await ctx.close();
    });

    step(
      'the editor page and the article fit 360 px, 1280 px and 大字',
      async () => {
        await editor.ctx.close();
        const slug = '2026-qingshui-river-summary';
        for (const [width, large] of [
          [360, false],
          [360, true],
          [1280, false],
          [1280, true],
        ] as const) {
          const who = await as('13900000002', { viewport: { width, height: 800 }, large });
          const { page } = who;
          await page.goto(`${server.url}/console/articles/${articleId}/edit`);
          await page.locator('#body').waitFor();
          expect(await fitsScreen(page), `edit ${width} ${large}`).toBe(true);
          const toolbar = await page.locator('[role="toolbar"]').boundingBox();
          expect(toolbar!.x + toolbar!.width).toBeLessThanOrEqual(width);
          if (SHOTS) await page.screenshot({ path: join(SHOTS, `edit-${width}${large ? '-large' : ''}.png`), fullPage: true });
          await page.click('button[value="preview"]');
          await page.frameLocator('iframe[data-frame="phone"]').locator('article h1').waitFor();
          expect(await fitsScreen(page), `preview ${width} ${large}`).toBe(true);
          if (SHOTS) await page.locator('[data-preview]').screenshot({ path: join(SHOTS, `preview-${width}${large ? '-large' : ''}.png`) });
          await page.goto(`${server.url}/articles/${slug}`);
          expect(await fitsScreen(page), `article ${width} ${large}`).toBe(true);
          if (SHOTS) await page.screenshot({ path: join(SHOTS, `article-${width}${large ? '-large' : ''}.png`), fullPage: true });
          await who.ctx.close();
        }
      },
      90_000,
    );
  });

  test('a cover uploaded on the edit page: a bad file is refused next to the field, input kept; a photo becomes the cover', async () => {
    const { ctx, page } = await as('13900000002');
    await page.goto(server.url + '/console/articles/new');
    await page.fill('#title', '封面直传测试');
    await page.setInputFiles('#coverUpload', { name: 'cover.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('<html><script>x</script></html>') });
    await page.fill('#coverAlt', '社区广场');
    const [bad] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[value="save"]')]);
    expect(bad.status()).toBe(400);
    expect(await page.textContent('#coverUpload-error')).toContain('不是图片');
    expect(await page.inputValue('#title')).toBe('封面直传测试');
    expect(await page.inputValue('#coverAlt')).toBe('社区广场');
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#36c' } })
      .png()
      .toBuffer();
    await page.setInputFiles('#coverUpload', { name: 'cover.png', mimeType: 'image/png', buffer: png });
    await page.click('button[value="save"]');
    await page.waitForURL(/saved=1/);
    const row = (await dbRow("SELECT m.alt, m.kind FROM articles a JOIN media m ON m.id = a.cover_media_id WHERE a.title = '封面直传测试'"))!;
    expect(row).toMatchObject({ alt: '社区广场', kind: 'image' });
    expect(await page.locator('.cover-choice:has(input:checked)').textContent()).toContain('社区广场');
    await ctx.close();
  });

  test('keyboard only: one tab stop into the toolbar, arrows between buttons, Enter applies, shortcuts work', async () => {
    const { ctx, page } = await as('13900000002');
    await page.goto(server.url + '/console/articles/new');
    await page.click('#body');
    await page.keyboard.type('第一段文字');
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Alt+F10');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-cmd'))).toBe('paragraph');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('加粗（Ctrl+B）');
    await page.keyboard.press('Enter');
    expect(await page.locator('#body').innerHTML()).toContain('<strong>第一段文字</strong>');
    expect(await page.locator('button[data-cmd="bold"]').getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Control+i');
    expect(await page.locator('#body').innerHTML()).toContain('<em>');
    // Every toolbar button has a Chinese name.
    const names = await page.locator('[role="toolbar"] button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label') ?? ''));
    expect(names.length).toBeGreaterThan(10);
    for (const n of names) expect(n).toMatch(/[\u4e00-\u9fff]/);
    await ctx.close();
  });
});
