// Several statements that commit together only when a guarded first statement
// matched exactly one row (docs/decisions/050-article-review-workflow.md).
import type { InStatement, ResultSet } from '@libsql/client';
import type { Db } from '../../../db/client.ts';
import { writeBatch, type Stmt } from '../../../db/batch.ts';

/**
 * Raised by the guard statement when the first statement changed no row. changes() is per
 * connection: it is only meaningful here, inside the same batch (db/batch.ts, decision 082).
 */
const GUARD = { sql: "SELECT json(CASE WHEN changes() = 1 THEN '1' ELSE 'guard' END)", args: [] };

/**
 * Runs `first` (a conditional UPDATE … RETURNING) and then `rest` in one write
 * batch. When `first` matched no row, the guard fails the batch so nothing of
 * `rest` is written; returns null then, else the rows `first` returned.
 */
export async function guardedBatch(db: Db, first: InStatement, rest: Stmt[]): Promise<ResultSet | null> {
  try {
    const results = await writeBatch(db, [first, GUARD, ...rest]);
    return results[0];
  } catch (e) {
    if (e instanceof Error && /malformed JSON/i.test(e.message)) return null;
    throw e;
  }
}
