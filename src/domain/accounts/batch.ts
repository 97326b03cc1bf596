// Runs several Drizzle statements in one write transaction (DESIGN.md "Writes under contention").
import type { Db } from '../../../db/client.ts';

type Statement = { toSQL(): { sql: string; params: unknown[] } };

/** Commits the statements together with `client.batch(…, 'write')`; returns the raw result sets. */
export async function writeBatch(db: Db, statements: Statement[]) {
  return db.$client.batch(
    statements.map((s) => {
      const { sql, params } = s.toSQL();
      return { sql, args: params as never };
    }),
    'write',
  );
}
