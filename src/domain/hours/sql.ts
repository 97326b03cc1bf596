// Small SQL helpers shared by the hours modules.
import { sql } from 'drizzle-orm';

/** A row read with `db.all`: column name → value. */
export type Row = Record<string, unknown>;

/** Statuses that occupy a volunteer's time (no other record may overlap them), as an SQL list. */
export const ACTIVE_STATUSES = sql.raw(`('pending','confirmed')`);

/** Reads a numeric column from a row. */
export function num(row: Row, col: string): number {
  return Number(row[col]);
}

/** Reads a nullable string column from a row. */
export function str(row: Row, col: string): string | null {
  const v = row[col];
  return v == null ? null : String(v);
}
