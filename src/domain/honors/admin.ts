// Editors and reviewers: batches, honoree entries and the batch workflow
// draft → 公示 (publicity) → 终审 (review) → published, plus 撤榜 (withdraw).
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { honorBatches, honorees, objections, reviewSteps, users } from '../../../db/schema/index.ts';
import { getSettings } from '../settings/index.ts';
import { validRegionPair } from '../regions/index.ts';
import { humanCode } from '../../lib/ids.ts';
import { formatDate, fromShanghai, shanghaiDay } from '../../lib/time.ts';
import { HonorError, blockedSql, publicationBlockers, shanghaiYear } from './rules.ts';
import type { HonoreeInput } from './schemas.ts';
import { auditStatement } from '../audit/index.ts';
import { reviewStepStatement } from '../audit/review-steps.ts';
import { hitMessage, publicTextHits, publicTextOptions, requirePublicText } from '../public-text.ts';
import { parseJsonOr } from '../../lib/json.ts';
import { batchSnapshot } from './review-changes.ts';

export type Batch = typeof honorBatches.$inferSelect;
export type HonoreeRow = typeof honorees.$inferSelect;
export interface Actor {
  id: number;
  ip?: string;
}

/** Slugs that name fixed pages under /honors. */
const RESERVED = new Set(['candidates', 'nominate', 'poster', 'objection', 'new']);

/** The public text fields of a batch and of an entry, with their labels (personal-data check, decision 078). */
export const BATCH_TEXT_LABELS: Record<string, string> = { title: '批次名称', period: '期次', intro: '批次说明' };
export const HONOREE_TEXT_LABELS: Record<string, string> = {
  name: '姓名或名称',
  epithet: '称号',
  identity: '身份或职业',
  title: '荣誉称号',
  summary: '事迹简介',
  story: '事迹全文',
  laterHonours: '后续荣誉',
};

/** An entry's public text fields (later honours as stored: a JSON list, or the form's lines). */
function honoreeText(h: { name: string; epithet?: string | null; identity?: string | null; title?: string | null; summary: string; story?: string | null }, laterHonours: readonly string[]) {
  return { name: h.name, epithet: h.epithet, identity: h.identity, title: h.title, summary: h.summary, story: h.story, laterHonours: laterHonours.join('\n') };
}

export const BATCH_STATUS_LABEL: Record<string, string> = { draft: '草稿', publicity: '公示中', review: '待终审', published: '已发布' };
export const HONOREE_STATUS_LABEL: Record<string, string> = { draft: '草稿', candidate: '候选（公示）', published: '已发布', withdrawn: '已撤榜' };

// ---------- batches ----------

/** All batches, newest first, with honoree and open-objection counts. */
export async function listBatches(db: Db) {
  const rows = await db
    .select({
      b: honorBatches,
      honorees: sql<number>`(SELECT count(*) FROM honorees h WHERE h.batch_id = honor_batches.id AND h.status != 'withdrawn')`,
      openObjections: sql<number>`(SELECT count(*) FROM objections o JOIN honorees h ON h.id = o.honoree_id WHERE h.batch_id = honor_batches.id AND o.status = 'open')`,
    })
    .from(honorBatches)
    .orderBy(desc(honorBatches.id));
  return rows.map((r) => ({ ...r.b, honorees: Number(r.honorees), openObjections: Number(r.openObjections) }));
}

/** One batch by id, or HonorError not_found. */
export async function getBatch(db: Db, id: number): Promise<Batch> {
  const [b] = await db.select().from(honorBatches).where(eq(honorBatches.id, id));
  if (!b) throw new HonorError('not_found', '找不到该批次');
  return b;
}

/** Creates a draft batch; returns its id. */
export async function createBatch(db: Db, actor: Actor, input: { title: string; period: string; slug?: string; intro?: string }, now = Date.now()): Promise<number> {
  await requirePublicText(db, { title: input.title, period: input.period, intro: input.intro }, BATCH_TEXT_LABELS);
  const slug = input.slug || `b-${humanCode(6).toLowerCase()}`;
  const [dup] = await db.select({ id: honorBatches.id }).from(honorBatches).where(eq(honorBatches.slug, slug));
  if (dup) throw new HonorError('conflict', '该网址标识已被其他批次使用，请换一个', 'slug');
  const values = { slug, title: input.title, period: input.period, intro: input.intro ?? '', status: 'draft', createdBy: actor.id, createdAt: now, updatedAt: now };
  const written = await guardedWrite(db, db.insert(honorBatches).values(values).onConflictDoNothing({ target: honorBatches.slug }).returning({ id: honorBatches.id }), [
    auditStatement({ actorId: actor.id, action: 'honors.batch.create', targetType: 'honor_batch', targetId: sql`SELECT id FROM honor_batches WHERE slug = ${slug}`, after: values, ip: actor.ip }),
  ]);
  if (!written) throw new HonorError('conflict', '该网址标识已被其他批次使用，请换一个', 'slug');
  return Number(written[0].rows[0].id);
}

/** Edits a batch's title, period, intro (slug only while draft). */
export async function updateBatch(db: Db, actor: Actor, input: { id: number; title: string; period: string; slug?: string; intro?: string }, now = Date.now()): Promise<void> {
  const before = await getBatch(db, input.id);
  await requirePublicText(db, { title: input.title, period: input.period, intro: input.intro }, BATCH_TEXT_LABELS);
  const slug = before.status === 'draft' && input.slug ? input.slug : before.slug;
  if (slug !== before.slug) {
    const [dup] = await db.select({ id: honorBatches.id }).from(honorBatches).where(eq(honorBatches.slug, slug));
    if (dup) throw new HonorError('conflict', '该网址标识已被其他批次使用，请换一个', 'slug');
  }
  const after = { title: input.title, period: input.period, intro: input.intro ?? '', slug, updatedAt: now };
  const written = await guardedWrite(
    db,
    db
      .update(honorBatches)
      .set(after)
      .where(and(eq(honorBatches.id, input.id), eq(honorBatches.status, before.status))),
    [
      auditStatement({
        actorId: actor.id,
        action: 'honors.batch.update',
        targetType: 'honor_batch',
        targetId: input.id,
        before: { title: before.title, period: before.period, intro: before.intro, slug: before.slug },
        after,
        ip: actor.ip,
      }),
    ],
  );
  if (!written) throw new HonorError('conflict', '批次状态已变化，请刷新后重试');
}

/** Honorees of a batch for the console (all statuses), with open objection counts. */
export async function batchHonorees(db: Db, batchId: number) {
  const rows = await db
    .select({
      h: honorees,
      openObjections: sql<number>`(SELECT count(*) FROM objections o WHERE o.honoree_id = honorees.id AND o.status = 'open')`,
    })
    .from(honorees)
    .where(eq(honorees.batchId, batchId))
    .orderBy(asc(honorees.id));
  return rows.map((r) => ({ ...r.h, openObjections: Number(r.openObjections) }));
}

/** Review decisions recorded for a batch, oldest first. */
export async function batchReviewSteps(db: Db, batchId: number) {
  return db
    .select({ s: reviewSteps, reviewer: users.realName })
    .from(reviewSteps)
    .leftJoin(users, eq(users.id, reviewSteps.reviewerId))
    .where(and(eq(reviewSteps.subjectType, 'batch'), eq(reviewSteps.subjectId, batchId)))
    .orderBy(asc(reviewSteps.at), asc(reviewSteps.id));
}

async function publicityBlockersFor(db: Db, batchId: number, statuses: string[], now: number): Promise<string[]> {
  const hs = (await batchHonorees(db, batchId)).filter((h) => statuses.includes(h.status));
  return [...hs.flatMap((h) => publicationBlockers(h, now)), ...(await personalDataBlockers(db, await getBatch(db, batchId), hs))];
}

/**
 * Personal data in what going public would show: the batch's texts and each entry's (an
 * entry made from a nomination carries the nominator's words until an editor edits it).
 */
async function personalDataBlockers(db: Db, b: Batch, hs: HonoreeRow[]): Promise<string[]> {
  const opts = await publicTextOptions(db);
  const out = publicTextHits({ title: b.title, period: b.period, intro: b.intro }, opts).map((h) => `批次：${hitMessage(BATCH_TEXT_LABELS[h.field], h)}`);
  for (const h of hs) {
    const later = parseJsonOr<string[]>(h.laterHonours, []);
    const own = { ...opts, names: opts.names?.filter((n) => n !== h.name) };
    const hits = publicTextHits(honoreeText(h, later), own, ['story']);
    out.push(
      ...[...new Set(hits.map((x) => x.field))].map(
        (f) =>
          `${h.name}：${hitMessage(
            HONOREE_TEXT_LABELS[f],
            hits.find((x) => x.field === f)!,
          )}`,
      ),
    );
  }
  return out;
}

/** draft → 公示 between two Shanghai days; the batch's draft entries become candidates. */
export async function startPublicity(db: Db, actor: Actor, input: { id: number; startDay: string; endDay: string }, now = Date.now()): Promise<void> {
  const b = await getBatch(db, input.id);
  if (b.status !== 'draft') throw new HonorError('conflict', `该批次当前为“${BATCH_STATUS_LABEL[b.status]}”，只有草稿批次可以开始公示`);
  const entries = (await batchHonorees(db, b.id)).filter((h) => h.status === 'draft' || h.status === 'candidate');
  if (!entries.length) throw new HonorError('invalid', '该批次还没有候选人，请先添加候选人');
  // A start in the past would let a 公示 that nobody saw be "over" at once.
  if (input.startDay < shanghaiDay(now)) throw new HonorError('invalid', '公示开始日期不能早于今天', 'startDay');
  const blockers = await publicityBlockersFor(db, b.id, ['draft', 'candidate'], now);
  if (blockers.length) throw new HonorError('invalid', `以下候选人暂不能公示：${blockers.join('；')}`);
  const startsAt = fromShanghai(input.startDay);
  const endsAt = fromShanghai(input.endDay, '23:59') + 59_999;
  const written = await guardedWrite(
    db,
    sql`UPDATE honor_batches SET status = 'publicity', publicity_starts_at = ${startsAt}, publicity_ends_at = ${endsAt}, updated_at = ${now}
    WHERE id = ${b.id} AND status = 'draft'
      AND NOT EXISTS (SELECT 1 FROM honorees h WHERE h.batch_id = honor_batches.id AND h.status IN ('draft','candidate') AND (${blockedSql(shanghaiYear(now))}))`,
    [
      sql`UPDATE honorees SET status = 'candidate', updated_at = ${now} WHERE batch_id = ${b.id} AND status = 'draft'`,
      auditStatement({
        actorId: actor.id,
        action: 'honors.batch.publicity',
        targetType: 'honor_batch',
        targetId: b.id,
        before: { status: 'draft' },
        after: { status: 'publicity', startDay: input.startDay, endDay: input.endDay },
        ip: actor.ip,
      }),
    ],
  );
  if (!written) throw new HonorError('conflict', '批次状态已变化或候选人不符合公示条件，请刷新后重试');
}

/**
 * 公示 → 终审: hands the batch to reviewers (editor or reviewer), only once the 公示 period has run
 * its course — no role may cut it short (issue 17.2); the guard is in the UPDATE itself. The note is
 * the actor's own statement: nothing is filled in for them.
 */
export async function submitForReview(db: Db, actor: Actor, input: { id: number; opinion: string }, now = Date.now()): Promise<void> {
  const b = await getBatch(db, input.id);
  if (b.status !== 'publicity') throw new HonorError('conflict', '只有公示中的批次可以提交终审');
  const opinion = input.opinion.trim();
  if ([...opinion].length < 2) throw new HonorError('invalid', '请填写公示情况说明（至少 2 字）', 'opinion');
  if (b.publicityEndsAt == null || now <= b.publicityEndsAt)
    throw new HonorError('conflict', `公示期至 ${b.publicityEndsAt ? formatDate(b.publicityEndsAt) : '—'} 结束，公示期满后才能提交终审，任何人都不能提前结束公示`);
  const written = await guardedWrite(
    db,
    sql`UPDATE honor_batches SET status = 'review', updated_at = ${now} WHERE id = ${b.id} AND status = 'publicity' AND publicity_ends_at IS NOT NULL AND publicity_ends_at < ${now}`,
    [
      reviewStepStatement({
        subjectType: 'batch',
        subjectId: b.id,
        step: 1,
        decision: 'submit',
        opinion,
        reviewerId: actor.id,
        at: now,
        snapshot: JSON.stringify(batchSnapshot(b, await batchHonorees(db, b.id))),
      }),
      auditStatement({
        actorId: actor.id,
        action: 'honors.batch.submit',
        targetType: 'honor_batch',
        targetId: b.id,
        before: { status: 'publicity' },
        after: { status: 'review' },
        ip: actor.ip,
        detail: opinion,
      }),
    ],
  );
  if (!written) throw new HonorError('conflict', '批次状态已变化或公示期尚未结束，请刷新后重试');
}

/** 公示-period wording in a name (a published roll is not a 候选人 list) and in texts (not "under public supervision" any more). */
const PUBLICITY_NAME = /候选|公示/;
const PUBLICITY_TEXT = /候选人公示|公示期间|公示期内|公示期为|公示期：|接受群众监督|正在公示|公示中/;

/**
 * Texts of a batch and its candidates that still speak of 公示 and would be wrong once published
 * (issue 17.6): "…候选人公示" as the roll's name, "公示期间接受群众监督" on an honoree's page.
 */
export function publicityWordingLeft(b: Pick<Batch, 'title' | 'period' | 'intro'>, entries: Pick<HonoreeRow, 'name' | 'epithet' | 'identity' | 'title' | 'summary' | 'story' | 'status'>[]): string[] {
  const out: string[] = [];
  const quote = (s: string, re: RegExp) => {
    const m = re.exec(s)!;
    const from = Math.max(0, m.index - 8);
    return `“${from > 0 ? '…' : ''}${s.slice(from, m.index + m[0].length + 8)}${m.index + m[0].length + 8 < s.length ? '…' : ''}”`;
  };
  for (const [label, v] of [
    ['批次名称', b.title],
    ['期次', b.period],
  ] as const)
    if (PUBLICITY_NAME.test(v)) out.push(`${label}${quote(v, PUBLICITY_NAME)}`);
  if (PUBLICITY_TEXT.test(b.intro)) out.push(`批次说明${quote(b.intro, PUBLICITY_TEXT)}`);
  for (const h of entries.filter((e) => e.status === 'candidate'))
    for (const [f, v] of Object.entries({ epithet: h.epithet ?? '', identity: h.identity ?? '', title: h.title ?? '', summary: h.summary, story: h.story ?? '' })) {
      // The honour's name ("云溪好人（候选）") is a name too: no 候选 once it is conferred.
      const re = f === 'title' ? PUBLICITY_NAME : PUBLICITY_TEXT;
      if (re.test(v)) out.push(`${h.name}的${HONOREE_TEXT_LABELS[f]}${quote(v, re)}`);
    }
  return out;
}

/**
 * 终审 approve: review → published. Refused while any objection on the batch is open
 * or an entry lacks the consent it needs; the guard is in the UPDATE itself.
 */
export async function approveBatch(db: Db, actor: Actor, input: { id: number; opinion: string }, now = Date.now()): Promise<void> {
  const b = await getBatch(db, input.id);
  if (b.status !== 'review') throw new HonorError('conflict', `该批次当前为“${BATCH_STATUS_LABEL[b.status]}”，只有待终审的批次可以发布`);
  const [{ open }] = await db
    .select({ open: sql<number>`count(*)` })
    .from(objections)
    .innerJoin(honorees, eq(honorees.id, objections.honoreeId))
    .where(and(eq(honorees.batchId, b.id), eq(objections.status, 'open')));
  if (Number(open) > 0) throw new HonorError('conflict', `该批次还有 ${open} 条异议未处理，请先核查并办结异议再终审`);
  const blockers = await publicityBlockersFor(db, b.id, ['candidate'], now);
  if (blockers.length) throw new HonorError('invalid', `以下候选人不能发布：${blockers.join('；')}`);
  const wording = publicityWordingLeft(b, await batchHonorees(db, b.id));
  if (wording.length) throw new HonorError('invalid', `以下内容仍是公示期的说法，发布后会误导群众，请编辑修改后再终审：${wording.join('；')}`);
  const written = await guardedWrite(
    db,
    sql`UPDATE honor_batches SET status = 'published', published_at = ${now}, updated_at = ${now}
    WHERE id = ${b.id} AND status = 'review'
      AND NOT EXISTS (SELECT 1 FROM objections o JOIN honorees h ON h.id = o.honoree_id WHERE h.batch_id = honor_batches.id AND o.status = 'open')
      AND NOT EXISTS (SELECT 1 FROM honorees h WHERE h.batch_id = honor_batches.id AND h.status = 'candidate' AND (${blockedSql(shanghaiYear(now))}))`,
    [
      sql`UPDATE honorees SET status = 'published', published_at = ${now}, updated_at = ${now} WHERE batch_id = ${b.id} AND status = 'candidate'`,
      reviewStepStatement({ subjectType: 'batch', subjectId: b.id, step: 2, decision: 'approve', opinion: input.opinion, reviewerId: actor.id, at: now }),
      reviewStepStatement({ subjectType: 'batch', subjectId: b.id, step: 2, decision: 'publish', opinion: '终审通过，发布', reviewerId: actor.id, at: now }),
      auditStatement({
        actorId: actor.id,
        action: 'honors.batch.publish',
        targetType: 'honor_batch',
        targetId: b.id,
        before: { status: 'review' },
        after: { status: 'published' },
        ip: actor.ip,
        detail: input.opinion,
      }),
    ],
  );
  if (!written) throw new HonorError('conflict', '终审未通过：批次状态已变化，或有异议未办结、候选人缺少同意记录');
}

/** 终审 return: review → draft with the reviewer's opinion; candidates go back to draft. */
export async function returnBatch(db: Db, actor: Actor, input: { id: number; opinion: string }, now = Date.now()): Promise<void> {
  const b = await getBatch(db, input.id);
  if (b.status !== 'review') throw new HonorError('conflict', '只有待终审的批次可以退回');
  const written = await guardedWrite(db, sql`UPDATE honor_batches SET status = 'draft', updated_at = ${now} WHERE id = ${b.id} AND status = 'review'`, [
    sql`UPDATE honorees SET status = 'draft', updated_at = ${now} WHERE batch_id = ${b.id} AND status = 'candidate'`,
    reviewStepStatement({ subjectType: 'batch', subjectId: b.id, step: 2, decision: 'return', opinion: input.opinion, reviewerId: actor.id, at: now }),
    auditStatement({
      actorId: actor.id,
      action: 'honors.batch.return',
      targetType: 'honor_batch',
      targetId: b.id,
      before: { status: 'review' },
      after: { status: 'draft' },
      ip: actor.ip,
      detail: input.opinion,
    }),
  ]);
  if (!written) throw new HonorError('conflict', '批次状态已变化，请刷新后重试');
}

// ---------- honorees ----------

/** One honoree by id (any status), with the linked volunteer's number. */
export async function getHonoree(db: Db, id: number) {
  const [row] = await db.select({ h: honorees, volunteerNo: users.volunteerNo }).from(honorees).leftJoin(users, eq(users.id, honorees.userId)).where(eq(honorees.id, id));
  if (!row) throw new HonorError('not_found', '找不到该条目');
  return { ...row.h, volunteerNo: row.volunteerNo };
}

/** Entries without a batch, newest first (the console's work list). */
export async function unbatchedHonorees(db: Db) {
  return db
    .select()
    .from(honorees)
    .where(sql`${honorees.batchId} IS NULL`)
    .orderBy(desc(honorees.id))
    .limit(200);
}

async function checkHonoreeInput(db: Db, input: HonoreeInput, currentStatus: string | null, currentBatchId: number | null, now: number) {
  const s = await getSettings(db);
  if (![...s.honorCategories, ...s.localHonorCategories].includes(input.category)) throw new HonorError('invalid', '请从列表中选择类别', 'category');
  if (!s.honorLevels.includes(input.level)) throw new HonorError('invalid', '请从列表中选择级别', 'level');
  if (!(await validRegionPair(db, input.townId, input.villageId))) throw new HonorError('invalid', '所选村（社区）不属于该乡镇（街道）', 'villageId');
  if (input.birthYear != null && input.birthYear > shanghaiYear(now)) throw new HonorError('invalid', '出生年份不能晚于今年', 'birthYear');
  if (input.slug && RESERVED.has(input.slug)) throw new HonorError('invalid', '该网址标识为系统保留，请换一个', 'slug');
  let userId: number | null = null;
  if (input.volunteerNo) {
    const [u] = await db.select({ id: users.id }).from(users).where(eq(users.volunteerNo, input.volunteerNo));
    if (!u) throw new HonorError('invalid', '没有这个志愿者编号，请核对', 'volunteerNo');
    userId = u.id;
  }
  let batch: Batch | null = null;
  if (input.batchId) {
    const [b] = await db.select().from(honorBatches).where(eq(honorBatches.id, input.batchId));
    if (!b) throw new HonorError('invalid', '所选批次不存在', 'batchId');
    batch = b;
    const moving = input.batchId !== currentBatchId;
    if (moving && (b.status === 'review' || b.status === 'published')) throw new HonorError('invalid', '该批次已进入终审或已发布，不能再添加候选人', 'batchId');
  }
  if (currentStatus === 'published' && input.batchId !== currentBatchId) throw new HonorError('invalid', '已发布的条目不能更换批次', 'batchId');
  // Moving a candidate out would end its 公示 early without a record; 撤榜 with a reason is the way.
  if (currentStatus === 'candidate' && input.batchId !== currentBatchId) throw new HonorError('invalid', '公示中的候选人不能移出本批次；如需撤下，请使用“撤榜”并填写原因', 'batchId');
  const laterHonours = (input.laterHonours ?? '')
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean);
  // The entry's own name in its own texts is masked when shown without name consent (publicHonoree), not refused.
  await requirePublicText(db, honoreeText(input, laterHonours), HONOREE_TEXT_LABELS, { markdown: ['story'], exceptNames: [input.name] });
  return { userId, batch, laterHonours };
}

function honoreeValues(input: HonoreeInput, userId: number | null, laterHonours: string[]) {
  return {
    kind: input.kind,
    name: input.name,
    epithet: input.epithet || null,
    identity: input.identity ?? '',
    gender: input.gender ?? null,
    birthYear: input.birthYear ?? null,
    townId: input.townId,
    villageId: input.villageId ?? null,
    category: input.category,
    level: input.level,
    title: input.title ?? '',
    batchId: input.batchId ?? null,
    summary: input.summary,
    story: input.story ?? '',
    photoMediaId: input.photoMediaId ?? null,
    photoConsent: input.photoConsent,
    userId,
    laterHonours: JSON.stringify(laterHonours),
    consentBy: input.consentBy || null,
    consentAt: input.consentAt || null,
    consentMethod: input.consentMethod || null,
    guardianConsent: input.guardianConsent,
    nameConsent: input.nameConsent,
  };
}

/** Creates an entry: draft, or candidate when its batch is already in 公示 (then it must be publishable). */
export async function createHonoree(db: Db, actor: Actor, input: HonoreeInput, now = Date.now(), extra: { nominationId?: number } = {}): Promise<{ id: number; slug: string }> {
  const { userId, batch, laterHonours } = await checkHonoreeInput(db, input, null, null, now);
  const values = honoreeValues(input, userId, laterHonours);
  const status = batch?.status === 'publicity' ? 'candidate' : 'draft';
  if (status === 'candidate') {
    const b = publicationBlockers(values, now);
    if (b.length) throw new HonorError('invalid', `该批次正在公示，${b.join('；')}`);
  }
  const slug = input.slug || `h-${humanCode(8).toLowerCase()}`;
  const [dup] = await db.select({ id: honorees.id }).from(honorees).where(eq(honorees.slug, slug));
  if (dup) throw new HonorError('conflict', '该网址标识已被使用，请换一个', 'slug');
  const written = await guardedWrite(
    db,
    db
      .insert(honorees)
      .values({ ...values, slug, status, nominationId: extra.nominationId ?? null, createdBy: actor.id, createdAt: now, updatedAt: now })
      .onConflictDoNothing({ target: honorees.slug })
      .returning({ id: honorees.id }),
    [
      auditStatement({
        actorId: actor.id,
        action: 'honors.honoree.create',
        targetType: 'honoree',
        targetId: sql`SELECT id FROM honorees WHERE slug = ${slug}`,
        after: { ...values, slug, status },
        ip: actor.ip,
      }),
    ],
  );
  if (!written) throw new HonorError('conflict', '该网址标识已被使用，请换一个', 'slug');
  return { id: Number(written[0].rows[0].id), slug };
}

/** Edits an entry. Public entries (candidate, published) must stay publishable. */
export async function updateHonoree(db: Db, actor: Actor, input: HonoreeInput & { id: number }, now = Date.now()): Promise<void> {
  const before = await getHonoree(db, input.id);
  const { userId, batch, laterHonours } = await checkHonoreeInput(db, input, before.status, before.batchId, now);
  const values = honoreeValues(input, userId, laterHonours);
  let status = before.status;
  // Moving a draft into a batch that is in 公示 makes it a candidate; moving a candidate out makes it a draft.
  if (before.status === 'draft' && batch?.status === 'publicity') status = 'candidate';
  if (before.status === 'candidate' && (!batch || batch.status === 'draft')) status = 'draft';
  if (status === 'candidate' || status === 'published') {
    const b = publicationBlockers(values, now);
    if (b.length) throw new HonorError('invalid', `该条目已公开，修改后不符合公开条件：${b.join('；')}`);
  }
  const slug = input.slug && input.slug !== before.slug ? input.slug : before.slug;
  if (slug !== before.slug) {
    const [dup] = await db.select({ id: honorees.id }).from(honorees).where(eq(honorees.slug, slug));
    if (dup) throw new HonorError('conflict', '该网址标识已被使用，请换一个', 'slug');
  }
  const changedBefore: Record<string, unknown> = {};
  const changedAfter: Record<string, unknown> = {};
  for (const [k, v] of Object.entries({ ...values, slug, status })) {
    const old = (before as Record<string, unknown>)[k];
    if (old !== v) {
      changedBefore[k] = old;
      changedAfter[k] = v;
    }
  }
  const written = await guardedWrite(
    db,
    db
      .update(honorees)
      .set({ ...values, slug, status, updatedAt: now })
      .where(and(eq(honorees.id, before.id), eq(honorees.status, before.status))),
    [auditStatement({ actorId: actor.id, action: 'honors.honoree.update', targetType: 'honoree', targetId: before.id, before: changedBefore, after: changedAfter, ip: actor.ip })],
  );
  if (!written) throw new HonorError('conflict', '该条目状态刚刚发生变化，请刷新后重试');
}

/** 撤榜: withdraws an entry (draft, candidate or published) with a reason. */
export async function withdrawHonoree(db: Db, actor: Actor, input: { id: number; reason: string }, now = Date.now()): Promise<void> {
  const h = await getHonoree(db, input.id);
  if (h.status === 'withdrawn') throw new HonorError('conflict', '该条目已撤榜');
  const written = await guardedWrite(
    db,
    sql`UPDATE honorees SET status = 'withdrawn', withdrawn_reason = ${input.reason}, withdrawn_at = ${now}, withdrawn_by = ${actor.id}, updated_at = ${now}
    WHERE id = ${h.id} AND status = ${h.status}`,
    [
      auditStatement({
        actorId: actor.id,
        action: 'honors.honoree.withdraw',
        targetType: 'honoree',
        targetId: h.id,
        before: { status: h.status },
        after: { status: 'withdrawn' },
        ip: actor.ip,
        detail: input.reason,
      }),
    ],
  );
  if (!written) throw new HonorError('conflict', '该条目状态刚刚发生变化，请刷新后重试');
}
