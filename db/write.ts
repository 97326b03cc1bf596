// The one way the portal writes (docs/architecture.md "Writes under contention", docs/decisions/084):
// statements are Drizzle `sql` templates or query builders, compiled here once per batch; several
// statements commit together in ONE write batch; a guarded write's follow-ups take effect only
// when its guard changed a row.
import { LibsqlBatchError, type InValue, type ResultSet } from '@libsql/client';
import { is, Placeholder, type SQLWrapper } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import type { Db } from './client.ts';

/** A statement made by `prepared`: compiled once, bound to this call's values. */
export class BoundStatement {
  readonly statement: CompiledStatement;
  constructor(statement: CompiledStatement) {
    this.statement = statement;
  }
}

/** SQL text with `?` and the values in order: what the libSQL client runs. */
export interface CompiledStatement {
  sql: string;
  args: InValue[];
}

/** A statement: a Drizzle `sql` template (values where they are used), a query builder, or a prepared one bound to values. */
export type Statement = SQLWrapper | BoundStatement;

// Compiling needs no connection: the SQLite dialect turns a template into SQL text with `?` and its values.
const dialect = new SQLiteAsyncDialect();

/** The libSQL statement for a Drizzle template, a query builder or a bound prepared statement. */
export function compile(statement: Statement): CompiledStatement {
  if (statement instanceof BoundStatement) return statement.statement;
  const q = dialect.sqlToQuery(statement.getSQL());
  return { sql: q.sql, args: q.params as InValue[] };
}

/**
 * A template compiled once, for the hottest writes (the sign-up storm): values are named with
 * `sql.placeholder('name')` and given per call. Compiling a large template costs ~10 µs, binding ~1 µs
 * (docs/decisions/084); everywhere else a plain `sql` template is clearer.
 */
export function prepared<V extends Record<string, InValue>>(template: SQLWrapper): (values: V) => BoundStatement {
  const q = dialect.sqlToQuery(template.getSQL());
  const slots: Array<{ name: keyof V & string } | { value: InValue }> = q.params.map((p) => (is(p, Placeholder) ? { name: p.name as keyof V & string } : { value: p as InValue }));
  return (values) =>
    new BoundStatement({
      sql: q.sql,
      args: slots.map((slot) => {
        if ('value' in slot) return slot.value;
        if (!(slot.name in values)) throw new Error(`prepared statement: no value for ${slot.name}`);
        return values[slot.name];
      }),
    });
}

/** Commits the statements in one write transaction (all take effect or none); returns their result sets. */
export function writeBatch(db: Db, statements: Statement[]): Promise<ResultSet[]> {
  return db.$client.batch(statements.map(compile), 'write');
}

/**
 * Runs right after the guard: fails the batch (so nothing of it commits) unless the guard changed a
 * row. `changes()` is read by the very next statement on the same connection, inside the same
 * transaction, on the local client and on a libSQL server alike (docs/decisions/084 says how that was
 * checked). `json()` of a non-JSON text is the one plain SQL expression that raises an error.
 */
const GUARD_MATCHED: CompiledStatement = { sql: "SELECT CASE WHEN changes() > 0 THEN 1 ELSE json('guard matched no row') END", args: [] };
/** The position of GUARD_MATCHED in the batch: an error there means "the guard matched nothing". */
const GUARD_CHECK_INDEX = 1;

/**
 * A guarded write: `guard` (an INSERT … SELECT … WHERE, or an UPDATE/DELETE … WHERE <condition>) and then
 * `followUps` (audit rows, notices, dependent changes) in one write batch. When the guard changes no row,
 * the whole batch rolls back and this returns null: the follow-ups never need a condition of their own.
 * Otherwise it returns the result sets of the guard and each follow-up, in order (RETURNING rows included).
 */
export async function guardedWrite(db: Db, guard: Statement, followUps: Statement[] = []): Promise<ResultSet[] | null> {
  const statements = [compile(guard), GUARD_MATCHED, ...followUps.map(compile)];
  let results: ResultSet[];
  try {
    results = await db.$client.batch(statements, 'write');
  } catch (e) {
    if (e instanceof LibsqlBatchError && e.statementIndex === GUARD_CHECK_INDEX) return null;
    throw e;
  }
  results.splice(GUARD_CHECK_INDEX, 1);
  return results;
}
