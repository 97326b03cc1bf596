// Public reads of legal lessons (普法课程).
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { legalLessons, pages } from '../../../db/schema/index.ts';

/** All lessons in teaching order. */
export async function listLessons(db: Db) {
  return db.select().from(legalLessons).orderBy(asc(legalLessons.sort), asc(legalLessons.id));
}

/** One lesson by slug. */
export async function getLesson(db: Db, slug: string) {
  const [l] = await db.select().from(legalLessons).where(eq(legalLessons.slug, slug));
  return l;
}

/** A static page (about, privacy, terms). */
export async function getStaticPage(db: Db, slug: string) {
  const [p] = await db.select().from(pages).where(eq(pages.slug, slug));
  return p;
}
