// A table's columns in plain SQL and its rows read back as Drizzle would give them
// (`typeof table.$inferSelect`): for the few hot statements that are plain SQL because
// Drizzle's per-row mapping costs more than the query (docs/decisions/074).
import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';

export interface TableColumns<T extends Table> {
  /** `alias.col AS prefixcol, …` for a SELECT list. */
  select: string;
  /** The row's columns as the table's model; null when the primary key is null (a LEFT JOIN without a match). */
  read(row: Record<string, unknown>): InferSelectModel<T> | null;
}

/** The columns of `table` selected from `alias`, named `prefix` + column name in the result. */
export function tableColumns<T extends Table>(table: T, alias: string, prefix: string): TableColumns<T> {
  const cols = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, as: prefix + column.name, column }));
  const primary = cols.find((c) => c.column.primary);
  if (!primary) throw new Error(`tableColumns: ${alias} has no primary key`);
  return {
    select: cols.map((c) => `${alias}.${c.column.name} AS ${c.as}`).join(', '),
    read(row) {
      if (row[primary.as] == null) return null;
      const out: Record<string, unknown> = {};
      for (const c of cols) {
        const v = row[c.as];
        out[c.key] = v == null ? null : c.column.mapFromDriverValue(v);
      }
      return out as InferSelectModel<T>;
    },
  };
}
