// The hot public reads are prepared once per database handle (db/prepared.ts, docs/decisions/111):
// each handle gets its own prepared query, and the prepared forms read what the builders read.
import { describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { freshDb } from '../helpers/db.ts';
import { regions, honorees, articles } from '../../db/schema/index.ts';
import { regionNames } from '../../src/domain/regions/index.ts';
import { getPublishedHonoree, linkedArticles } from '../../src/domain/honors/public.ts';
import { getPublishedArticle } from '../../src/domain/articles/public.ts';

describe('prepared public reads', () => {
  it('each database handle reads its own rows (a query prepared on the first handle would answer for both)', async () => {
    const a = await freshDb({ seed: 'base' });
    const b = await freshDb({ seed: 'demo' });
    const [town] = await a.select().from(regions).where(eq(regions.level, 'town')).orderBy(asc(regions.id)).limit(1);
    await b.update(regions).set({ name: '另一个镇' }).where(eq(regions.id, town.id));
    expect((await regionNames(a, [town.id])).get(town.id)).toBe(town.name);
    expect((await regionNames(b, [town.id])).get(town.id)).toBe('另一个镇');

    const [h] = await b.select({ slug: honorees.slug }).from(honorees).where(eq(honorees.status, 'published')).limit(1);
    expect(await getPublishedHonoree(a, h.slug)).toBeUndefined();
    expect((await getPublishedHonoree(b, h.slug))?.slug).toBe(h.slug);
    const [art] = await b.select({ slug: articles.slug }).from(articles).where(eq(articles.status, 'published')).limit(1);
    expect(await getPublishedArticle(a, art.slug)).toBeUndefined();
    expect((await getPublishedArticle(b, art.slug))?.slug).toBe(art.slug);
  });

  it('region names: every id once, nulls and repeats ignored, unknown ids absent', async () => {
    const db = await freshDb({ seed: 'base' });
    const all = await db.select({ id: regions.id, name: regions.name }).from(regions);
    const names = await regionNames(db, [...all.map((r) => r.id), null, undefined, all[0].id, 999_999]);
    expect(names.size).toBe(all.length);
    for (const r of all) expect(names.get(r.id)).toBe(r.name);
    expect(names.has(999_999)).toBe(false);
    expect((await regionNames(db, [])).size).toBe(0);
  });

  it('an honoree only while published, with its batch; its articles only while published', async () => {
    const db = await freshDb({ seed: 'demo' });
    const [h] = await db.select().from(honorees).where(eq(honorees.status, 'published')).limit(1);
    const shown = await getPublishedHonoree(db, h.slug);
    expect(shown?.id).toBe(h.id);
    expect(shown?.batch?.id).toBe(h.batchId);
    const [art] = await db.select().from(articles).where(eq(articles.status, 'published')).limit(1);
    await db.update(articles).set({ honoreeId: h.id }).where(eq(articles.id, art.id));
    expect((await linkedArticles(db, h.id)).map((x) => x.slug)).toContain(art.slug);
    await db.update(articles).set({ status: 'draft' }).where(eq(articles.id, art.id));
    expect((await linkedArticles(db, h.id)).map((x) => x.slug)).not.toContain(art.slug);
    await db.update(honorees).set({ status: 'withdrawn' }).where(eq(honorees.id, h.id));
    expect(await getPublishedHonoree(db, h.slug)).toBeUndefined();
  });
});
