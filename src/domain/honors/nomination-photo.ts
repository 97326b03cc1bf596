// A nominator's photo is private evidence (docs/decisions/076). Once the honoree's photo consent is
// recorded, staff may adopt it as the entry's photo: a copy enters the media library, and the public
// sees it only through the entry, while the entry is public and the consent stands.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { media, nominations } from '../../../db/schema/index.ts';
import { copyPrivateImageToLibrary, privateFilesByIds, privateImageUrls, type PrivateFile } from '../media/private.ts';
import { removeFiles, storedNames } from '../media/index.ts';
import { getHonoree, type Actor } from './admin.ts';
import { publicHonoreeName } from './public.ts';
import { HonorError } from './rules.ts';
import { auditStatement } from '../audit/index.ts';

/** The photo the nomination behind an entry carried, if any. */
async function nominationPhoto(db: Db, nominationId: number | null): Promise<PrivateFile | undefined> {
  if (!nominationId) return undefined;
  const [n] = await db.select({ photoFileId: nominations.photoFileId }).from(nominations).where(eq(nominations.id, nominationId));
  const [f] = await privateFilesByIds(db, n?.photoFileId ? [n.photoFileId] : []);
  return f;
}

/** URLs (under /files, staff only) of the nominator's photo for an entry's console page. */
export async function nominationPhotoOf(db: Db, h: { nominationId: number | null }) {
  const f = await nominationPhoto(db, h.nominationId);
  return f ? privateImageUrls(f) : undefined;
}

/** Makes a library copy of the nominator's photo the entry's photo; refused until photo consent is recorded. */
export async function adoptNominationPhoto(db: Db, uploadsDir: string, actor: Actor, honoreeId: number, now = Date.now()): Promise<void> {
  const h = await getHonoree(db, honoreeId);
  if (h.status === 'withdrawn') throw new HonorError('conflict', '已撤榜的条目不能更换照片');
  if (!h.photoConsent) throw new HonorError('invalid', '请先勾选“同意公开照片”、填写同意记录并保存条目，再采用推荐人提供的照片。');
  const f = await nominationPhoto(db, h.nominationId);
  if (!f) throw new HonorError('not_found', '该条目的推荐线索没有照片');
  const copy = await copyPrivateImageToLibrary(db, uploadsDir, f, `${publicHonoreeName(h)}的照片`, actor.id);
  const written = await guardedWrite(db, sql`UPDATE honorees SET photo_media_id = ${copy.id}, updated_at = ${now} WHERE id = ${h.id} AND status = ${h.status} AND photo_consent = 1`, [
    auditStatement({
      actorId: actor.id,
      action: 'honors.honoree.adoptPhoto',
      targetType: 'honoree',
      targetId: h.id,
      before: { photoMediaId: h.photoMediaId },
      after: { photoMediaId: copy.id },
      ip: actor.ip,
    }),
  ]);
  if (!written) {
    await db.delete(media).where(eq(media.id, copy.id));
    await removeFiles(uploadsDir, storedNames(copy));
    throw new HonorError('conflict', '该条目刚刚被修改（可能撤回了照片同意），请刷新后重试');
  }
}
