// Public reads of the honor roll: published honorees by batch, category, region, level.
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { preparedRead } from '../../../db/prepared.ts';
import { articles, honorBatches, honorees, regions, users } from '../../../db/schema/index.ts';
import { getSetting } from '../settings/index.ts';
import { maskName } from '../../lib/pii.ts';

export type Honoree = typeof honorees.$inferSelect;
export type HonorBatch = typeof honorBatches.$inferSelect;

type NameRule = Pick<Honoree, 'name' | 'nameConsent' | 'kind'>;

/** The name to show publicly: masked unless consent to show it is recorded. */
export function publicHonoreeName(h: NameRule): string {
  return h.nameConsent || h.kind !== 'person' ? h.name : maskName(h.name);
}

/**
 * The given name people call the honoree by, when the masked full name would leave it
 * readable in a story ("杨欣悦 … 欣悦都会…"): the last two characters of a three- or
 * four-character name. Must match the SQL in db/sql/search.sql (search_src_honoree).
 */
function givenName(name: string): string | undefined {
  const cs = [...name];
  if (cs.length === 3) return cs.slice(1).join('');
  if (cs.length === 4) return cs.slice(2).join('');
  return undefined;
}

/**
 * Text about an honoree as the public may read it: without name consent the full name
 * becomes its mask (杨*悦) and the given name *悦. In Markdown the asterisks are escaped,
 * so two masks never pair up into emphasis.
 */
export function publicHonoreeText(h: NameRule, text: string, opts: { markdown?: boolean } = {}): string {
  if (h.nameConsent || h.kind !== 'person' || !text || [...h.name].length < 2) return text;
  const star = opts.markdown ? '\\*' : '*';
  let out = text.split(h.name).join(maskName(h.name).replace(/\*/g, star));
  const given = givenName(h.name);
  if (given) out = out.split(given).join(star + [...given].at(-1));
  return out;
}

/**
 * The only form in which an honoree reaches a public page, feed or poster: the name is
 * the public name, and every text about them (epithet, identity, honour title, summary,
 * story, later honours) has the name masked the same way (issue 15 item 10).
 */
export function publicHonoree<T extends NameRule & Partial<Pick<Honoree, 'epithet' | 'identity' | 'title' | 'summary' | 'story' | 'laterHonours'>>>(h: T): T {
  const t = (s: string) => publicHonoreeText(h, s);
  let later = h.laterHonours;
  if (later != null) {
    try {
      later = JSON.stringify((JSON.parse(later) as string[]).map(t));
    } catch {
      later = '[]';
    }
  }
  return {
    ...h,
    name: publicHonoreeName(h),
    ...(h.epithet != null ? { epithet: t(h.epithet) } : {}),
    ...(h.identity != null ? { identity: t(h.identity) } : {}),
    ...(h.title != null ? { title: t(h.title) } : {}),
    ...(h.summary != null ? { summary: t(h.summary) } : {}),
    ...(h.story != null ? { story: publicHonoreeText(h, h.story, { markdown: true }) } : {}),
    ...(later != null ? { laterHonours: later } : {}),
  };
}

export interface HonorFilters {
  batch?: string;
  category?: string;
  townId?: number;
  level?: string;
  limit?: number;
  offset?: number;
  /** false: skip counting every match (the home page shows six and no pager). */
  withTotal?: boolean;
}

/** Published batches, newest first. */
export async function listPublishedBatches(db: Db): Promise<HonorBatch[]> {
  return db.select().from(honorBatches).where(eq(honorBatches.status, 'published')).orderBy(desc(honorBatches.publishedAt), desc(honorBatches.id));
}

/** Published batches, newest first, with how many honorees each published. */
export async function listPublishedBatchesWithCounts(db: Db): Promise<(HonorBatch & { honorees: number })[]> {
  const rows = await db
    .select({ b: honorBatches, n: sql<number>`count(${honorees.id})` })
    .from(honorBatches)
    .leftJoin(honorees, and(eq(honorees.batchId, honorBatches.id), eq(honorees.status, 'published')))
    .where(eq(honorBatches.status, 'published'))
    .groupBy(honorBatches.id)
    .orderBy(desc(honorBatches.publishedAt), desc(honorBatches.id));
  return rows.map((r) => ({ ...r.b, honorees: Number(r.n) }));
}

/** Published honorees matching the filters, latest batch first. */
export async function listPublishedHonorees(db: Db, f: HonorFilters = {}) {
  const where: SQL[] = [eq(honorees.status, 'published')];
  if (f.batch) where.push(eq(honorBatches.slug, f.batch));
  if (f.category) where.push(eq(honorees.category, f.category));
  if (f.townId) where.push(eq(honorees.townId, f.townId));
  if (f.level) where.push(eq(honorees.level, f.level));
  const order = [desc(honorBatches.publishedAt), desc(honorBatches.id), asc(honorees.id)];
  // The page's ids are sorted first, from the index and the batches alone; only those rows are then read
  // whole. Sorting whole rows carried every published honoree's story through the sorter (4.6 ms at 4,875
  // honorees, growing with them: issue 22).
  const page = db
    .select({ id: honorees.id })
    .from(honorees)
    .leftJoin(honorBatches, eq(honorBatches.id, honorees.batchId))
    .where(and(...where))
    .orderBy(...order)
    .limit(f.limit ?? 60)
    .offset(f.offset ?? 0);
  const rows = await db
    .select({ h: honorees, batchTitle: honorBatches.title, batchSlug: honorBatches.slug })
    .from(honorees)
    .leftJoin(honorBatches, eq(honorBatches.id, honorees.batchId))
    .where(inArray(honorees.id, page))
    .orderBy(...order);
  // The total is for a pager; the home page's six need none (a count of every published honoree).
  const [{ n }] =
    f.withTotal === false
      ? [{ n: rows.length }]
      : await db
          .select({ n: sql<number>`count(*)` })
          .from(honorees)
          .leftJoin(honorBatches, eq(honorBatches.id, honorees.batchId))
          .where(and(...where));
  return { items: rows.map((r) => publicHonoree({ ...r.h, batchTitle: r.batchTitle, batchSlug: r.batchSlug })), total: Number(n) };
}

const honoreeBySlug = preparedRead((db) =>
  db
    .select({ h: honorees, batch: honorBatches })
    .from(honorees)
    .leftJoin(honorBatches, eq(honorBatches.id, honorees.batchId))
    .where(and(eq(honorees.slug, sql.placeholder('slug')), eq(honorees.status, 'published')))
    .prepare(),
);

/** One published honoree by slug, with its batch. */
export async function getPublishedHonoree(db: Db, slug: string) {
  const [row] = await honoreeBySlug(db).all({ slug });
  return row ? publicHonoree({ ...row.h, batch: row.batch }) : undefined;
}

/** The honoree an article links to (相关好人), published only, under its public name. */
export async function articleHonoree(db: Db, honoreeId: number | null): Promise<{ slug: string; name: string } | undefined> {
  if (!honoreeId) return undefined;
  const [h] = await db
    .select({ slug: honorees.slug, name: honorees.name, nameConsent: honorees.nameConsent, kind: honorees.kind })
    .from(honorees)
    .where(and(eq(honorees.id, honoreeId), eq(honorees.status, 'published')));
  return h ? { slug: h.slug, name: publicHonoreeName(h) } : undefined;
}

/** Published honorees by category. */
export async function countByCategory(db: Db): Promise<{ category: string; n: number }[]> {
  const rows = await db
    .select({ category: honorees.category, n: sql<number>`count(*)` })
    .from(honorees)
    .where(eq(honorees.status, 'published'))
    .groupBy(honorees.category)
    .orderBy(desc(sql`count(*)`));
  return rows.map((r) => ({ category: r.category, n: Number(r.n) }));
}

/** Published honorees per 乡镇 (街道), most first: the ranking shown on /honors. */
export async function townRanking(db: Db, limit = 10): Promise<{ townId: number; name: string; n: number }[]> {
  const rows = await db
    .select({ townId: honorees.townId, name: regions.name, n: sql<number>`count(*)` })
    .from(honorees)
    .innerJoin(regions, eq(regions.id, honorees.townId))
    .where(eq(honorees.status, 'published'))
    .groupBy(honorees.townId, regions.name)
    .orderBy(desc(sql`count(*)`), asc(regions.sort))
    .limit(limit);
  return rows.map((r) => ({ townId: Number(r.townId), name: r.name, n: Number(r.n) }));
}

const articlesAbout = preparedRead((db) =>
  db
    .select({ slug: articles.slug, title: articles.title, publishedAt: articles.publishedAt })
    .from(articles)
    .where(and(eq(articles.honoreeId, sql.placeholder('honoreeId')), eq(articles.status, 'published')))
    .orderBy(desc(articles.publishedAt))
    .limit(20)
    .prepare(),
);

/** Published articles about an honoree (articles.honoree_id). */
export async function linkedArticles(db: Db, honoreeId: number) {
  return articlesAbout(db).all({ honoreeId });
}

/** Stars (0–5) for confirmed hours against the thresholds in settings (★ 100 h … ★★★★★ 1500 h). */
export function starLevel(confirmedMinutes: number, thresholdsHours: number[]): number {
  const hours = confirmedMinutes / 60;
  return thresholdsHours.filter((t) => hours >= t).length;
}

/** For an honoree linked to a volunteer account: star level and confirmed hours. */
export async function volunteerStanding(db: Db, userId: number | null) {
  if (!userId) return undefined;
  const [u] = await db.select({ minutes: users.confirmedMinutes, status: users.status }).from(users).where(eq(users.id, userId));
  if (!u || u.status === 'deleted') return undefined;
  const thresholds = await getSetting(db, 'starThresholdsHours');
  return { stars: starLevel(u.minutes, thresholds), hours: Math.round((u.minutes / 60) * 10) / 10 };
}

/**
 * Where a photo is served; photos show only with recorded consent. The route re-checks consent and
 * status on every request, so the URL stops working when either is withdrawn (docs/decisions/076).
 */
export function honoreePhotoUrl(h: { slug: string; photoMediaId: number | null; photoConsent: boolean }): string | undefined {
  return h.photoMediaId && h.photoConsent ? `/honors/${h.slug}/photo.webp` : undefined;
}

/** A published batch and its published honorees, for the printable poster. */
export async function posterBatch(db: Db, slug: string) {
  const [batch] = await db
    .select()
    .from(honorBatches)
    .where(and(eq(honorBatches.slug, slug), eq(honorBatches.status, 'published')));
  if (!batch) return undefined;
  const items = await db
    .select()
    .from(honorees)
    .where(and(eq(honorees.batchId, batch.id), eq(honorees.status, 'published')))
    .orderBy(asc(honorees.id));
  return { batch, items: items.map(publicHonoree) };
}
