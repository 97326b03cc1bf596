// Reads that run on every public page view, prepared once per database handle (docs/decisions/111).
//
// Drizzle turns a query builder into SQL text on every call: for the honoree page's wide select
// (two tables, ~60 columns) that build cost more CPU than SQLite spent running the query. A prepared
// query builds its text once; its values are `sql.placeholder('name')`s given per call. Kept to the
// reads of the pages every visitor's first view renders: elsewhere a plain builder is clearer.
import type { Db } from './client.ts';

/** `build(db)` once per database handle (tests open several), then the same prepared query. */
export function preparedRead<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const byDb = new WeakMap<Db, Q>();
  return (db) => {
    let q = byDb.get(db);
    if (q === undefined) {
      q = build(db);
      byDb.set(db, q);
    }
    return q;
  };
}
