// Public reads of the honor roll: published honorees by batch, category, region, level.
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { honorBatches, honorees } from '../../../db/schema/index.ts';
import { maskName } from '../../lib/pii.ts';

export type Honoree = typeof honorees.$inferSelect;
export type HonorBatch = typeof honorBatches.$inferSelect;

/** The name to show publicly: masked unless consent to show it is recorded. */
export function publicHonoreeName(h: Pick<Honoree, 'name' | 'nameConsent' | 'kind'>): string {
  return h.nameConsent || h.kind !== 'person' ? h.name : maskName(h.name);
}

export interface HonorFilters {
  batch?: string;
  category?: string;
  townId?: number;
  level?: string;
  limit?: number;
  offset?: number;
}

/** Published batches, newest first. */
export async function listPublishedBatches(db: Db): Promise<HonorBatch[]> {
  return db.select().from(honorBatches).where(eq(honorBatches.status, 'published')).orderBy(desc(honorBatches.publishedAt), desc(honorBatches.id));
}

/** Published honorees matching the filters, latest batch first. */
export async function listPublishedHonorees(db: Db, f: HonorFilters = {}) {
  const where: SQL[] = [eq(honorees.status, 'published')];
  if (f.batch) where.push(eq(honorBatches.slug, f.batch));
  if (f.category) where.push(eq(honorees.category, f.category));
  if (f.townId) where.push(eq(honorees.townId, f.townId));
  if (f.level) where.push(eq(honorees.level, f.level));
  const rows = await db
    .select({ h: honorees, batchTitle: honorBatches.title, batchSlug: honorBatches.slug })
    .from(honorees)
    .leftJoin(honorBatches, eq(honorBatches.id, honorees.batchId))
    .where(and(...where))
    .orderBy(desc(honorBatches.publishedAt), asc(honorees.id))
    .limit(f.limit ?? 60)
    .offset(f.offset ?? 0);
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)` })
    .from(honorees)
    .leftJoin(honorBatches, eq(honorBatches.id, honorees.batchId))
    .where(and(...where));
  return { items: rows.map((r) => ({ ...r.h, batchTitle: r.batchTitle, batchSlug: r.batchSlug })), total: Number(n) };
}

/** One published honoree by slug, with its batch. */
export async function getPublishedHonoree(db: Db, slug: string) {
  const [row] = await db
    .select({ h: honorees, batch: honorBatches })
    .from(honorees)
    .leftJoin(honorBatches, eq(honorBatches.id, honorees.batchId))
    .where(and(eq(honorees.slug, slug), eq(honorees.status, 'published')));
  return row ? { ...row.h, batch: row.batch } : undefined;
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
