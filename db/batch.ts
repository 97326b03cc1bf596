// Several statements committed together with `client.batch(…, 'write')` (docs/architecture.md
// "Writes under contention"); statements may be raw libSQL or Drizzle queries.
import type { InStatement, ResultSet } from '@libsql/client';
import type { Db } from './client.ts';

type DrizzleQuery = { toSQL(): { sql: string; params: unknown[] } };
/** A raw libSQL statement or a Drizzle query builder. */
export type Stmt = InStatement | DrizzleQuery;

/** The libSQL statement for either kind. */
export function toStatement(s: Stmt): InStatement {
  if (typeof s === 'object' && s !== null && 'toSQL' in s) {
    const q = s.toSQL();
    return { sql: q.sql, args: q.params as never };
  }
  return s;
}

/** Commits the statements in one write transaction; returns their result sets. */
export function writeBatch(db: Db, statements: Stmt[]): Promise<ResultSet[]> {
  return db.$client.batch(statements.map(toStatement), 'write');
}
