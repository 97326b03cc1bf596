import { beforeAll, describe, expect, test } from 'vitest';
import sharp from 'sharp';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { attachmentName, MediaError, sniffAttachment, uploadAttachment, uploadImage } from '../../src/domain/media/index.ts';
import ExcelJS from 'exceljs';

let db: Db;
let dir: string;
beforeAll(async () => {
  db = await freshDb({ seed: 'none' });
  dir = mkdtempSync(join(tmpdir(), 'shanxing-media-'));
});

const refuse = (bytes: Uint8Array, alt = '图片') => uploadImage(db, dir, { bytes, alt, userId: 1 });

describe('media library refuses what is not a safe image', () => {
  test('a PHP file renamed .jpg', async () => {
    const err = await refuse(new TextEncoder().encode('<?php system($_GET["c"]); ?>'), 'x').catch((e) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect(err.message).toContain('不是图片');
  });

  test('a 20000×20000 PNG (400 megapixels) is refused before decoding', async () => {
    // Generating it costs seconds of CPU on a shared machine: keep one copy in the temp folder.
    const cached = join(tmpdir(), 'shanxing-test-20000x20000.png');
    let png: Buffer;
    if (existsSync(cached)) png = readFileSync(cached);
    else {
      png = await sharp({ create: { width: 20000, height: 20000, channels: 3, background: '#ffffff' }, limitInputPixels: false })
        .toColourspace('b-w')
        .png({ compressionLevel: 6, adaptiveFiltering: false })
        .toBuffer();
      writeFileSync(cached, png);
    }
    expect(await sharp(png, { limitInputPixels: false }).metadata()).toMatchObject({ width: 20000, height: 20000, format: 'png' });
    expect(png.length).toBeLessThan(10 * 1024 * 1024);
    const err = await refuse(png).catch((e) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect(err.message).toContain('4000 万像素');
  });

  test('an SVG, and an HTML page', async () => {
    const svg = await refuse(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')).catch((e) => e);
    expect(svg.message).toContain('SVG');
    const html = await refuse(new TextEncoder().encode('<!doctype html><script>alert(1)</script>')).catch((e) => e);
    expect(html.message).toContain('网页');
  });

  test('an image without alt text', async () => {
    const jpg = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#c00' } })
      .jpeg()
      .toBuffer();
    await expect(refuse(jpg, '  ')).rejects.toThrow('替代文字');
  });

  test('a JPEG with GPS data is re-encoded without it, in several widths', async () => {
    const jpg = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#3a6' } })
      .withExif({ IFD0: { Make: 'TestCam', Copyright: 'secret' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 0/1 0/1' } })
      .jpeg()
      .toBuffer();
    expect((await sharp(jpg).metadata()).exif).toBeTruthy();
    const m = await uploadImage(db, dir, { bytes: jpg, alt: '河道清理', userId: 1 });
    expect(JSON.parse(m.variants)).toEqual([480, 960, 1600]);
    const files = readdirSync(dir)
      .filter((f) => f.startsWith(m.fileKey))
      .sort();
    expect(files).toEqual([`${m.fileKey}-1600.webp`, `${m.fileKey}-480.webp`, `${m.fileKey}-960.webp`, `${m.fileKey}.jpg`]);
    for (const f of files) expect((await sharp(join(dir, f)).metadata()).exif, f).toBeUndefined();
  });
});

describe('attachments are PDF, DOCX or XLSX by content', () => {
  test('PDF and XLSX pass; a renamed text file and a plain zip do not', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('表1').addRow(['名称', 1]);
    const xlsx = new Uint8Array(await wb.xlsx.writeBuffer());
    expect(sniffAttachment(xlsx)).toBe('xlsx');
    expect(sniffAttachment(new TextEncoder().encode('%PDF-1.7\n...'))).toBe('pdf');
    const a = await uploadAttachment(db, dir, { bytes: xlsx, name: '名单.xlsx', userId: 1 });
    expect(a.mime).toContain('spreadsheetml');
    await expect(uploadAttachment(db, dir, { bytes: new TextEncoder().encode('hello'), name: '通知.pdf', userId: 1 })).rejects.toThrow('不是 PDF、DOCX 或 XLSX');
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Array(40).fill(0)]);
    expect(sniffAttachment(zip)).toBeNull();
  });

  test('the stored name ends in the type the bytes are, not the one the uploader gave (issue 15, item 12)', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.7\n%%EOF\n');
    expect((await uploadAttachment(db, dir, { bytes: pdf, name: 'evil.html', userId: 1 })).originalName).toBe('evil.pdf');
    expect((await uploadAttachment(db, dir, { bytes: pdf, name: '通知\u202Elmth.pdf', userId: 1 })).originalName).toBe('通知lmth.pdf');
  });

  test.each([
    ['evil.html', 'pdf', 'evil.pdf'],
    ['报告.PDF', 'pdf', '报告.pdf'],
    ['名单.xlsx.exe', 'xlsx', '名单.xlsx'],
    ['a.pdf.html', 'pdf', 'a.pdf'],
    ['..\\..\\x.svg', 'pdf', '.._.._x.pdf'],
    ['\u202Efdp.exe', 'pdf', 'fdp.pdf'],
    ['', 'docx', '附件.docx'],
    ['无扩展名', 'docx', '无扩展名.docx'],
    ['2024年第3期.通知', 'pdf', '2024年第3期.pdf'],
  ])('attachmentName(%j, %s) = %j', (name, ext, expected) => {
    expect(attachmentName(name, ext)).toBe(expected);
  });
});
