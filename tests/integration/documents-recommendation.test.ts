// 好人推荐表 pack for the next level (issue 19 item 5): fields the 推荐表 needs (birth month sealed), consent
// to be recommended, readiness against the level's limits, and the ZIP — DOCX opened by LibreOffice, PDF by
// poppler, photos as JPEG — refused for an honoree without recorded consent.
import { beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import sharp from 'sharp';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import {
  addRecommendationPhoto,
  buildRecommendationPack,
  recommendationReadiness,
  recordRecommendConsent,
  removeRecommendationPhoto,
  saveRecommendationDetails,
} from '../../src/domain/honors/recommendation.ts';
import { HonorError } from '../../src/domain/honors/rules.ts';
import { EDITOR, staff } from './publishing-helpers.ts';

let db: Db;
let uploads: string;
let editorId: number;
let honoree: { id: number; name: string; summary: string };
const OUT = process.env.RECOMMEND_OUT;

const photo = (r: number, g: number, b: number, format: 'jpeg' | 'png' = 'jpeg') => {
  const img = sharp({ create: { width: 300, height: 400, channels: 3, background: { r, g, b } } });
  return (format === 'png' ? img.png() : img.jpeg()).toBuffer();
};

beforeAll(async () => {
  db = await freshDb({ seed: 'demo' });
  uploads = mkdtempSync(join(tmpdir(), 'recommend-uploads-'));
  editorId = (await staff(db, EDITOR)).id;
  const [h] = (await db.$client.execute(`SELECT id, name, summary FROM honorees WHERE status = 'published' AND kind = 'person' ORDER BY id LIMIT 1`)).rows;
  honoree = { id: Number(h.id), name: String(h.name), summary: String(h.summary) };
});

const DEEDS = Array.from({ length: 30 }, (_, i) => `第${i + 1}年，她每天清晨为村里的独居老人送去热水和早饭，风雨无阻。`).join('\n');

describe('推荐表 pack', () => {
  test('without consent: the readiness table says what is missing and the pack is refused', async () => {
    const r = await recommendationReadiness(db, TEST_KEY, [honoree.id], '市');
    expect(r.rows[0].issues).toEqual(expect.arrayContaining(['未记录本人同意推荐', '缺少出生年月', '缺少民族', '缺少政治面貌', '缺少主要事迹', '缺少证件照', '生活照 0 张，至少 3 张']));
    await expect(buildRecommendationPack(db, TEST_KEY, uploads, { id: editorId }, { ids: [honoree.id], level: '市' })).rejects.toMatchObject({
      field: 'ids',
      message: expect.stringContaining(honoree.name),
    });
    await expect(buildRecommendationPack(db, TEST_KEY, uploads, { id: editorId }, { ids: [honoree.id], level: '乡' })).rejects.toBeInstanceOf(HonorError);
  });

  test('filled in and consented: ready for 市 (800–1,500 字), short for 中国好人榜; the ZIP holds DOCX, PDF and JPEG photos that open and read right', async () => {
    await saveRecommendationDetails(db, TEST_KEY, { id: editorId }, honoree.id, {
      gender: '女',
      birthMonth: '1968-05',
      ethnicity: '汉族',
      politicalStatus: '中共党员',
      workplace: '云溪县城关镇东门社区居委会 主任',
      mainDeeds: DEEDS,
    });
    const [row] = (await db.$client.execute({ sql: 'SELECT birth_month_enc FROM honorees WHERE id = ?', args: [honoree.id] })).rows;
    expect(String(row.birth_month_enc)).not.toContain('1968');
    await recordRecommendConsent(db, { id: editorId }, honoree.id, '本人签署书面同意书（2026年11月30日）');
    await expect(recordRecommendConsent(db, { id: editorId }, honoree.id, '再次记录')).rejects.toBeInstanceOf(HonorError);
    await addRecommendationPhoto(db, uploads, { id: editorId }, honoree.id, 'id', await photo(200, 30, 30));
    for (const c of [40, 90, 140]) await addRecommendationPhoto(db, uploads, { id: editorId }, honoree.id, 'life', await photo(c, 120, 60, 'png'));
    expect((await recommendationReadiness(db, TEST_KEY, [honoree.id], '市')).rows[0].issues).toEqual([]);
    expect((await recommendationReadiness(db, TEST_KEY, [honoree.id], '国家')).rows[0].issues).toEqual([expect.stringMatching(/^主要事迹 \d+ 字，少于 1500 字$/)]);

    const pack = await buildRecommendationPack(db, TEST_KEY, uploads, { id: editorId }, { ids: [honoree.id], level: '市', opinion: '该同志事迹突出，经县委宣传部审核，同意推荐。' });
    const files = unzipSync(pack.zip);
    const names = Object.keys(files).sort();
    const folder = `01-${honoree.name}`;
    expect(names).toEqual(
      [
        `${folder}/${honoree.name}-市级好人榜推荐表.docx`,
        `${folder}/${honoree.name}-市级好人榜推荐表.pdf`,
        `${folder}/生活照-1.jpg`,
        `${folder}/生活照-2.jpg`,
        `${folder}/生活照-3.jpg`,
        `${folder}/证件照.jpg`,
        '说明.txt',
      ].sort(),
    );
    expect(strFromU8(files['说明.txt'])).toContain('共 1 人');
    for (const n of names.filter((x) => x.endsWith('.jpg'))) expect((await sharp(files[n]).metadata()).format).toBe('jpeg');

    const dir = mkdtempSync(join(tmpdir(), 'recommend-pack-'));
    const docx = join(dir, 'form.docx');
    const pdf = join(dir, 'form.pdf');
    writeFileSync(docx, files[`${folder}/${honoree.name}-市级好人榜推荐表.docx`]);
    writeFileSync(pdf, files[`${folder}/${honoree.name}-市级好人榜推荐表.pdf`]);
    // LibreOffice opens the DOCX (as a receiving office would) and prints it to PDF; poppler reads both.
    const lo = join(dir, 'lo');
    mkdirSync(lo);
    execFileSync('soffice', [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', lo, docx], { timeout: 120_000, stdio: 'ignore' });
    for (const file of [join(lo, 'form.pdf'), pdf]) {
      const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
      for (const want of [
        '市级好人榜推荐表',
        honoree.name,
        '女',
        '1968年05月',
        '汉族',
        '中共党员',
        '云溪县城关镇东门社区居委会主任',
        honoree.summary.replace(/\s+/g, ''),
        '第30年，她每天清晨',
        '该同志事迹突出',
        '推荐单位（盖章）',
      ]) {
        expect(text, `${file}: ${want}`).toContain(want);
      }
      execFileSync('pdftoppm', ['-png', '-r', '40', file, join(dir, file.includes('/lo/') ? 'docx-page' : 'pdf-page')]);
    }
    // The ID photo is inside the DOCX itself, not only beside it in the ZIP.
    expect(Object.keys(unzipSync(files[`${folder}/${honoree.name}-市级好人榜推荐表.docx`])).some((n) => /^word\/media\/.+\.(jpe?g|png)$/.test(n))).toBe(true);
    if (OUT) cpSync(dir, OUT, { recursive: true });
    const audit = await db.$client.execute(`SELECT action FROM audit_log WHERE action LIKE 'honors.recommendation.%' ORDER BY id`);
    expect(audit.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['honors.recommendation.save', 'honors.recommendation.consent', 'honors.recommendation.photo', 'honors.recommendation.pack']),
    );
  }, 180_000);
});

describe('推荐表 photos', () => {
  test('a wrong everyday photo is removed with its file; a photo of another honoree is not touched', async () => {
    const [other] = (await db.$client.execute({ sql: `SELECT id FROM honorees WHERE status = 'published' AND id <> ? ORDER BY id LIMIT 1`, args: [honoree.id] })).rows;
    await addRecommendationPhoto(db, uploads, { id: editorId }, honoree.id, 'life', await photo(10, 10, 10));
    const ids = () =>
      db.$client.execute({ sql: 'SELECT life_photo_file_ids FROM honorees WHERE id = ?', args: [honoree.id] }).then((r) => JSON.parse(String(r.rows[0].life_photo_file_ids)) as number[]);
    const before = await ids();
    const wrong = before[before.length - 1];
    await expect(removeRecommendationPhoto(db, uploads, { id: editorId }, Number(other.id), wrong)).rejects.toBeInstanceOf(HonorError);
    await removeRecommendationPhoto(db, uploads, { id: editorId }, honoree.id, wrong);
    expect(await ids()).toEqual(before.slice(0, -1));
    expect((await db.$client.execute({ sql: 'SELECT count(*) AS n FROM private_files WHERE id = ?', args: [wrong] })).rows[0].n).toBe(0);
  });
});
