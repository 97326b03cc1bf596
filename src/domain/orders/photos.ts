// Private photos of a service order (issue 20): the resident's (at most two, with the order) and the
// holding team's progress-note photos. Stored with the one private-file path (docs/decisions/076,
// purpose 'service_order'), linked in service_order_files, served at /files only to those
// `mayViewOrderFile` names (docs/decisions/099).
import { asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { privateFiles, serviceOrderFiles } from '../../../db/schema/index.ts';
import { MediaError, sniffImage } from '../media/index.ts';
import { discardPrivateFiles, privateImageUrls, uploadPrivateImage } from '../media/private.ts';
import { OrderError } from './index.ts';

/** Photos a resident may attach to an order. */
export const MAX_ORDER_PHOTOS = 2;
/** Photos one progress note may carry. */
export const MAX_NOTE_PHOTOS = 3;
/** Per photo: three fit under the 12 MB request limit, so a form with photos is never cut off by a 413 page. */
export const MAX_ORDER_PHOTO_BYTES = 4 * 1024 * 1024;

/** An uploaded file as the Action hands it on (empty file inputs already dropped). */
export interface PhotoUpload {
  bytes: Uint8Array;
  name: string;
}

/**
 * Checks and stores photos as private files; returns their ids in order. Refuses too many, a type other
 * than JPEG/PNG or an oversized file next to `field`, storing nothing. The caller links the ids in the
 * same batch as its record and discards them when that write fails.
 */
export async function storeOrderPhotos(db: Db, uploadsDir: string, files: PhotoUpload[], o: { field: string; max: number; userId: number | null }): Promise<number[]> {
  const list = files.filter((f) => f.bytes.length > 0);
  if (list.length > o.max) throw new OrderError('BAD_REQUEST', `最多上传 ${o.max} 张照片，请重新选择`, o.field);
  for (const f of list) {
    const kind = sniffImage(f.bytes);
    if (kind !== 'jpeg' && kind !== 'png') throw new OrderError('BAD_REQUEST', `“${shortName(f.name)}”不是 JPG 或 PNG 格式的照片，请重新选择`, o.field);
    if (f.bytes.length > MAX_ORDER_PHOTO_BYTES) throw new OrderError('BAD_REQUEST', `“${shortName(f.name)}”超过 4 MB，请压缩后重新选择`, o.field);
  }
  const stored: number[] = [];
  for (const f of list) {
    try {
      stored.push((await uploadPrivateImage(db, uploadsDir, { bytes: f.bytes, name: f.name, purpose: 'service_order', userId: o.userId })).id);
    } catch (e) {
      await discardPrivateFiles(db, uploadsDir, stored);
      if (e instanceof MediaError) throw new OrderError('BAD_REQUEST', `“${shortName(f.name)}”：${e.message}`, o.field);
      throw e;
    }
  }
  return stored;
}

const shortName = (name: string) => (name.length > 40 ? `${name.slice(0, 37)}…` : name) || '照片';

/** Statements linking stored photos to an order (and a note), for the batch that writes the record. */
export function orderFileStatements(orderId: number | SQL, fileIds: number[], noteId: SQL | null = null): SQL[] {
  return fileIds.map((fileId) => sql`INSERT INTO service_order_files (file_id, order_id, note_id) VALUES (${fileId}, ${orderId}, ${noteId})`);
}

/** Thumbnail and full URLs (under /files) of an order's photos: the resident's, and each note's by note id. */
export async function orderPhotos(db: Db, orderId: number) {
  const rows = await db
    .select({ noteId: serviceOrderFiles.noteId, f: privateFiles })
    .from(serviceOrderFiles)
    .innerJoin(privateFiles, eq(privateFiles.id, serviceOrderFiles.fileId))
    .where(eq(serviceOrderFiles.orderId, orderId))
    .orderBy(asc(serviceOrderFiles.fileId));
  const resident = rows.filter((r) => r.noteId == null).map((r) => privateImageUrls(r.f));
  const byNote = new Map<number, ReturnType<typeof privateImageUrls>[]>();
  for (const r of rows) if (r.noteId != null) byNote.set(r.noteId, [...(byNote.get(r.noteId) ?? []), privateImageUrls(r.f)]);
  return { resident, byNote };
}

/** The resident's photos of several orders at once (the team's list), by order id. */
export async function residentPhotosOf(db: Db, orderIds: number[]) {
  const out = new Map<number, ReturnType<typeof privateImageUrls>[]>();
  if (!orderIds.length) return out;
  const rows = await db
    .select({ orderId: serviceOrderFiles.orderId, noteId: serviceOrderFiles.noteId, f: privateFiles })
    .from(serviceOrderFiles)
    .innerJoin(privateFiles, eq(privateFiles.id, serviceOrderFiles.fileId))
    .where(inArray(serviceOrderFiles.orderId, orderIds))
    .orderBy(asc(serviceOrderFiles.fileId));
  for (const r of rows) if (r.noteId == null) out.set(r.orderId, [...(out.get(r.orderId) ?? []), privateImageUrls(r.f)]);
  return out;
}
