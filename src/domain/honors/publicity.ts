// 公示: candidates on show, likes (once per candidate, visitor and day), objections (异议)
// and the staff view that makes 刷票 visible. No personal data is stored for likes:
// the visitor cookie and the IP address are kept only as keyed hashes.
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { honorBatches, honorees, objections } from '../../../db/schema/index.ts';
import { hitRateLimit } from '../accounts/rate-limit.ts';
import { keyedHash } from '../../lib/pii.ts';
import { shanghaiDay } from '../../lib/time.ts';
import { humanCode } from '../../lib/ids.ts';
import { randomInt } from 'node:crypto';
import { HonorError } from './rules.ts';
import { publicHonoree } from './public.ts';
import { audit, auditStatement } from '../audit/index.ts';
import type { Actor } from './admin.ts';

export const OBJECTIONS_PER_IP_PER_DAY = 10;
/**
 * New visitors (no visitor cookie of ours yet) whose likes one address may bring in a day, and likes
 * of any visitor per address and hour: a village's shared NAT address keeps working, a script that
 * drops its cookie before every POST stops moving the count (issue 15, item 16; docs/decisions/081).
 */
export const NEW_LIKE_VISITORS_PER_IP_PER_DAY = 20;
export const LIKES_PER_IP_PER_HOUR = 300;

/** A new visitor cookie: random, signed with the key so a made-up value counts as no cookie. */
export function newVisitorToken(secretKey: Buffer, random: string): string {
  return `${random}.${keyedHash(secretKey, random, 'visitor-cookie').slice(0, 20)}`;
}

/** True when the cookie value is one this portal issued. */
export function isVisitorToken(secretKey: Buffer, token: string | undefined): token is string {
  if (!token || !/^[a-z2-7]{16,64}\.[0-9a-f]{20}$/.test(token)) return false;
  const random = token.slice(0, token.indexOf('.'));
  return newVisitorToken(secretKey, random) === token;
}

/** Keyed hashes of the visitor cookie and IP address (never stored in clear). */
export function likeKeys(secretKey: Buffer, visitorToken: string, ip: string) {
  return { visitorKey: keyedHash(secretKey, visitorToken, 'like-visitor'), ipHash: keyedHash(secretKey, ip, 'like-ip') };
}

/** Batches in 公示 now (or awaiting 终审), each with its candidates as the public sees them; newest first. */
export async function listCandidateBatches(db: Db, now = Date.now()) {
  const batches = await db.select().from(honorBatches).where(eq(honorBatches.status, 'publicity')).orderBy(desc(honorBatches.publicityStartsAt), desc(honorBatches.id));
  if (!batches.length) return [];
  const hs = await db
    .select()
    .from(honorees)
    .where(
      and(
        inArray(
          honorees.batchId,
          batches.map((b) => b.id),
        ),
        eq(honorees.status, 'candidate'),
      ),
    )
    .orderBy(asc(honorees.id));
  return batches.map((b) => ({
    ...b,
    open: (b.publicityStartsAt ?? 0) <= now && now <= (b.publicityEndsAt ?? 0),
    candidates: hs.filter((h) => h.batchId === b.id).map(publicHonoree),
  }));
}

/** A candidate on show (for the objection form) as the public sees it, or undefined. */
export async function getCandidate(db: Db, id: number) {
  const [row] = await db
    .select({ h: honorees, batch: honorBatches })
    .from(honorees)
    .innerJoin(honorBatches, eq(honorBatches.id, honorees.batchId))
    .where(and(eq(honorees.id, id), eq(honorees.status, 'candidate'), eq(honorBatches.status, 'publicity')));
  return row ? publicHonoree({ ...row.h, batch: row.batch }) : undefined;
}

/**
 * One like for a candidate by a visitor, at most once per Shanghai day: one guarded
 * INSERT against the unique (honoree, visitor, day) index; like_count follows by trigger.
 */
export async function likeCandidate(db: Db, input: { honoreeId: number; visitorKey: string; ipHash: string; newVisitor?: boolean }, now = Date.now()): Promise<{ liked: boolean; count: number }> {
  const day = shanghaiDay(now);
  // Counted before the like, atomically (one UPSERT each): parallel requests cannot all slip under a limit.
  if (input.newVisitor && !(await hitRateLimit(db, `like-new:${input.ipHash}`, NEW_LIKE_VISITORS_PER_IP_PER_DAY, 86400_000, now)).allowed) {
    throw new HonorError('rate_limited', '您所在的网络今天新来的点赞已经很多了，为防止刷票，请明天再来点赞（已点的赞不受影响）');
  }
  if (!(await hitRateLimit(db, `like-ip:${input.ipHash}`, LIKES_PER_IP_PER_HOUR, 3600_000, now)).allowed) {
    throw new HonorError('rate_limited', '您所在的网络点赞过于频繁，为防止刷票，请一小时后再试');
  }
  const liked = await db.all(sql`INSERT INTO likes (honoree_id, visitor_key, ip_hash, day, created_at)
    SELECT ${input.honoreeId}, ${input.visitorKey}, ${input.ipHash}, ${day}, ${now}
    WHERE EXISTS (SELECT 1 FROM honorees h JOIN honor_batches b ON b.id = h.batch_id
                  WHERE h.id = ${input.honoreeId} AND h.status = 'candidate' AND b.status = 'publicity'
                    AND b.publicity_starts_at <= ${now} AND b.publicity_ends_at >= ${now})
    ON CONFLICT (honoree_id, visitor_key, day) DO NOTHING
    RETURNING id`);
  const [h] = await db.select({ likeCount: honorees.likeCount }).from(honorees).where(eq(honorees.id, input.honoreeId));
  if (liked.length) return { liked: true, count: h?.likeCount ?? 0 };
  const c = await getCandidate(db, input.honoreeId);
  if (!c) throw new HonorError('not_found', '该候选人不在公示中，无法点赞');
  if (!((c.batch.publicityStartsAt ?? 0) <= now && now <= (c.batch.publicityEndsAt ?? 0))) throw new HonorError('conflict', '不在公示期内，无法点赞');
  return { liked: false, count: h?.likeCount ?? 0 };
}

/** Files an objection against a candidate in 公示 (rate-limited per IP per day). */
export async function fileObjection(
  db: Db,
  secretKey: Buffer,
  input: { honoreeId: number; text: string; contact?: string },
  ip: string,
  now = Date.now(),
): Promise<{ id: number; trackingNo: string; pin: string; pinIsPhone: boolean }> {
  const ipHash = keyedHash(secretKey, ip, 'objection-ip');
  const limit = await hitRateLimit(db, `objection:${ipHash}`, OBJECTIONS_PER_IP_PER_DAY, 86400_000, now);
  if (!limit.allowed) throw new HonorError('rate_limited', '同一网络今天提交的异议已达上限，请明天再试或致电宣传部');
  // /track asks for a number and four digits (issue 18, item 7): the phone's last four when the
  // objector left a phone, otherwise a random code the confirmation page shows once.
  const phonePin = objectionPhonePin(input.contact);
  const pin = phonePin ?? String(randomInt(0, 10_000)).padStart(4, '0');
  for (let attempt = 0; attempt < 5; attempt++) {
    const trackingNo = objectionTrackingNumber(now);
    const [row] = await db.all<{ id: number }>(sql`INSERT INTO objections (tracking_no, track_pin, honoree_id, text, contact, status, created_at)
      SELECT ${trackingNo}, ${pin}, ${input.honoreeId}, ${input.text}, ${input.contact || null}, 'open', ${now}
      WHERE EXISTS (SELECT 1 FROM honorees h JOIN honor_batches b ON b.id = h.batch_id
                    WHERE h.id = ${input.honoreeId} AND h.status = 'candidate' AND b.status IN ('publicity','review'))
      ON CONFLICT (tracking_no) DO NOTHING
      RETURNING id`);
    if (row) return { id: Number(row.id), trackingNo, pin, pinIsPhone: phonePin !== null };
    // Nothing inserted: the candidate is not in 公示, or (rarely) the random number was taken — then try another.
    const [open] = await db.all(sql`SELECT 1 FROM honorees h JOIN honor_batches b ON b.id = h.batch_id
      WHERE h.id = ${input.honoreeId} AND h.status = 'candidate' AND b.status IN ('publicity','review')`);
    if (!open) break;
  }
  throw new HonorError('not_found', '该候选人不在公示中，无法提出异议');
}

/** YY-<year in Beijing>-<6 characters>: an objection's tracking number. */
export function objectionTrackingNumber(now: number): string {
  return `YY-${shanghaiDay(now).slice(0, 4)}-${humanCode(6)}`;
}

/** The last four digits of a contact that ends in a phone number (7+ digits, spaces and hyphens ignored), else null. */
export function objectionPhonePin(contact: string | undefined): string | null {
  const c = (contact ?? '').replace(/[\s-]/g, '');
  return /\d{7}$/.test(c) ? c.slice(-4) : null;
}

/** Objections on a batch's entries, open first. */
export async function listObjections(db: Db, batchId: number) {
  return db
    .select({ o: objections, honoreeName: honorees.name, honoreeId: honorees.id })
    .from(objections)
    .innerJoin(honorees, eq(honorees.id, objections.honoreeId))
    .where(eq(honorees.batchId, batchId))
    .orderBy(sql`CASE ${objections.status} WHEN 'open' THEN 0 ELSE 1 END`, desc(objections.id));
}

/**
 * The full contact an objector left, for the staff member who will call back; the reveal is
 * audited (pages show it masked, lib/pii.ts maskContact).
 */
export async function revealObjectionContact(db: Db, actor: Actor, id: number): Promise<{ id: number; contact: string }> {
  const [o] = await db.select({ contact: objections.contact }).from(objections).where(eq(objections.id, id));
  if (!o) throw new HonorError('not_found', '找不到该异议');
  await audit(db, { actorId: actor.id, action: 'honors.objection.reveal_contact', targetType: 'objection', targetId: id, ip: actor.ip });
  return { id, contact: o.contact ?? '' };
}

/** Staff resolve an open objection: upheld or dismissed, with the finding. */
export async function resolveObjection(db: Db, actor: Actor, input: { id: number; outcome: 'upheld' | 'dismissed'; resolution: string }, now = Date.now()): Promise<void> {
  const [o] = await db.select().from(objections).where(eq(objections.id, input.id));
  if (!o) throw new HonorError('not_found', '找不到该异议');
  if (o.status !== 'open') throw new HonorError('conflict', '该异议已办结');
  const written = await guardedWrite(
    db,
    sql`UPDATE objections SET status = ${input.outcome}, resolution = ${input.resolution}, resolved_by = ${actor.id}, resolved_at = ${now}
    WHERE id = ${input.id} AND status = 'open'`,
    [
      auditStatement({
        actorId: actor.id,
        action: 'honors.objection.resolve',
        targetType: 'objection',
        targetId: input.id,
        before: { status: 'open' },
        after: { status: input.outcome },
        ip: actor.ip,
        detail: input.resolution,
      }),
    ],
  );
  if (!written) throw new HonorError('conflict', '该异议刚刚已被办结');
}

/** Likes per hour (Shanghai) per candidate of a batch, latest hours first. */
export async function likesPerHour(db: Db, batchId: number, limit = 200) {
  const rows = await db.all<
    Record<string, unknown>
  >(sql`SELECT l.honoree_id AS honoreeId, h.name AS name, strftime('%Y-%m-%d %H:00', l.created_at / 1000 + 8 * 3600, 'unixepoch') AS hour, count(*) AS n
    FROM likes l JOIN honorees h ON h.id = l.honoree_id
    WHERE h.batch_id = ${batchId} GROUP BY l.honoree_id, hour ORDER BY hour DESC, n DESC LIMIT ${limit}`);
  return rows.map((r) => ({ honoreeId: Number(r.honoreeId), name: String(r.name), hour: String(r.hour), n: Number(r.n) }));
}

/** The IP hashes that liked this batch most, with how many distinct visitor cookies they used. */
export async function busiestIpHashes(db: Db, batchId: number, limit = 10) {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT l.ip_hash AS ipHash, count(*) AS n, count(DISTINCT l.visitor_key) AS visitors, count(DISTINCT l.honoree_id) AS candidates
    FROM likes l JOIN honorees h ON h.id = l.honoree_id
    WHERE h.batch_id = ${batchId} GROUP BY l.ip_hash ORDER BY n DESC LIMIT ${limit}`);
  return rows.map((r) => ({ ipHash: String(r.ipHash).slice(0, 12), n: Number(r.n), visitors: Number(r.visitors), candidates: Number(r.candidates) }));
}
