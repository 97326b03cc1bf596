// Media library: images verified by content and re-encoded with sharp (metadata
// stripped) in several widths; PDF/DOCX/XLSX attachments verified by magic bytes.
// Files live under UPLOADS_DIR with generated names; /media/<file> serves them.
import sharp, { type Metadata } from 'sharp';
import { mkdir, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { media } from '../../../db/schema/index.ts';
import { randomToken } from '../../lib/ids.ts';
import { Refusal } from '../refusal.ts';

export type Media = typeof media.$inferSelect;

export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 40_000_000;
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
/** Widths generated for every image (WebP), never larger than the original. */
export const IMAGE_WIDTHS = [480, 960, 1600];

/** A refused upload, with a Chinese message for the person uploading. */
export class MediaError extends Refusal {
  constructor(message: string) {
    super('BAD_REQUEST', message);
    this.name = 'MediaError';
  }
}

type ImageFormat = 'jpeg' | 'png' | 'webp';
const EXT: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp' };
const MIME: Record<string, string> = {
  jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The image format from the first bytes (never from the name or the browser's type). */
export function sniffImage(buf: Uint8Array): ImageFormat | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => buf[i] === b)) return 'png';
  if (buf.length >= 12 && Buffer.from(buf.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(buf.subarray(8, 12)).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

function describeRefused(buf: Uint8Array): string {
  const head = Buffer.from(buf.subarray(0, 256)).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return '不支持 SVG 图片（可能包含脚本），请上传 JPG、PNG 或 WebP 格式。';
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || head.includes('<script')) return '这是网页文件，不是图片，请上传 JPG、PNG 或 WebP 格式。';
  if (head.startsWith('<?php')) return '文件内容不是图片（扩展名与内容不符），请上传 JPG、PNG 或 WebP 格式。';
  return '无法识别的图片格式，只能上传 JPG、PNG 或 WebP 格式的图片。';
}

/** Checks an image upload and returns its format and size; throws MediaError when refused. Does not decode pixels. */
export async function inspectImage(buf: Uint8Array): Promise<{ format: ImageFormat; width: number; height: number }> {
  if (buf.length === 0) throw new MediaError('请选择要上传的图片。');
  if (buf.length > MAX_IMAGE_BYTES) throw new MediaError('图片不能超过 10 MB，请压缩后再上传。');
  const format = sniffImage(buf);
  if (!format) throw new MediaError(describeRefused(buf));
  let meta: Metadata;
  try {
    // metadata() reads the header only; pixels are not decoded here.
    meta = await sharp(buf, { limitInputPixels: MAX_IMAGE_PIXELS }).metadata();
  } catch (e) {
    if (/pixel limit/i.test((e as Error).message)) throw new MediaError('图片像素过大，不能超过 4000 万像素，请缩小后再上传。');
    throw new MediaError('图片文件已损坏或无法读取，请重新导出后上传。');
  }
  if (meta.format !== format) throw new MediaError('图片内容与格式不符，请重新导出后上传。');
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!width || !height) throw new MediaError('无法读取图片尺寸，请重新导出后上传。');
  if (width * height > MAX_IMAGE_PIXELS) throw new MediaError(`图片像素过大（${width}×${height}），不能超过 4000 万像素，请缩小后再上传。`);
  return { format, width, height };
}

/** Stores an image: verified, re-encoded without EXIF/GPS, in several widths; returns the media row. */
export async function uploadImage(db: Db, uploadsDir: string, input: { bytes: Uint8Array; name?: string; alt: string; userId: number | null }): Promise<Media> {
  const alt = input.alt.trim();
  if (!alt) throw new MediaError('请填写图片说明（替代文字），供读屏软件朗读。');
  const { format } = await inspectImage(input.bytes);
  const key = randomToken(12);
  await mkdir(uploadsDir, { recursive: true });
  const written: string[] = [];
  try {
    // limitInputPixels guards decoding as well; rotate() applies EXIF orientation before metadata is dropped.
    const base = () => sharp(input.bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' }).rotate();
    const original = format === 'jpeg' ? base().jpeg({ quality: 85, mozjpeg: true }) : format === 'png' ? base().png({ compressionLevel: 9 }) : base().webp({ quality: 85 });
    const { data, info } = await original.toBuffer({ resolveWithObject: true });
    const origName = `${key}.${EXT[format]}`;
    await writeFile(join(uploadsDir, origName), data);
    written.push(origName);
    const widths = IMAGE_WIDTHS.filter((w) => w < info.width);
    if (!widths.length || info.width <= IMAGE_WIDTHS[IMAGE_WIDTHS.length - 1]) widths.push(info.width);
    const variants = [...new Set(widths)].sort((a, b) => a - b);
    for (const w of variants) {
      const buf = await base().resize({ width: w, withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
      const name = `${key}-${w}.webp`;
      await writeFile(join(uploadsDir, name), buf);
      written.push(name);
    }
    const [row] = await db.insert(media).values({
      fileKey: key, kind: 'image', mime: MIME[EXT[format]], width: info.width, height: info.height, bytes: data.length,
      variants: JSON.stringify(variants), alt, originalName: (input.name ?? '').slice(0, 200) || null, uploadedBy: input.userId, createdAt: Date.now(),
    }).returning();
    return row;
  } catch (e) {
    for (const f of written) await unlink(join(uploadsDir, f)).catch(() => {});
    if (e instanceof MediaError) throw e;
    throw new MediaError('图片处理失败，请确认文件完整后重试。');
  }
}

/** The attachment type from content: %PDF, or a zip holding word/ (DOCX) or xl/ (XLSX) entries. */
export function sniffAttachment(buf: Uint8Array): 'pdf' | 'docx' | 'xlsx' | null {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (b.length > 30 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) {
    // Walk local file headers and look at entry names.
    let off = 0;
    let word = false;
    let xl = false;
    let ct = false;
    for (let n = 0; n < 2000 && off + 30 <= b.length && b.readUInt32LE(off) === 0x04034b50; n++) {
      const flags = b.readUInt16LE(off + 6);
      const csize = b.readUInt32LE(off + 18);
      const nameLen = b.readUInt16LE(off + 26);
      const extraLen = b.readUInt16LE(off + 28);
      const name = b.subarray(off + 30, off + 30 + nameLen).toString('utf8');
      if (name.startsWith('word/')) word = true;
      if (name.startsWith('xl/')) xl = true;
      if (name === '[Content_Types].xml') ct = true;
      if (flags & 0x08) break; // sizes in a data descriptor: fall back to the central directory
      off += 30 + nameLen + extraLen + csize;
    }
    if (!word && !xl) {
      // Central directory names (works for streamed zips too).
      const eocd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
      if (eocd >= 0 && eocd + 22 <= b.length) {
        let p = b.readUInt32LE(eocd + 16);
        const count = b.readUInt16LE(eocd + 10);
        for (let i = 0; i < count && p + 46 <= b.length && b.readUInt32LE(p) === 0x02014b50; i++) {
          const nameLen = b.readUInt16LE(p + 28);
          const name = b.subarray(p + 46, p + 46 + nameLen).toString('utf8');
          if (name.startsWith('word/')) word = true;
          if (name.startsWith('xl/')) xl = true;
          if (name === '[Content_Types].xml') ct = true;
          p += 46 + nameLen + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
        }
      }
    }
    if (ct && word && !xl) return 'docx';
    if (ct && xl && !word) return 'xlsx';
  }
  return null;
}

/** Stores a PDF/DOCX/XLSX attachment verified by content; returns the media row. */
export async function uploadAttachment(db: Db, uploadsDir: string, input: { bytes: Uint8Array; name: string; userId: number }): Promise<Media> {
  if (input.bytes.length === 0) throw new MediaError(`附件“${input.name}”是空文件。`);
  if (input.bytes.length > MAX_ATTACHMENT_BYTES) throw new MediaError(`附件“${input.name}”超过 20 MB。`);
  const ext = sniffAttachment(input.bytes);
  if (!ext) throw new MediaError(`附件“${input.name}”不是 PDF、DOCX 或 XLSX 文件，其他格式不能上传。`);
  const key = randomToken(12);
  await mkdir(uploadsDir, { recursive: true });
  await writeFile(join(uploadsDir, `${key}.${ext}`), input.bytes);
  const cleanName = input.name.replace(/[\\/\u0000-\u001f"]/g, '_').slice(0, 120) || `附件.${ext}`;
  const [row] = await db.insert(media).values({
    fileKey: key, kind: 'attachment', mime: MIME[ext], bytes: input.bytes.length, variants: '[]', alt: cleanName, originalName: cleanName, uploadedBy: input.userId, createdAt: Date.now(),
  }).returning();
  return row;
}

/** File name of an attachment under UPLOADS_DIR. */
export function attachmentFile(m: Pick<Media, 'fileKey' | 'mime'>): string {
  const ext = Object.entries(MIME).find(([, v]) => v === m.mime)?.[0] ?? 'bin';
  return `${m.fileKey}.${ext}`;
}

/** URLs of an image: src (a middle width), srcset, original. */
export function imageUrls(m: Pick<Media, 'fileKey' | 'mime' | 'variants' | 'width' | 'height'>) {
  const widths: number[] = JSON.parse(m.variants);
  const pick = widths.find((w) => w >= 960) ?? widths[widths.length - 1];
  const original = `/media/${attachmentFile(m)}`;
  return {
    src: pick ? `/media/${m.fileKey}-${pick}.webp` : original,
    srcset: widths.map((w) => `/media/${m.fileKey}-${w}.webp ${w}w`).join(', '),
    large: widths.length ? `/media/${m.fileKey}-${widths[widths.length - 1]}.webp` : original,
    original,
  };
}

/** One image of the library by id (undefined for attachments and unknown ids). */
export async function imageById(db: Db, id: number): Promise<Media | undefined> {
  const [row] = await db.select().from(media).where(eq(media.id, id));
  return row && row.kind === 'image' ? row : undefined;
}

/** Images in the library, newest first. */
export async function listImages(db: Db, limit = 100): Promise<Media[]> {
  return db.select().from(media).where(eq(media.kind, 'image')).orderBy(desc(media.id)).limit(limit);
}

/** Media rows by id (order kept). */
export async function mediaByIds(db: Db, ids: number[]): Promise<Media[]> {
  if (!ids.length) return [];
  const rows = await db.select().from(media).where(inArray(media.id, ids));
  return ids.map((id) => rows.find((r) => r.id === id)).filter((r): r is Media => !!r);
}

/** A stored file name as served under /media (generated names only). */
export const MEDIA_FILE = /^[a-z0-9]{16,32}(-\d{2,5})?\.(webp|jpg|png|pdf|docx|xlsx)$/;

/** Content type and download name for a served file; undefined when the name is not ours. */
export async function describeMediaFile(db: Db, file: string): Promise<{ mime: string; downloadName?: string } | undefined> {
  const m = MEDIA_FILE.exec(file);
  if (!m) return undefined;
  const ext = m[2];
  if (ext === 'pdf' || ext === 'docx' || ext === 'xlsx') {
    const key = file.slice(0, file.indexOf('.'));
    const [row] = await db.select().from(media).where(eq(media.fileKey, key));
    if (!row) return undefined;
    return { mime: MIME[ext], downloadName: row.originalName ?? file };
  }
  return { mime: MIME[ext] };
}
