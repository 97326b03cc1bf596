// The SQL statements a read sends, and their query plans: plan tests pin which index a read walks.
import type { Db } from '../../db/client.ts';

/** The statements (with their arguments) `run` sends through the database client. */
export async function capturedStatements(db: Db, run: () => Promise<unknown>): Promise<{ sql: string; args?: unknown }[]> {
  const seen: { sql: string; args?: unknown }[] = [];
  const client = db.$client as unknown as { execute: (s: unknown) => Promise<unknown> };
  const execute = client.execute.bind(client);
  client.execute = (s: unknown) => {
    if (typeof s === 'object' && s) seen.push(s as { sql: string; args?: unknown });
    return execute(s);
  };
  try {
    await run();
  } finally {
    client.execute = execute;
  }
  return seen;
}

/** One statement's EXPLAIN QUERY PLAN, its details joined by " | ". */
export async function queryPlan(db: Db, s: { sql: string; args?: unknown }): Promise<string> {
  const rs = await db.$client.execute({ sql: `EXPLAIN QUERY PLAN ${s.sql}`, args: s.args as never });
  return rs.rows.map((r) => String(r.detail)).join(' | ');
}
