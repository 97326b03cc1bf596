// Browser: documents a county files and sends upward, printed to PDF by Chromium and read back with poppler
// (issue 19 items 2–5): the certificate's print page, the 信息发布审核表, the A3 善行义举榜 poster, and the
// 推荐表 pack staff download for the next level.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { unzipSync } from 'fflate';
import { join } from 'node:path';
import { launchBrowser } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { signInContext, userIdByPhoneAt } from '../helpers/session.ts';
import { openDb, type Db } from '../../db/client.ts';

let server: RunningServer;
let browser: Browser;
let db: Db;
let admin: { ctx: BrowserContext; page: Page };
const SHOTS = '/tmp/shots/documents';

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  db = await openDb({ url: server.dbUrl });
  mkdirSync(SHOTS, { recursive: true });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await signInContext(ctx, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, '13900000001'));
  admin = { ctx, page: await ctx.newPage() };
});
afterAll(async () => {
  await admin?.ctx.close();
  db?.$client.close();
  await browser?.close();
  await server?.stop();
});

/** A signed-in browser context for a demo account. */
async function as(phone: string, width = 1280): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width, height: 900 } });
  await signInContext(ctx, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, phone));
  return { ctx, page: await ctx.newPage() };
}

/** Prints the current page with Chromium (the user's 打印 → 另存为 PDF) and returns the file and its page count. */
async function printToPdf(page: Page, name: string, format: 'A4' | 'A3'): Promise<{ file: string; pages: number }> {
  const file = join(SHOTS, `${name}.pdf`);
  writeFileSync(file, await page.pdf({ format, preferCSSPageSize: true, printBackground: true }));
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);
  execFileSync('pdftoppm', ['-png', '-r', '40', file, join(SHOTS, name)]);
  return { file, pages };
}

/** pdftotext of one page (or all), whitespace removed: CJK extraction spaces characters unpredictably. */
function pdfText(file: string, page?: number): string {
  const range = page ? ['-f', String(page), '-l', String(page)] : [];
  return execFileSync('pdftotext', [...range, file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
}

describe('issue 19.2: the certificate print page', () => {
  test('printed by the browser: seal area and signature lines, number and 第 n 页 共 m 页 on every sheet, plain 备注, no glyph-less character', async () => {
    const [team] = (await db.$client.execute(`SELECT id, name FROM teams WHERE slug = 'chengguan-red-vest'`)).rows;
    const userId = await userIdByPhoneAt(server.dbUrl, '13900000006');
    const items = Array.from({ length: 45 }, (_, i) => ({ date: `2026-0${1 + Math.floor(i / 28)}-${String((i % 28) + 1).padStart(2, '0')}`, content: `社区服务第${i + 1}次`, minutes: 90 }));
    // A certificate issued before notes were stripped: its frozen snapshot still holds the markup.
    const snapshot = {
      volunteer: { name: '张𠮷䶮', idType: '居民身份证', idMasked: '5101**********123X', volunteerNo: 'YXT0001' },
      service: { periodFrom: '2026-01-01', periodTo: '2026-02-17', totalMinutes: 45 * 90, items },
      issuer: { org: String(team.name), leader: '李建华', handler: '王丽', contact: '0838-7654321' },
      issueDate: '2026年2月18日',
      notes: '<b>用于升学</b>',
    };
    const rs = await db.$client.execute({
      sql: `INSERT INTO certificates (number, code, user_id, team_id, period_from, period_to, total_minutes, snapshot, status, requested_at, issued_at, created_at)
        VALUES ('SX-2026-990001', 'DOCTEST19X2A', ?, ?, '2026-01-01', '2026-02-17', ?, ?, 'issued', ?, ?, ?) RETURNING id`,
      args: [userId, Number(team.id), 45 * 90, JSON.stringify(snapshot), Date.now(), Date.now(), Date.now()],
    });
    const id = Number(rs.rows[0].id);
    const res = await admin.page.goto(`${server.url}/me/certificates/${id}/print`);
    expect(res?.status()).toBe(200);
    const { file, pages } = await printToPdf(admin.page, 'certificate', 'A4');
    expect(pages).toBeGreaterThan(1);
    for (let p = 1; p <= pages; p++) {
      const t = pdfText(file, p);
      expect(t).toContain('证明编号：SX-2026-990001');
      expect(t).toContain(`第${p}页共${pages}页`);
    }
    const text = pdfText(file);
    for (const label of ['出具单位（盖章）', '负责人（签字）', '经办人（签字）', '联系电话', '出具日期', '盖章处']) expect(text).toContain(label);
    expect(text).toContain('备注：用于升学');
    expect(text).not.toContain('<b>');
    expect(text).toContain('张吉龑');
    expect(text).toContain('U+20BB7');
    expect(text).not.toContain('𠮷');
  });
});

describe('issue 19.3: the 信息发布审核表', () => {
  test('a seeded published article prints on A4 with its URL, 正文 and fingerprint, 保密审查意见 and one signed level per step it went through', async () => {
    const [a] = (await db.$client.execute(`SELECT id, slug, title FROM articles WHERE status = 'published' ORDER BY id LIMIT 1`)).rows;
    const editor = await as('13900000002');
    const res = await editor.page.goto(`${server.url}/console/articles/${Number(a.id)}/form`);
    expect(res?.status()).toBe(200);
    const { file } = await printToPdf(editor.page, 'review-form', 'A4');
    await editor.ctx.close();
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Page size:.*\(A4\)/);
    const text = pdfText(file);
    expect(text).toContain('信息发布审核表');
    expect(text).toContain('发布网址');
    expect(text).toContain(`${server.url}/articles/${String(a.slug)}`);
    expect(text).toContain('发布人');
    expect(text).toContain('全文SHA-256指纹');
    expect(text).toContain('保密审查意见经审查，不涉及国家秘密、工作秘密和个人隐私（初审郑国平）');
    // The signature table, row by row: level, who, (opinion), date.
    const rows = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.replace(/\s+/g, ''));
    expect(rows.find((l) => l.startsWith('撰稿') && !l.startsWith('撰稿人'))).toMatch(/^撰稿林晓雯\d{4}年\d{1,2}月\d{1,2}日$/);
    expect(rows.find((l) => l.startsWith('初审'))).toMatch(/^初审郑国平内容属实，文字通顺，同意\d{4}年\d{1,2}月\d{1,2}日$/);
    expect(rows.find((l) => l.startsWith('终审'))).toMatch(/^终审邓雅琴同意发布\d{4}年\d{1,2}月\d{1,2}日$/);
    expect(rows.find((l) => l.startsWith('分管领导'))).toMatch(/^分管领导年月日$/);
    expect(text).toContain('第1页共1页');
  });
});

/** A published batch with n published honorees (the third without name consent), returned by slug. */
async function batchWith(n: number): Promise<string> {
  const slug = `poster-${n}-${Date.now()}`;
  const rs = await db.$client.execute({
    sql: `INSERT INTO honor_batches (slug, title, period, status, published_at, created_at) VALUES (?, ?, '2026年第四季度', 'published', ?, ?) RETURNING id`,
    args: [slug, `2026年第四季度云溪好人榜（${n} 人）`, Date.now(), Date.now()],
  });
  const batchId = Number(rs.rows[0].id);
  const cats = ['助人为乐', '见义勇为', '诚实守信', '敬业奉献', '孝老爱亲'];
  for (let i = 0; i < n; i++) {
    await db.$client.execute({
      sql: `INSERT INTO honorees (slug, batch_id, name, epithet, kind, category, level, summary, status, name_consent, published_at, created_at)
        VALUES (?, ?, ?, ?, 'person', ?, '县', ?, 'published', ?, ?, ?)`,
      args: [
        `${slug}-h${i}`,
        batchId,
        i === 2 ? '杨欣悦' : `王志强${i + 1}`,
        i % 2 ? '热心肠' : null,
        cats[i % 5],
        `坚持照料孤寡老人十余年，风雨无阻，邻里称赞。第${i + 1}位`,
        i === 2 ? 0 : 1,
        Date.now(),
        Date.now(),
      ],
    });
  }
  return slug;
}

/** Share of near-white pixels (every channel ≥ 240) on a rendered page: what the eye reads as blank paper. */
async function blankShare(png: string): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let white = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i] >= 240 && data[i + 1] >= 240 && data[i + 2] >= 240) white++;
  return white / (info.width * info.height);
}

describe('issue 19.4: the A3 善行义举榜 poster', () => {
  test.each([
    [1, 1],
    [5, 1],
    [12, 1],
    [30, 1],
    [31, 2],
  ])('%i honorees fill %i A3 sheet(s): under 15 % blank, every honoree with name, category, 事迹 and QR code', async (n, sheets) => {
    const slug = await batchWith(n);
    const page = await browser.newPage();
    const res = await page.goto(`${server.url}/honors/poster/${slug}`);
    expect(res?.status()).toBe(200);
    const file = join(SHOTS, `poster-${n}.pdf`);
    // Printed as a user would, background graphics off: the poster asks for its colours itself.
    writeFileSync(file, await page.pdf({ preferCSSPageSize: true }));
    await page.close();
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:.*\(A3\)/);
    expect(Number(/Pages:\s+(\d+)/.exec(info)![1])).toBe(sheets);
    execFileSync('pdftoppm', ['-png', '-r', '20', file, join(SHOTS, `poster-${n}`)]);
    const pngs = readdirSync(SHOTS).filter((f) => f.startsWith(`poster-${n}-`) && f.endsWith('.png'));
    expect(pngs).toHaveLength(sheets);
    for (const png of pngs) expect(await blankShare(join(SHOTS, png)), png).toBeLessThan(0.15);
    const text = pdfText(file);
    expect(text.match(/扫码看事迹/g)).toHaveLength(n);
    expect(text.match(/坚持照料孤寡老人/g)).toHaveLength(n);
    if (n >= 3) {
      expect(text).toContain('杨*悦');
      expect(text).not.toContain('杨欣悦');
    }
    for (const cat of ['助人为乐', '见义勇为'].slice(0, Math.min(n, 2))) expect(text).toContain(cat);
  });
});

describe('issue 19.5: recommending honorees to the next level', () => {
  test('staff see what is missing, are refused without consent (400, choice kept), record consent and fields, and download the ZIP', async () => {
    const editor = await as('13900000002');
    const [h] = (await db.$client.execute(`SELECT id, name FROM honorees WHERE status = 'published' AND kind = 'person' ORDER BY id DESC LIMIT 1`)).rows;
    const id = Number(h.id);
    const name = String(h.name);
    const page = editor.page;
    await page.goto(`${server.url}/console/honors/recommend`);
    await page.selectOption('#f-level', '市');
    await page.check(`input[name="id"][value="${id}"]`);
    await page.click('button:has-text("检查推荐表")');
    const row = page.locator('tr', { hasText: name });
    expect(await row.textContent()).toContain('未记录本人同意推荐');
    expect(await row.textContent()).toContain('缺少出生年月');
    // Download without consent: refused on the page, the choice kept.
    const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button:has-text("下载推荐材料")')]);
    expect(refused.status()).toBe(400);
    expect(await page.textContent('#e-ids')).toContain(`尚未记录本人同意推荐，不能打包：${name}`);
    expect(await page.isChecked(`input[name="id"][value="${id}"]`)).toBe(true);

    await row.locator('a:has-text("填写推荐表信息")').click();
    await page.fill('#f-note', '本人签署书面同意书');
    await page.click('button:has-text("记录本人同意推荐")');
    await page.waitForSelector('text=已记录本人同意推荐');
    await page.selectOption('#f-gender', '男');
    await page.fill('#f-birthMonth', '1961-03');
    await page.fill('#f-ethnicity', '藏族');
    await page.fill('#f-politicalStatus', '群众');
    await page.fill('#f-workplace', '云溪县城关镇 退休职工');
    await page.fill('#f-mainDeeds', '三十年来，他义务为村民修理农具和家电。'.repeat(45));
    await page.click('button:has-text("保存推荐表信息")');
    await page.waitForSelector('text=推荐表信息已保存');
    const jpeg = await sharp({ create: { width: 240, height: 320, channels: 3, background: { r: 180, g: 40, b: 40 } } })
      .jpeg()
      .toBuffer();
    for (const kind of ['id', 'life', 'life', 'life']) {
      await page.selectOption('#f-kind', kind);
      await page.setInputFiles('#f-photo', { name: 'p.jpg', mimeType: 'image/jpeg', buffer: jpeg });
      await page.click('button:has-text("上传照片")');
      await page.waitForSelector('text=照片已上传');
    }
    await page.screenshot({ path: `${SHOTS}/recommend-detail.png`, fullPage: true });

    await page.goto(`${server.url}/console/honors/recommend?level=${encodeURIComponent('市')}&id=${id}`);
    expect(await page.locator('tr', { hasText: name }).textContent()).toContain('齐全');
    await page.screenshot({ path: `${SHOTS}/recommend.png`, fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("下载推荐材料")')]);
    expect(download.suggestedFilename()).toMatch(/^市级好人榜推荐材料-.+\.zip$/);
    const zipPath = join(SHOTS, 'recommend.zip');
    await download.saveAs(zipPath);
    const files = Object.keys(unzipSync(new Uint8Array(readFileSync(zipPath))));
    expect(files).toEqual(expect.arrayContaining([`01-${name}/${name}-市级好人榜推荐表.docx`, `01-${name}/${name}-市级好人榜推荐表.pdf`, `01-${name}/证件照.jpg`, `01-${name}/生活照-3.jpg`]));
    const audit = await db.$client.execute(`SELECT count(*) AS n FROM audit_log WHERE action = 'honors.recommendation.pack'`);
    expect(Number(audit.rows[0].n)).toBe(1);
    await editor.ctx.close();
  });
});
