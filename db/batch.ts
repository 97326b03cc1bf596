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

/**
 * Commits the statements in one write transaction; returns their result sets. On a file the local
 * client runs BEGIN IMMEDIATE … COMMIT synchronously on its one connection; over HTTP the batch is
 * one request whose steps the server runs on one connection. Either way changes() and
 * last_insert_rowid() in a statement see the batch's previous statement, and nothing else
 * (tests/integration/database-paths.test.ts runs on both paths).
 */
export function writeBatch(db: Db, statements: Stmt[]): Promise<ResultSet[]> {
  return db.$client.batch(statements.map(toStatement), 'write');
}
