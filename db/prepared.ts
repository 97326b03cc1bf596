// Drizzle prepared queries built once per database handle: on hot paths the query
// builder costs more than the query (docs/decisions/074). Parameters are placeholders:
//   const q = preparedOnce((db) => db.select().from(t).where(eq(t.id, sql.placeholder('id'))).prepare());
//   const rows = await q(db).all({ id });
import type { Db } from './client.ts';

/** Returns a function giving the query prepared for that database, building it on first use. */
export function preparedOnce<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const byDb = new WeakMap<Db, Q>();
  return (db) => {
    let q = byDb.get(db);
    if (!q) {
      q = build(db);
      byDb.set(db, q);
    }
    return q;
  };
}
