// The region tree: county → 乡镇/街道 → 村/社区.
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { preparedRead } from '../../../db/prepared.ts';
import { regions } from '../../../db/schema/index.ts';

export type Region = typeof regions.$inferSelect;

/** Towns (乡镇/街道) in display order. */
export async function listTowns(db: Db): Promise<Region[]> {
  return db.select().from(regions).where(eq(regions.level, 'town')).orderBy(asc(regions.sort), asc(regions.id));
}

/** Towns with their villages, for region pickers. */
export async function regionTree(db: Db): Promise<(Region & { villages: Region[] })[]> {
  const all = await db.select().from(regions).orderBy(asc(regions.sort), asc(regions.id));
  const towns = all.filter((r) => r.level === 'town');
  return towns.map((t) => ({ ...t, villages: all.filter((v) => v.parentId === t.id) }));
}

// One prepared statement whatever the number of ids: they travel as one JSON array.
const regionsById = preparedRead((db) =>
  db
    .select({ id: regions.id, name: regions.name })
    .from(regions)
    .where(sql`${regions.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`)
    .prepare(),
);

/** id → name for a set of region ids. */
export async function regionNames(db: Db, ids: (number | null | undefined)[]): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((x): x is number => typeof x === 'number'))];
  if (!wanted.length) return new Map();
  const rows = await regionsById(db).all({ ids: JSON.stringify(wanted) });
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** "城关镇 · 东门社区" style label. */
export function regionLabel(names: Map<number, string>, townId?: number | null, villageId?: number | null): string {
  return [townId ? names.get(townId) : undefined, villageId ? names.get(villageId) : undefined].filter(Boolean).join(' · ');
}

/** Checks that villageId (if any) belongs to townId. */
export async function validRegionPair(db: Db, townId: number, villageId?: number | null): Promise<boolean> {
  const [town] = await db.select().from(regions).where(eq(regions.id, townId));
  if (!town || town.level !== 'town') return false;
  if (villageId == null) return true;
  const [v] = await db.select().from(regions).where(eq(regions.id, villageId));
  return !!v && v.parentId === townId;
}
