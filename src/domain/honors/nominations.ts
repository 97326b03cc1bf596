// Public nominations (推荐) and the staff queue: verify, merge duplicates,
// turn into a candidate in a batch, or decline with a reason.
// The nominator's phone is contact data: it never leaves this module unmasked.
import { and, desc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { MediaError } from '../media/index.ts';
import { discardPrivateFiles, privateFilesByIds, privateImageUrls, uploadPrivateImage } from '../media/private.ts';
import { honorBatches, nominations } from '../../../db/schema/index.ts';
import { hitRateLimit, rateKey } from '../accounts/rate-limit.ts';
import { getSettings } from '../settings/index.ts';
import { validRegionPair } from '../regions/index.ts';
import { humanCode } from '../../lib/ids.ts';
import { keyedHash, maskPhone } from '../../lib/pii.ts';
import { HonorError, shanghaiYear } from './rules.ts';
import { audit, auditStatement } from '../audit/index.ts';
import type { AuditAction } from '../audit/actions.ts';
import type { NominationInput } from './schemas.ts';
import type { Actor } from './admin.ts';

/** Nominations accepted per IP address per day. */
export const NOMINATIONS_PER_IP_PER_DAY = 5;
const DAY_MS = 86400_000;

export const NOMINATION_STATUS_LABEL: Record<string, string> = { new: '待核实', verified: '已核实', merged: '已合并', accepted: '已转为候选人', declined: '未采纳' };

/** TJ-2026-7KQ2MX style tracking number. */
export function trackingNumber(now: number): string {
  return `TJ-${shanghaiYear(now)}-${humanCode(6)}`;
}

/**
 * Stores a public nomination and returns its tracking number. A filled honeypot
 * field gets an ordinary-looking answer but nothing is stored.
 */
export async function submitNomination(
  db: Db,
  secretKey: Buffer,
  input: NominationInput,
  ip: string,
  now = Date.now(),
  photo?: { bytes: Uint8Array; name: string; uploadsDir: string },
): Promise<{ trackingNo: string; stored: boolean }> {
  const ipHash = keyedHash(secretKey, ip, 'nomination-ip');
  const limit = await hitRateLimit(db, rateKey(secretKey, 'nominate', ip), NOMINATIONS_PER_IP_PER_DAY, DAY_MS, now);
  if (!limit.allowed) throw new HonorError('rate_limited', `同一网络每天最多提交 ${NOMINATIONS_PER_IP_PER_DAY} 条推荐，请明天再试；如有急事请致电宣传部。`);
  if (input.website && input.website.trim() !== '') return { trackingNo: trackingNumber(now), stored: false };
  const s = await getSettings(db);
  if (![...s.honorCategories, ...s.localHonorCategories].includes(input.category)) throw new HonorError('invalid', '请从列表中选择推荐类别', 'category');
  if (!(await validRegionPair(db, input.townId, input.villageId))) throw new HonorError('invalid', '所选村（社区）不属于该乡镇（街道）', 'villageId');
  let photoFileId: number | null = null;
  if (photo && photo.bytes.length > 0) {
    // Checked by content and re-encoded without EXIF/GPS; private evidence for the staff handling
    // nominations. It reaches the site only as a library copy staff make once photo consent is recorded.
    try {
      photoFileId = (await uploadPrivateImage(db, photo.uploadsDir, { bytes: photo.bytes, name: photo.name, purpose: 'nomination', userId: null })).id;
    } catch (e) {
      if (e instanceof MediaError) throw new HonorError('invalid', e.message, 'photo');
      throw e;
    }
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const trackingNo = trackingNumber(now);
    const rows = await db
      .insert(nominations)
      .values({
        trackingNo,
        nominatorName: input.nominatorName,
        nominatorPhone: input.nominatorPhone,
        relation: input.relation,
        nomineeName: input.nomineeName,
        townId: input.townId,
        villageId: input.villageId ?? null,
        category: input.category,
        deeds: input.deeds,
        photoFileId,
        status: 'new',
        ipHash,
        createdAt: now,
      })
      .onConflictDoNothing({ target: nominations.trackingNo })
      .returning({ id: nominations.id });
    if (rows.length) return { trackingNo, stored: true };
  }
  if (photoFileId) await discardPrivateFiles(db, photo!.uploadsDir, [photoFileId]);
  throw new HonorError('conflict', '系统繁忙，请稍后再提交');
}

/** A nomination as staff see it: the phone masked. */
function forStaff(n: typeof nominations.$inferSelect) {
  const { nominatorPhone, ipHash: _ip, ...rest } = n;
  return { ...rest, nominatorPhoneMasked: maskPhone(nominatorPhone) };
}
export type StaffNomination = ReturnType<typeof forStaff>;

/** The queue, newest first, optionally by status. */
export async function listNominations(db: Db, opts: { status?: string; limit?: number } = {}): Promise<StaffNomination[]> {
  const rows = await db
    .select()
    .from(nominations)
    .where(opts.status ? eq(nominations.status, opts.status) : undefined)
    .orderBy(desc(nominations.id))
    .limit(opts.limit ?? 200);
  return rows.map(forStaff);
}

/** Counts by status for the queue's tabs. */
export async function nominationCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: nominations.status, n: sql<number>`count(*)` })
    .from(nominations)
    .groupBy(nominations.status);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** One nomination for staff, with likely duplicates (same nominee name, or same town and category). */
export async function getNomination(db: Db, id: number) {
  const [n] = await db.select().from(nominations).where(eq(nominations.id, id));
  if (!n) throw new HonorError('not_found', '找不到该推荐线索');
  const dupRows = await db
    .select()
    .from(nominations)
    .where(
      and(
        ne(nominations.id, id),
        ne(nominations.status, 'merged'),
        or(eq(nominations.nomineeName, n.nomineeName), n.townId ? and(eq(nominations.townId, n.townId), eq(nominations.category, n.category)) : undefined),
      ),
    )
    .orderBy(desc(nominations.id))
    .limit(20);
  const merged = await db.select().from(nominations).where(eq(nominations.mergedInto, id));
  const [photo] = await privateFilesByIds(db, n.photoFileId ? [n.photoFileId] : []);
  return { ...forStaff(n), photo: photo ? privateImageUrls(photo) : undefined, duplicates: dupRows.map(forStaff), merged: merged.map(forStaff) };
}

/**
 * The nominator's full phone for the verification call (issue 17.5), shown once to staff handling
 * nominations; the audit row is written before the number is returned, like the lecture-order and
 * objection reveals. The only way the number leaves this module unmasked.
 */
export async function revealNominatorPhone(db: Db, actor: Actor, id: number): Promise<{ id: number; phone: string }> {
  const [n] = await db.select({ phone: nominations.nominatorPhone }).from(nominations).where(eq(nominations.id, id));
  if (!n) throw new HonorError('not_found', '找不到该推荐线索');
  await audit(db, { actorId: actor.id, action: 'honors.nomination.reveal_phone', targetType: 'nomination', targetId: id, ip: actor.ip });
  return { id, phone: n.phone };
}

type NominationChange = Partial<Pick<typeof nominations.$inferInsert, 'status' | 'declineReason' | 'mergedInto'>>;

async function transition(db: Db, actor: Actor, id: number, from: string[], set: NominationChange, action: AuditAction, detail?: string, now = Date.now()): Promise<void> {
  const [n] = await db.select({ status: nominations.status }).from(nominations).where(eq(nominations.id, id));
  if (!n) throw new HonorError('not_found', '找不到该推荐线索');
  if (!from.includes(n.status)) throw new HonorError('conflict', `该线索当前为“${NOMINATION_STATUS_LABEL[n.status]}”，不能执行此操作`);
  const written = await guardedWrite(
    db,
    db
      .update(nominations)
      .set({ ...set, handledBy: actor.id, handledAt: now })
      .where(and(eq(nominations.id, id), inArray(nominations.status, from))),
    [auditStatement({ actorId: actor.id, action, targetType: 'nomination', targetId: id, before: { status: n.status }, after: set, ip: actor.ip, detail })],
  );
  if (!written) throw new HonorError('conflict', '该线索状态刚刚发生变化，请刷新后重试');
}

/** Marks a new nomination as verified (核实). */
export function verifyNomination(db: Db, actor: Actor, id: number, now = Date.now()): Promise<void> {
  return transition(db, actor, id, ['new'], { status: 'verified' }, 'honors.nomination.verify', undefined, now);
}

/** Declines with a reason. */
export function declineNomination(db: Db, actor: Actor, id: number, reason: string, now = Date.now()): Promise<void> {
  return transition(db, actor, id, ['new', 'verified'], { status: 'declined', declineReason: reason }, 'honors.nomination.decline', reason, now);
}

/** Merges a duplicate into another nomination (which stays in the queue). */
export async function mergeNomination(db: Db, actor: Actor, id: number, intoId: number, now = Date.now()): Promise<void> {
  if (id === intoId) throw new HonorError('invalid', '不能合并到自身', 'intoId');
  const [target] = await db.select({ status: nominations.status }).from(nominations).where(eq(nominations.id, intoId));
  if (!target || target.status === 'merged' || target.status === 'declined') throw new HonorError('invalid', '目标线索不存在或已合并、未采纳', 'intoId');
  return transition(db, actor, id, ['new', 'verified'], { status: 'merged', mergedInto: intoId }, 'honors.nomination.merge', `合并到 #${intoId}`, now);
}

/**
 * Turns a nomination into a draft entry in a batch (name, region, category and
 * deeds pre-filled); the editor completes it. Returns the new honoree's id.
 */
export async function nominationToCandidate(db: Db, actor: Actor, id: number, batchId: number, now = Date.now()): Promise<number> {
  const [n] = await db.select().from(nominations).where(eq(nominations.id, id));
  if (!n) throw new HonorError('not_found', '找不到该推荐线索');
  if (!['new', 'verified'].includes(n.status)) throw new HonorError('conflict', `该线索当前为“${NOMINATION_STATUS_LABEL[n.status]}”，不能转为候选人`);
  const [b] = await db.select().from(honorBatches).where(eq(honorBatches.id, batchId));
  if (!b) throw new HonorError('invalid', '请选择批次', 'batchId');
  if (b.status !== 'draft') throw new HonorError('invalid', '只能转入草稿状态的批次（公示开始后请先核实同意记录再手动添加）', 'batchId');
  const s = await getSettings(db);
  const level = s.honorLevels.includes('县') ? '县' : s.honorLevels[0];
  const deeds = [...n.deeds.replace(/\s+/g, ' ').trim()];
  const summary = deeds.length <= 50 ? deeds.join('') : deeds.slice(0, 49).join('') + '…';
  const slug = `h-${humanCode(8).toLowerCase()}`;
  const written = await guardedWrite(
    db,
    sql`
    INSERT INTO honorees (slug, batch_id, name, kind, identity, town_id, village_id, category, level, title, summary, story, name_consent, status, nomination_id, created_by, created_at, updated_at)
    SELECT ${slug}, ${batchId}, ${n.nomineeName}, 'person', '', ${n.townId}, ${n.villageId}, ${n.category}, ${level}, '', ${summary}, ${n.deeds}, 0, 'draft', ${id}, ${actor.id}, ${now}, ${now}
    WHERE EXISTS (SELECT 1 FROM nominations WHERE id = ${id} AND status IN ('new','verified'))
      AND EXISTS (SELECT 1 FROM honor_batches WHERE id = ${batchId} AND status = 'draft')
    RETURNING id`,
    [
      // The nominator's photo stays private evidence with the nomination (docs/decisions/076); staff copy it
      // to the entry with adoptNominationPhoto once photo consent is recorded.
      sql`UPDATE nominations SET status = 'accepted', honoree_id = (SELECT id FROM honorees WHERE slug = ${slug}), handled_by = ${actor.id}, handled_at = ${now} WHERE id = ${id}`,
      auditStatement({
        actorId: actor.id,
        action: 'honors.nomination.accept',
        targetType: 'nomination',
        targetId: id,
        before: { status: n.status },
        after: { status: 'accepted', batchId },
        ip: actor.ip,
      }),
    ],
  );
  if (!written) throw new HonorError('conflict', '该线索或批次状态刚刚发生变化，请刷新后重试');
  return Number(written[0].rows[0].id);
}
