// Private evidence: a volunteer's on-site photo with an hour claim, a nominator's photo, the photos
// of a delivered lecture. Not library media (docs/decisions/076): its own table, its own folder
// (UPLOADS_DIR/private), 160-bit names, served at /files/<name> only to the people the record
// names — and never listed to editors, never cached, never reachable by counting.
import { copyFile, mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { media, privateFiles } from '../../../db/schema/index.ts';
import { randomToken } from '../../lib/ids.ts';
import { can, isTeamLeader } from '../accounts/policy.ts';
import { mayViewOrderFile } from '../orders/access.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { MEDIA_FILE, encodeImage, imageUrls, mimeOf, removeFiles, storedNames, type Media, type ServedFile } from './index.ts';

export type PrivateFile = typeof privateFiles.$inferSelect;
export type PrivatePurpose = 'hour_claim' | 'nomination' | 'lecture' | 'recommendation' | 'service_order' | 'household_claim';

/** Sub-folder of UPLOADS_DIR holding private files (never a static or public path). */
export const PRIVATE_DIR = 'private';

/** Private file names carry 20 random bytes (32 base32 characters). */
const PRIVATE_KEY_BYTES = 20;

/** Folder of the private files. */
export function privateDir(uploadsDir: string): string {
  return join(uploadsDir, PRIVATE_DIR);
}

/** Stores an image as private evidence: checked and re-encoded like library images (EXIF/GPS dropped), kept apart. */
export async function uploadPrivateImage(db: Db, uploadsDir: string, input: { bytes: Uint8Array; name?: string; purpose: PrivatePurpose; userId: number | null }): Promise<PrivateFile> {
  const dir = privateDir(uploadsDir);
  const img = await encodeImage(dir, input.bytes, PRIVATE_KEY_BYTES);
  try {
    const [row] = await db
      .insert(privateFiles)
      .values({
        fileKey: img.key,
        purpose: input.purpose,
        mime: img.mime,
        width: img.width,
        height: img.height,
        bytes: img.bytes,
        variants: JSON.stringify(img.variants),
        originalName: (input.name ?? '').slice(0, 200) || null,
        uploadedBy: input.userId,
        createdAt: Date.now(),
      })
      .returning();
    return row;
  } catch (e) {
    await removeFiles(dir, img.files);
    throw e;
  }
}

/** Deletes private files whose record was never written (e.g. the claim was refused after the upload). */
export async function discardPrivateFiles(db: Db, uploadsDir: string, ids: number[]): Promise<void> {
  for (const id of ids) {
    const [row] = await db.delete(privateFiles).where(eq(privateFiles.id, id)).returning();
    if (row) await removeFiles(privateDir(uploadsDir), storedNames(row));
  }
}

/** URLs of a private image under /files (thumb for lists, src for viewing). */
export function privateImageUrls(f: Pick<PrivateFile, 'fileKey' | 'mime' | 'variants' | 'width' | 'height'>) {
  return imageUrls(f, '/files');
}

/** Private file rows by id (order kept, unknown ids dropped). */
export async function privateFilesByIds(db: Db, ids: number[]): Promise<PrivateFile[]> {
  const out: PrivateFile[] = [];
  for (const id of ids) {
    const [row] = await db.select().from(privateFiles).where(eq(privateFiles.id, id));
    if (row) out.push(row);
  }
  return out;
}

/**
 * Whether the user may see a private file. The records that hold it decide, not the file's purpose:
 * an hour record — its volunteer and the team's leaders; a nomination — the staff who handle
 * nominations; a lecture order — the staff who handle lecture orders; a service order — see `maySeeOrderPrivate`.
 */
export async function mayViewPrivateFile(db: Db, user: SessionUser | null | undefined, fileId: number): Promise<boolean> {
  if (!user || user.status !== 'active') return false;
  const hours = await db.all<{ user_id: number; team_id: number }>(sql`SELECT user_id, team_id FROM hour_records WHERE photo_file_id = ${fileId} LIMIT 20`);
  for (const r of hours) {
    if (Number(r.user_id) === user.id || (await isTeamLeader(db, user, Number(r.team_id)))) return true;
  }
  if (can(user, 'nominations.handle')) {
    const n = await db.all(sql`SELECT 1 FROM nominations WHERE photo_file_id = ${fileId} LIMIT 1`);
    if (n.length) return true;
  }
  if (can(user, 'lectures.handle')) {
    // Lecture orders are service orders since 0023 (docs/decisions/101): the photos sit in their lecture facts.
    const o = await db.all(sql`SELECT 1 FROM service_orders o, json_each(o.lecture, '$.photoFileIds') j
      WHERE o.lecture IS NOT NULL AND j.value = ${fileId} LIMIT 1`);
    if (o.length) return true;
  }
  // 推荐表 photos: the 宣传 staff who prepare recommendations upward (issue 19 item 5).
  if (can(user, 'honors.edit')) {
    const h = await db.all(sql`SELECT 1 FROM honorees h WHERE h.id_photo_file_id = ${fileId}
      OR EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(h.life_photo_file_ids) THEN h.life_photo_file_ids ELSE '[]' END) j WHERE j.value = ${fileId}) LIMIT 1`);
    if (h.length) return true;
  }
  // A household 申报's photo: the household's members and its village's 评议员 and clerks (issue 21).
  const e = await db.all(sql`SELECT 1 FROM household_entries e WHERE e.photo_file_id = ${fileId}
    AND (EXISTS (SELECT 1 FROM household_members m WHERE m.household_id = e.household_id AND m.user_id = ${user.id})
      OR EXISTS (SELECT 1 FROM village_roles r WHERE r.village_id = e.village_id AND r.user_id = ${user.id})
      OR ${can(user, 'villages.manage') ? 1 : 0} = 1) LIMIT 1`);
  if (e.length) return true;
  // 四单 photos (the resident's and progress notes'): handling staff and the holding team's leaders (docs/decisions/099).
  return mayViewOrderFile(db, user, fileId);
}

/** The private file behind /files/<file> when the viewer may see it, else undefined: the route answers 404 either way. */
export async function privateFileFor(db: Db, uploadsDir: string, file: string, viewer: SessionUser | null | undefined): Promise<ServedFile | undefined> {
  const m = MEDIA_FILE.exec(file);
  if (!m || !viewer) return undefined;
  const [row] = await db.select().from(privateFiles).where(eq(privateFiles.fileKey, m[1]));
  if (!row || !storedNames(row).includes(file)) return undefined;
  if (!(await mayViewPrivateFile(db, viewer, row.id))) return undefined;
  return { path: join(privateDir(uploadsDir), file), mime: mimeOf(m[2]), audience: 'private' };
}

/**
 * Copies a private image into the media library under a new key (e.g. a nominator's photo once
 * the honoree's photo consent is recorded). The private original stays with its record.
 */
export async function copyPrivateImageToLibrary(db: Db, uploadsDir: string, f: PrivateFile, alt: string, userId: number): Promise<Media> {
  const key = randomToken(12);
  const names = storedNames(f);
  const copied: string[] = [];
  await mkdir(uploadsDir, { recursive: true });
  try {
    for (const name of names) {
      const target = key + name.slice(f.fileKey.length);
      await copyFile(join(privateDir(uploadsDir), name), join(uploadsDir, target));
      copied.push(target);
    }
    const [row] = await db
      .insert(media)
      .values({
        fileKey: key,
        kind: 'image',
        mime: f.mime,
        width: f.width,
        height: f.height,
        bytes: f.bytes,
        variants: f.variants,
        alt,
        originalName: f.originalName,
        uploadedBy: userId,
        createdAt: Date.now(),
      })
      .returning();
    return row;
  } catch (e) {
    await removeFiles(uploadsDir, copied);
    throw e;
  }
}

/**
 * Moves the files of private rows that still sit in the public folder (rows migrated from the media
 * library by migration 0007) into UPLOADS_DIR/private. A file whose key the library still holds
 * (a lecture photo picked from the library) is copied instead. Idempotent; returns the files moved.
 */
export async function relocatePrivateFiles(db: Db, uploadsDir: string): Promise<number> {
  let present: Set<string>;
  try {
    present = new Set(await readdir(uploadsDir));
  } catch {
    return 0; // no uploads yet
  }
  await mkdir(privateDir(uploadsDir), { recursive: true });
  const already = new Set(await readdir(privateDir(uploadsDir)));
  const rows = await db.select().from(privateFiles);
  let moved = 0;
  for (const row of rows) {
    const names = storedNames(row).filter((n) => present.has(n) && !already.has(n));
    if (!names.length) continue;
    const [libraryCopy] = await db.select({ id: media.id }).from(media).where(eq(media.fileKey, row.fileKey));
    for (const name of names) {
      if (libraryCopy) await copyFile(join(uploadsDir, name), join(privateDir(uploadsDir), name));
      else await rename(join(uploadsDir, name), join(privateDir(uploadsDir), name));
      moved++;
    }
  }
  return moved;
}
