// Media library: images verified by content and re-encoded with sharp (metadata
// stripped) in several widths; PDF/DOCX/XLSX attachments verified by magic bytes.
// Files live under UPLOADS_DIR with generated names; /media/<file> serves them to the
// public only while a published article or honoree uses them (docs/decisions/076).
// Private evidence (claim, nomination and lecture photos) is not library media: see private.ts.
import sharp, { type Metadata } from 'sharp';
import { mkdir, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { media } from '../../../db/schema/index.ts';
import { randomToken } from '../../lib/ids.ts';
import { Refusal } from '../refusal.ts';
import { can } from '../accounts/policy.ts';
import type { SessionUser } from '../accounts/sessions.ts';

export type Media = typeof media.$inferSelect;

export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 40_000_000;
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
/** Widths generated for every image (WebP), never larger than the original. */
export const IMAGE_WIDTHS = [480, 960, 1600];

/** A refused upload, with a Chinese message for the person uploading. */
export class MediaError extends Refusal {
  constructor(message: string, field?: string) {
    super('BAD_REQUEST', message, field);
    this.name = 'MediaError';
  }
}

type ImageFormat = 'jpeg' | 'png' | 'webp';
const EXT: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp' };
const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Content type of a stored file by its extension. */
export function mimeOf(ext: string): string {
  return MIME[ext] ?? 'application/octet-stream';
}

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

/** An image re-encoded into a folder: its generated key, the stored original and the WebP widths. */
export interface EncodedImage {
  key: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  variants: number[];
  files: string[];
}

/**
 * Checks an image and writes it re-encoded without EXIF/GPS (the original format plus WebP
 * widths) into `dir` under a new random key of `keyBytes` bytes. Throws MediaError when refused;
 * on any failure no file is left behind. Callers record the row (library or private).
 */
export async function encodeImage(dir: string, bytes: Uint8Array, keyBytes = 12): Promise<EncodedImage> {
  const { format } = await inspectImage(bytes);
  const key = randomToken(keyBytes);
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  try {
    // limitInputPixels guards decoding as well; rotate() applies EXIF orientation before metadata is dropped.
    const base = () => sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' }).rotate();
    const original = format === 'jpeg' ? base().jpeg({ quality: 85, mozjpeg: true }) : format === 'png' ? base().png({ compressionLevel: 9 }) : base().webp({ quality: 85 });
    const { data, info } = await original.toBuffer({ resolveWithObject: true });
    const origName = `${key}.${EXT[format]}`;
    await writeFile(join(dir, origName), data);
    written.push(origName);
    const widths = IMAGE_WIDTHS.filter((w) => w < info.width);
    if (!widths.length || info.width <= IMAGE_WIDTHS[IMAGE_WIDTHS.length - 1]) widths.push(info.width);
    const variants = [...new Set(widths)].sort((a, b) => a - b);
    for (const w of variants) {
      const buf = await base().resize({ width: w, withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
      const name = `${key}-${w}.webp`;
      await writeFile(join(dir, name), buf);
      written.push(name);
    }
    return { key, mime: MIME[EXT[format]], width: info.width, height: info.height, bytes: data.length, variants, files: written };
  } catch (e) {
    await removeFiles(dir, written);
    if (e instanceof MediaError) throw e;
    throw new MediaError('图片处理失败，请确认文件完整后重试。');
  }
}

/** Deletes files of a failed upload (best effort). */
export async function removeFiles(dir: string, names: string[]): Promise<void> {
  for (const f of names) await unlink(join(dir, f)).catch(() => {});
}

/** Stores a library image: verified, re-encoded without EXIF/GPS, in several widths; returns the media row. */
export async function uploadImage(db: Db, uploadsDir: string, input: { bytes: Uint8Array; name?: string; alt: string; userId: number | null; field?: string }): Promise<Media> {
  const alt = input.alt.trim();
  if (!alt) throw new MediaError('请填写图片说明（替代文字），供读屏软件朗读。');
  // `field`: the form input the refusal is shown next to (the article form's cover upload).
  const img = await encodeImage(uploadsDir, input.bytes).catch((e: unknown) => {
    throw e instanceof MediaError && input.field ? new MediaError(e.message, input.field) : e;
  });
  try {
    const [row] = await db
      .insert(media)
      .values({
        fileKey: img.key,
        kind: 'image',
        mime: img.mime,
        width: img.width,
        height: img.height,
        bytes: img.bytes,
        variants: JSON.stringify(img.variants),
        alt,
        originalName: (input.name ?? '').slice(0, 200) || null,
        uploadedBy: input.userId,
        createdAt: Date.now(),
      })
      .returning();
    return row;
  } catch (e) {
    await removeFiles(uploadsDir, img.files);
    throw e;
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

/**
 * The name an attachment is downloaded and listed under: the uploader's name without control,
 * invisible or direction characters (`发票\u202Efdp.exe`) and path separators, ending in the
 * extension of what the bytes are — `evil.html` that passed the PDF check is `evil.pdf`
 * (issue 15, item 12).
 */
export function attachmentName(name: string | null | undefined, ext: string): string {
  let base = (name ?? '')
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[\\/:*?"<>|]/g, '_')
    .trim();
  const dot = base.lastIndexOf('.');
  if (dot > 0 && /^[\p{L}\p{N}]{1,8}$/u.test(base.slice(dot + 1))) base = base.slice(0, dot);
  base = base.replace(/[.\s]+$/, '').slice(0, 100) || '附件';
  if (base.toLowerCase().endsWith(`.${ext}`)) base = base.slice(0, -ext.length - 1);
  return `${base}.${ext}`;
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
  const cleanName = attachmentName(input.name, ext);
  const [row] = await db
    .insert(media)
    .values({
      fileKey: key,
      kind: 'attachment',
      mime: MIME[ext],
      bytes: input.bytes.length,
      variants: '[]',
      alt: cleanName,
      originalName: cleanName,
      uploadedBy: input.userId,
      createdAt: Date.now(),
    })
    .returning();
  return row;
}

/** File name of an attachment under UPLOADS_DIR. */
export function attachmentFile(m: Pick<Media, 'fileKey' | 'mime'>): string {
  const ext = Object.entries(MIME).find(([, v]) => v === m.mime)?.[0] ?? 'bin';
  return `${m.fileKey}.${ext}`;
}

/** Every file name stored for a row: the original (or the attachment) and each WebP width. */
export function storedNames(m: Pick<Media, 'fileKey' | 'mime' | 'variants'>): string[] {
  const widths: number[] = JSON.parse(m.variants || '[]');
  return [attachmentFile(m), ...widths.map((w) => `${m.fileKey}-${w}.webp`)];
}

/** URLs of an image: src (a middle width), srcset, original. `base` is /media for the library, /files for private files. */
export function imageUrls(m: Pick<Media, 'fileKey' | 'mime' | 'variants' | 'width' | 'height'>, base = '/media') {
  const widths: number[] = JSON.parse(m.variants);
  const pick = widths.find((w) => w >= 960) ?? widths[widths.length - 1];
  const original = `${base}/${attachmentFile(m)}`;
  return {
    src: pick ? `${base}/${m.fileKey}-${pick}.webp` : original,
    srcset: widths.map((w) => `${base}/${m.fileKey}-${w}.webp ${w}w`).join(', '),
    large: widths.length ? `${base}/${m.fileKey}-${widths[widths.length - 1]}.webp` : original,
    thumb: widths.length ? `${base}/${m.fileKey}-${widths[0]}.webp` : original,
    original,
  };
}

/** Images in the library, newest first (private evidence is never here: it lives in private_files). */
export async function listImages(db: Db, limit = 100): Promise<Media[]> {
  return db.select().from(media).where(eq(media.kind, 'image')).orderBy(desc(media.id)).limit(limit);
}

/** Media rows by id (order kept). */
export async function mediaByIds(db: Db, ids: number[]): Promise<Media[]> {
  if (!ids.length) return [];
  const rows = await db.select().from(media).where(inArray(media.id, ids));
  return ids.map((id) => rows.find((r) => r.id === id)).filter((r): r is Media => !!r);
}

/** A stored file name as served (generated names only): key, optional width, extension. */
export const MEDIA_FILE = /^([a-z0-9]{16,32})(?:-\d{1,5})?\.(webp|jpg|png|pdf|docx|xlsx)$/;

/** A file the portal may send: where it is, its type, and who the answer may be cached for. */
export interface ServedFile {
  path: string;
  mime: string;
  /** Set for documents: sent as a download under this name. */
  downloadName?: string;
  /** public: anyone may see it now (short shared caching); private: only this viewer (never stored). */
  audience: 'public' | 'private';
}

/**
 * Whether something the public may see uses the library file now: a published article (cover,
 * attachment or body image), the story of a published honoree or of a candidate in 公示, or the picture
 * of a 积分超市 item on an open shop's shelf.
 * Read at each request (one primary-key range of media_uses), so withdrawing needs no bookkeeping.
 */
export async function isPubliclyUsed(db: Db, mediaId: number): Promise<boolean> {
  const rows = await db.all(sql`SELECT 1 FROM media_uses u
      LEFT JOIN articles a ON u.subject_type = 'article' AND a.id = u.subject_id
      LEFT JOIN honorees h ON u.subject_type = 'honoree' AND h.id = u.subject_id
      LEFT JOIN honor_batches b ON b.id = h.batch_id
    WHERE u.media_id = ${mediaId} AND (a.status = 'published' OR h.status = 'published' OR (h.status = 'candidate' AND b.status = 'publicity'))
    LIMIT 1`);
  if (rows.length > 0) return true;
  // A 积分超市 item's picture, while the item is on an open shop's shelf (/shop shows it).
  const items = await db.all(sql`SELECT 1 FROM shop_items i JOIN shops s ON s.id = i.shop_id WHERE i.photo_media_id = ${mediaId} AND i.active = 1 AND s.active = 1 LIMIT 1`);
  return items.length > 0;
}

/** Staff who prepare and review content see library files before (and after) they are public: drafts, previews, the library. */
export function seesUnpublishedMedia(user: SessionUser | null | undefined): boolean {
  return can(user, 'console.enter');
}

/**
 * The library file behind /media/<file> for this viewer, or undefined (the route answers 404):
 * public while something public uses it, to console staff always, to nobody else.
 */
export async function libraryFileFor(db: Db, uploadsDir: string, file: string, viewer: SessionUser | null | undefined): Promise<ServedFile | undefined> {
  const m = MEDIA_FILE.exec(file);
  if (!m) return undefined;
  const [row] = await db.select().from(media).where(eq(media.fileKey, m[1]));
  if (!row || !storedNames(row).includes(file)) return undefined;
  const ext = m[2];
  const served = { path: join(uploadsDir, file), mime: mimeOf(ext), downloadName: row.kind === 'attachment' ? attachmentName(row.originalName, ext) : undefined };
  if (await isPubliclyUsed(db, row.id)) return { ...served, audience: 'public' };
  if (seesUnpublishedMedia(viewer)) return { ...served, audience: 'private' };
  return undefined;
}

/**
 * The photo of a honoree at /honors/<slug>/photo.webp: served only while the entry is public
 * (published, or a candidate in 公示) and its photo consent is recorded.
 */
export async function honoreePhotoFile(db: Db, uploadsDir: string, slug: string): Promise<ServedFile | undefined> {
  if (!/^[a-z0-9-]{1,80}$/i.test(slug)) return undefined;
  const [r] = await db.all<Record<string, unknown>>(sql`SELECT m.file_key, m.mime, m.variants, m.width, m.height FROM honorees h
      JOIN media m ON m.id = h.photo_media_id AND m.kind = 'image'
      LEFT JOIN honor_batches b ON b.id = h.batch_id
    WHERE h.slug = ${slug} AND h.photo_consent = 1 AND (h.status = 'published' OR (h.status = 'candidate' AND b.status = 'publicity'))`);
  if (!r) return undefined;
  const src = imageUrls({ fileKey: String(r.file_key), mime: String(r.mime), variants: String(r.variants), width: null, height: null }).src;
  const name = src.slice(src.lastIndexOf('/') + 1);
  return { path: join(uploadsDir, name), mime: mimeOf(name.slice(name.lastIndexOf('.') + 1)), audience: 'public' };
}
