// 终审 of a batch as the public will see it (issue 17.1): each candidate through the public honoree
// markup, and what changed since the reviewer last acted — the batch and its candidates as submitted
// in that round (review_steps.snapshot, written when 公示 hands the batch to 终审) against now.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { media, reviewSteps } from '../../../db/schema/index.ts';
import { imageUrls } from '../media/index.ts';
import { regionLabel, regionNames } from '../regions/index.ts';
import { reviewDiff, type DiffRow } from '../../lib/line-diff.ts';
import { parseJsonOr } from '../../lib/json.ts';
import { publicHonoree, volunteerStanding } from './public.ts';
import type { Batch, HonoreeRow } from './admin.ts';

/** What a 终审 round covers: the batch's public texts and each candidate's. */
export interface BatchSnapshot {
  batch: { title: string; period: string; intro: string };
  entries: { id: number; name: string; epithet: string | null; identity: string; title: string; category: string; level: string; summary: string; story: string; laterHonours: string[] }[];
}

/** The snapshot of a batch and its candidates, stored on the submit step of each 终审 round. */
export function batchSnapshot(b: Pick<Batch, 'title' | 'period' | 'intro'>, entries: HonoreeRow[]): BatchSnapshot {
  return {
    batch: { title: b.title, period: b.period, intro: b.intro },
    entries: entries
      .filter((h) => h.status === 'candidate' || h.status === 'draft')
      .map((h) => ({
        id: h.id,
        name: h.name,
        epithet: h.epithet,
        identity: h.identity,
        title: h.title,
        category: h.category,
        level: h.level,
        summary: h.summary,
        story: h.story,
        laterHonours: parseJsonOr<string[]>(h.laterHonours, []),
      })),
  };
}

/** The snapshot as lines to compare: the batch, then each entry under its name. */
function snapshotText(s: BatchSnapshot): string {
  return [
    `批次名称：${s.batch.title}`,
    `期次：${s.batch.period}`,
    `批次说明：${s.batch.intro}`,
    ...s.entries.flatMap((e) => [
      '',
      `【${e.name}】`,
      `称号：${e.epithet ?? ''}`,
      `身份或职业：${e.identity}`,
      `类别/级别/荣誉称号：${e.category} / ${e.level} / ${e.title}`,
      `事迹简介：${e.summary}`,
      ...e.story.split('\n'),
      `后续荣誉：${e.laterHonours.join('、')}`,
    ]),
  ].join('\n');
}

/** The changes in a batch under 终审 since `reviewerId` last decided on it (null rows: first look or no snapshot). */
export async function batchChangesSinceLastReview(db: Db, reviewerId: number, b: Batch, entries: HonoreeRow[]) {
  const steps = await db
    .select()
    .from(reviewSteps)
    .where(and(eq(reviewSteps.subjectType, 'batch'), eq(reviewSteps.subjectId, b.id)))
    .orderBy(asc(reviewSteps.at), asc(reviewSteps.id));
  const acted = steps.filter((s) => s.reviewerId === reviewerId && (s.decision === 'approve' || s.decision === 'return')).pop();
  if (!acted) return { lastActed: null, rows: null as DiffRow[] | null, changed: 0 };
  const lastActed = { at: acted.at, decision: acted.decision };
  const round = steps.filter((s) => s.decision === 'submit' && s.id < acted.id).pop();
  if (!round?.snapshot) return { lastActed, rows: null as DiffRow[] | null, changed: 0 };
  const rows = reviewDiff(snapshotText(JSON.parse(round.snapshot) as BatchSnapshot), snapshotText(batchSnapshot(b, entries)));
  return { lastActed, rows, changed: rows.filter((r) => r.op !== 'same').length };
}

/** Each candidate as its public page will show it once published: public names, region, photo, standing. */
export async function candidatePreviews(db: Db, entries: HonoreeRow[]) {
  const hs = entries.filter((h) => h.status === 'candidate');
  const names = await regionNames(
    db,
    hs.flatMap((h) => [h.townId, h.villageId]),
  );
  const photoIds = hs.filter((h) => h.photoMediaId && h.photoConsent).map((h) => h.photoMediaId!);
  const photos = photoIds.length ? await db.select().from(media).where(inArray(media.id, photoIds)) : [];
  return Promise.all(
    hs.map(async (h) => {
      const m = photos.find((p) => p.id === h.photoMediaId);
      return {
        id: h.id,
        h: publicHonoree(h),
        region: regionLabel(names, h.townId, h.villageId),
        photo: m && h.photoConsent ? imageUrls(m).src : undefined,
        standing: await volunteerStanding(db, h.userId),
      };
    }),
  );
}
