// Progress notes (issue 20 接单): the holding team's leaders record how the work goes, with up to three
// private photos. The resident's /track shows a dated "服务进展已更新" — the text only when the leader ticks
// 告知群众, never the photos. Note, photo links, timeline step and audit row are one guarded batch.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { leaderMayWriteSql, leaderWriteRefusal } from '../accounts/policy.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditStatement } from '../audit/index.ts';
import { discardPrivateFiles } from '../media/private.ts';
import { randomToken } from '../../lib/ids.ts';
import { isPlainText } from '../../lib/plain-text.ts';
import { OrderError } from './index.ts';
import { orderHeldBy, refuseHeld } from './delivery.ts';
import { MAX_NOTE_PHOTOS, orderFileStatements, orderPhotos, storeOrderPhotos, type PhotoUpload } from './photos.ts';

/** What a note says on the resident's timeline when it is not told to them. */
export const PROGRESS_STEP = '服务进展已更新';

/** Adds a progress note to an order the team holds; returns the note id. */
export async function addProgressNote(
  db: Db,
  user: SessionUser,
  teamId: number,
  orderId: number,
  n: { body: string; toResident: boolean; photos?: { uploadsDir: string; files: PhotoUpload[] } },
  now = Date.now(),
): Promise<number> {
  const body = n.body.trim();
  if (body.length < 2) throw new OrderError('BAD_REQUEST', '请写一两句进展，例如“已上门查看，约好周六维修”', 'body');
  if (body.length > 500 || !isPlainText(body)) throw new OrderError('BAD_REQUEST', '进展说明不超过 500 字，且不含特殊控制字符', 'body');
  const refusal = await leaderWriteRefusal(db, user.id, teamId, '记录服务进展');
  if (refusal) throw refusal;
  if (!Number.isSafeInteger(orderId) || !(await orderHeldBy(db, teamId, orderId))) await refuseHeld(db, user, teamId, orderId);
  const files = n.photos ? await storeOrderPhotos(db, n.photos.uploadsDir, n.photos.files, { field: 'photos', max: MAX_NOTE_PHOTOS, userId: user.id }) : [];
  const key = randomToken(16);
  const noteId = sql`(SELECT id FROM service_order_notes WHERE note_key = ${key})`;
  const step = n.toResident ? `服务进展：${body}` : PROGRESS_STEP;
  let ok;
  try {
    ok = await guardedWrite(
      db,
      sql`INSERT INTO service_order_notes (order_id, team_id, author_id, body, to_resident, note_key, created_at)
        SELECT ${orderId}, ${teamId}, ${user.id}, ${body}, ${n.toResident ? 1 : 0}, ${key}, ${now}
        WHERE EXISTS (SELECT 1 FROM service_orders o WHERE o.id = ${orderId} AND o.status = 'assigned' AND o.team_id = ${teamId}) AND ${leaderMayWriteSql(teamId, user.id)}`,
      [
        ...orderFileStatements(orderId, files, noteId),
        sql`INSERT INTO service_order_steps (order_id, at, kind, text) VALUES (${orderId}, ${now}, 'progress', ${step})`,
        auditStatement({ actorId: user.id, action: 'order.progress', targetType: 'service_order', targetId: orderId, after: { toResident: n.toResident, photos: files.length } }),
        sql`SELECT id FROM service_order_notes WHERE note_key = ${key}`,
      ],
    );
  } catch (e) {
    if (files.length) await discardPrivateFiles(db, n.photos!.uploadsDir, files);
    throw e;
  }
  if (!ok) {
    if (files.length) await discardPrivateFiles(db, n.photos!.uploadsDir, files);
    return refuseHeld(db, user, teamId, orderId);
  }
  return Number(ok[ok.length - 1].rows[0].id);
}

/** An order's progress notes, oldest first, each with its author and photo URLs (for staff and the holding team). */
export async function progressNotes(db: Db, orderId: number) {
  const rows = await db.all<{ id: number; body: string; to_resident: number; created_at: number; author: string | null }>(
    sql`SELECT n.id, n.body, n.to_resident, n.created_at, (SELECT real_name FROM users WHERE id = n.author_id) AS author
      FROM service_order_notes n WHERE n.order_id = ${orderId} ORDER BY n.created_at, n.id LIMIT 100`,
  );
  const { byNote } = await orderPhotos(db, orderId);
  return rows.map((r) => ({ id: Number(r.id), body: r.body, toResident: Boolean(r.to_resident), at: Number(r.created_at), author: r.author ?? '', photos: byNote.get(Number(r.id)) ?? [] }));
}
