// A libSQL Client for a local database file that keeps its prepared statements
// (docs/decisions/074-statement-cache-and-lean-request-path.md).
//
// @libsql/client prepares every statement afresh and asks for its columns twice on
// every call. For a sign-up INSERT that fires triggers, preparing costs ~200 µs and
// running it ~20 µs. This client implements the same `Client` interface on one
// `libsql` connection (the engine @libsql/client uses for files), keeping the
// last STATEMENT_CACHE_SIZE statements, their columns and a row class. Rows,
// result sets and errors look exactly as @libsql/client's do (named, enumerable
// column properties; indexed, non-enumerable values; LibsqlError codes).
//
// One connection: every call runs synchronously, so a batch is atomic with respect to
// the rest of the process. Write batches commit in groups, one transaction per turn of the
// event loop, each batch in a savepoint of its own (docs/decisions/115). Interactive transactions (client.transaction(), drizzle's
// db.transaction) are not offered: the portal writes with one guarded statement or
// one batch (docs/architecture.md "Writes under contention").
import Database from 'libsql';
import { LibsqlBatchError, LibsqlError, type Client, type InArgs, type InStatement, type InValue, type ResultSet, type Row, type Transaction, type TransactionMode } from '@libsql/client';

type NativeDatabase = InstanceType<typeof Database>;
type NativeStatement = ReturnType<NativeDatabase['prepare']>;

/** How many distinct SQL texts keep a prepared statement (least recently used are dropped). */
export const STATEMENT_CACHE_SIZE = 400;
/** How long a statement waits for another connection's write lock before SQLITE_BUSY (PRAGMA busy_timeout). */
export const BUSY_TIMEOUT_MS = 5000;
/** Write batches in one group commit at most: a turn's sign-ups (16) and more, yet a short hold on the lock. */
const WRITE_GROUP_MAX = 64;
/** Loop turns a waiting group commit retries the lock in before it polls once a millisecond. */
const LOCK_SPINS = 4;

interface PendingWrite {
  stmts: Array<InStatement | [string, InArgs?]>;
  resolve: (results: ResultSet[]) => void;
  reject: (e: unknown) => void;
}

/** What every row is: its values by position, kept in a private field (not an own property). */
class RowBase {
  #values: unknown[];
  constructor(values: unknown[]) {
    this.#values = values;
  }
  static at(row: RowBase, i: number): unknown {
    return row.#values[i];
  }
}

type RowClass = new (values: unknown[]) => RowBase;

interface Prepared {
  stmt: NativeStatement;
  /** Returns rows (SELECT, PRAGMA with output, … RETURNING). */
  reader: boolean;
  columns: string[];
  columnTypes: string[];
  /** This statement's row class: index getters and length over the values. */
  Row: RowClass;
  /** Column names that become a row's own properties, with their index (the first of duplicates wins). */
  named: Array<[string, number]>;
  /** CREATE / DROP / ALTER: never kept, and running it drops every kept statement. */
  ddl: boolean;
}

const SCHEMA_CHANGE = /^\s*(CREATE|DROP|ALTER)\b/i;
const INDEX_NAME = /^(0|[1-9]\d*)$/;

function rowClass(columns: string[]): RowClass {
  class Row extends RowBase {}
  for (let i = 0; i < columns.length; i++) {
    Object.defineProperty(Row.prototype, i, {
      get(this: RowBase) {
        return RowBase.at(this, i);
      },
      enumerable: false,
    });
  }
  Object.defineProperty(Row.prototype, 'length', { value: columns.length, enumerable: false });
  return Row;
}

function namedColumns(columns: string[]): Prepared['named'] {
  const seen = new Set<string>();
  const out: Array<[string, number]> = [];
  columns.forEach((name, i) => {
    // As @libsql/client: an index-like or 'length' name is shadowed by the index/length property.
    if (seen.has(name) || name === 'length' || (INDEX_NAME.test(name) && Number(name) < columns.length)) return;
    seen.add(name);
    out.push([name, i]);
  });
  return out;
}

function valueFromSql(v: unknown): unknown {
  // BLOBs come back as ArrayBuffer, as from @libsql/client.
  if (v instanceof Uint8Array) return v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
  return v;
}

function makeRow(p: Prepared, values: unknown[]): Row {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'object' && v !== null) values[i] = valueFromSql(v);
  }
  const row = new p.Row(values) as unknown as Record<string, unknown>;
  for (const [name, i] of p.named) {
    if (name === '__proto__') Object.defineProperty(row, name, { value: values[i], enumerable: true, writable: true, configurable: true });
    else row[name] = values[i];
  }
  return row as unknown as Row;
}

function valueToSql(value: InValue | undefined): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
    return value;
  }
  if (typeof value === 'bigint') {
    if (value < -9223372036854775808n || value > 9223372036854775807n) throw new RangeError('bigint is too large to be represented as a 64-bit integer and passed as argument');
    return value;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  return value;
}

function argsToSql(args: InArgs | undefined): unknown[] | Record<string, unknown> {
  if (args === undefined) return [];
  if (Array.isArray(args)) return args.map(valueToSql);
  const out: Record<string, unknown> = {};
  for (const name in args) {
    const key = name[0] === '@' || name[0] === '$' || name[0] === ':' ? name.slice(1) : name;
    out[key] = valueToSql((args as Record<string, InValue>)[name]);
  }
  return out;
}

const BASE_CODES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  2: 'SQLITE_INTERNAL',
  3: 'SQLITE_PERM',
  4: 'SQLITE_ABORT',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  9: 'SQLITE_INTERRUPT',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  12: 'SQLITE_NOTFOUND',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  15: 'SQLITE_PROTOCOL',
  16: 'SQLITE_EMPTY',
  17: 'SQLITE_SCHEMA',
  18: 'SQLITE_TOOBIG',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  21: 'SQLITE_MISUSE',
  22: 'SQLITE_NOLFS',
  23: 'SQLITE_AUTH',
  24: 'SQLITE_FORMAT',
  25: 'SQLITE_RANGE',
  26: 'SQLITE_NOTADB',
  27: 'SQLITE_NOTICE',
  28: 'SQLITE_WARNING',
};

/** The same LibsqlError (code, extendedCode, rawCode) @libsql/client throws for an SQLite error. */
function toLibsqlError(e: unknown): unknown {
  if (!(e instanceof Database.SqliteError)) return e;
  const err = e as Error & { code?: string; rawCode?: number };
  const code = err.rawCode === undefined ? 'SQLITE_UNKNOWN' : (BASE_CODES[err.rawCode & 0xff] ?? `SQLITE_UNKNOWN_${err.rawCode & 0xff}`);
  return new LibsqlError(err.message, code, err.code, err.rawCode, err);
}

function beginStatement(mode: TransactionMode): string {
  if (mode === 'write') return 'BEGIN IMMEDIATE';
  if (mode === 'read') return 'BEGIN TRANSACTION READONLY';
  if (mode === 'deferred') return 'BEGIN DEFERRED';
  throw new RangeError('Unknown transaction mode, supported values are "write", "read" and "deferred"');
}

class Result implements ResultSet {
  columns: string[];
  columnTypes: string[];
  rows: Row[];
  rowsAffected: number;
  lastInsertRowid: bigint | undefined;

  constructor(columns: string[], columnTypes: string[], rows: Row[], rowsAffected: number, lastInsertRowid: bigint | undefined) {
    this.columns = columns;
    this.columnTypes = columnTypes;
    this.rows = rows;
    this.rowsAffected = rowsAffected;
    this.lastInsertRowid = lastInsertRowid;
  }

  toJSON() {
    return {
      columns: this.columns,
      columnTypes: this.columnTypes,
      rows: this.rows.map((r) => Array.prototype.slice.call(r)),
      rowsAffected: this.rowsAffected,
      lastInsertRowid: this.lastInsertRowid === undefined ? null : String(this.lastInsertRowid),
    };
  }
}

function normalize(stmt: InStatement | [string, InArgs?]): { sql: string; args?: InArgs } {
  if (typeof stmt === 'string') return { sql: stmt };
  if (Array.isArray(stmt)) return { sql: stmt[0], args: stmt[1] };
  return stmt;
}

/** A libSQL client on one connection to a local file, with a prepared-statement cache. */
export class LocalClient implements Client {
  closed = false;
  protocol = 'file' as const;
  #path: string;
  #db: NativeDatabase;
  #cache = new Map<string, Prepared>();
  /** Write batches waiting for the next group commit. */
  #writes: PendingWrite[] = [];
  #flushing = false;
  #writeTransactions = 0;
  #busyTimeoutMs: number;

  /** `busyTimeoutMs`: how long a write waits for another connection's lock before SQLITE_BUSY (db/client.ts sets the same for every statement). */
  constructor(path: string, { busyTimeoutMs = BUSY_TIMEOUT_MS }: { busyTimeoutMs?: number } = {}) {
    this.#path = path;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#db = new Database(path);
  }

  /** How many statements are kept prepared (for tests). */
  get cachedStatements(): number {
    return this.#cache.size;
  }

  #check(): void {
    if (this.closed) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED');
  }

  #prepare(sql: string): Prepared {
    const hit = this.#cache.get(sql);
    if (hit) {
      // Most recently used last: Map keeps insertion order.
      this.#cache.delete(sql);
      this.#cache.set(sql, hit);
      return hit;
    }
    let stmt: NativeStatement;
    try {
      stmt = this.#db.prepare(sql);
    } catch (e) {
      throw toLibsqlError(e);
    }
    const reader = stmt.reader;
    let columns: string[] = [];
    let columnTypes: string[] = [];
    if (reader) {
      stmt.raw(true);
      const cols = stmt.columns() as Array<{ name: string; type: string | null }>;
      columns = cols.map((c) => c.name);
      columnTypes = cols.map((c) => c.type ?? '');
    }
    const p: Prepared = { stmt, reader, columns, columnTypes, Row: rowClass(columns), named: namedColumns(columns), ddl: SCHEMA_CHANGE.test(sql) };
    if (!p.ddl) {
      this.#cache.set(sql, p);
      if (this.#cache.size > STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    }
    return p;
  }

  #run(stmt: { sql: string; args?: InArgs }): Result {
    const p = this.#prepare(stmt.sql);
    const args = argsToSql(stmt.args);
    try {
      if (p.reader) {
        const raw = p.stmt.all(args) as unknown[][];
        // A statement re-prepared by SQLite after another process changed the schema may
        // return other columns than we cached: take them afresh then.
        if (raw.length > 0 && raw[0].length !== p.columns.length) {
          this.#cache.delete(stmt.sql);
          return this.#run(stmt);
        }
        const rows = new Array<Row>(raw.length);
        for (let i = 0; i < raw.length; i++) rows[i] = makeRow(p, raw[i]);
        return new Result(p.columns, p.columnTypes, rows, 0, undefined);
      }
      const info = p.stmt.run(args) as { changes: number; lastInsertRowid: number | bigint };
      return new Result([], [], [], info.changes, BigInt(info.lastInsertRowid));
    } catch (e) {
      throw toLibsqlError(e);
    } finally {
      if (p.ddl) this.#cache.clear();
    }
  }

  async execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    this.#check();
    return this.#run(typeof stmtOrSql === 'string' ? { sql: stmtOrSql, args } : normalize(stmtOrSql));
  }

  /**
   * All statements in one transaction: all take effect or none (rolled back on the first error). A
   * 'write' batch joins the group commit (see #flushWrites): it resolves once its group has committed.
   */
  async batch(stmts: Array<InStatement | [string, InArgs?]>, mode: TransactionMode = 'deferred'): Promise<ResultSet[]> {
    this.#check();
    if (mode !== 'write') return this.#inTransaction(stmts, mode);
    return new Promise<ResultSet[]>((resolve, reject) => {
      this.#writes.push({ stmts, resolve, reject });
      if (this.#writes.length === 1 && !this.#flushing) setImmediate(() => void this.#flushWrites());
    });
  }

  /** Write transactions committed, for the tests (a group of batches counts once). */
  get writeTransactions(): number {
    return this.#writeTransactions;
  }

  /**
   * Group commit (docs/decisions/115): the write batches made during one turn of the event loop commit
   * in ONE transaction, each inside a savepoint of its own, so each still takes effect whole or not at
   * all and fails alone. A storm's sign-ups share the transaction's cost (the lock, the log pages
   * written, the commit): ~0.1 ms less each. The write lock is taken without the busy handler, which
   * sleeps 1, 2, 5 … ms on the event loop while another process (a second worker) holds it: here the
   * loop keeps answering and the group grows until the lock is free.
   */
  async #flushWrites(): Promise<void> {
    this.#flushing = true;
    try {
      const deadline = Date.now() + this.#busyTimeoutMs;
      for (let attempt = 0; !this.#tryBeginWrite(Date.now() >= deadline); attempt++) {
        // Spin a few loop turns (the holder's write is usually a fraction of a millisecond), then poll each ms.
        await new Promise((r) => (attempt < LOCK_SPINS ? setImmediate(r) : setTimeout(r, 1)));
        if (this.closed) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED');
      }
    } catch (e) {
      this.#flushing = false;
      for (const w of this.#writes.splice(0)) w.reject(e);
      return;
    }
    const group = this.#writes.splice(0, WRITE_GROUP_MAX);
    const outcomes: Array<Result[] | { error: unknown }> = [];
    try {
      for (const w of group) {
        this.#run({ sql: 'SAVEPOINT write_batch' });
        try {
          outcomes.push(this.#runAll(w.stmts));
          this.#run({ sql: 'RELEASE write_batch' });
        } catch (e) {
          // An error that ended the whole transaction (disk full, I/O) fails the group: nothing committed.
          if (!this.#db.inTransaction) throw e;
          this.#run({ sql: 'ROLLBACK TO write_batch' });
          this.#run({ sql: 'RELEASE write_batch' });
          outcomes.push({ error: e });
        }
      }
      this.#run({ sql: 'COMMIT' });
      this.#writeTransactions++;
    } catch (e) {
      if (this.#db.inTransaction) this.#run({ sql: 'ROLLBACK' });
      for (const w of group) w.reject(e);
      return;
    } finally {
      this.#flushing = false;
      if (this.#writes.length) setImmediate(() => void this.#flushWrites());
    }
    group.forEach((w, i) => {
      const o = outcomes[i];
      if (Array.isArray(o)) w.resolve(o);
      else w.reject(o.error);
    });
  }

  /** BEGIN IMMEDIATE without waiting: false while another connection holds the write lock (SQLITE_BUSY when `last`). */
  #tryBeginWrite(last: boolean): boolean {
    this.#run({ sql: 'PRAGMA busy_timeout = 0' });
    try {
      this.#run({ sql: 'BEGIN IMMEDIATE' });
      return true;
    } catch (e) {
      if (!last && e instanceof LibsqlError && e.code === 'SQLITE_BUSY') return false;
      throw e;
    } finally {
      this.#run({ sql: `PRAGMA busy_timeout = ${this.#busyTimeoutMs}` });
    }
  }

  /** The statements in order; an error names the statement (LibsqlBatchError), as @libsql/client's batch does. */
  #runAll(stmts: Array<InStatement | [string, InArgs?]>): Result[] {
    const results: Result[] = [];
    for (let i = 0; i < stmts.length; i++) {
      if (!this.#db.inTransaction) throw new LibsqlBatchError('The transaction has been rolled back', i, 'TRANSACTION_CLOSED');
      try {
        results.push(this.#run(normalize(stmts[i])));
      } catch (e) {
        if (e instanceof LibsqlError && !(e instanceof LibsqlBatchError)) {
          throw new LibsqlBatchError(e.message.replace(/^[A-Z_]+: /, ''), i, e.code, e.extendedCode, e.rawCode, e.cause instanceof Error ? e.cause : undefined);
        }
        throw e;
      }
    }
    return results;
  }

  #inTransaction(stmts: Array<InStatement | [string, InArgs?]>, mode: TransactionMode): Result[] {
    this.#run({ sql: beginStatement(mode) });
    try {
      const results = this.#runAll(stmts);
      this.#run({ sql: 'COMMIT' });
      return results;
    } finally {
      if (this.#db.inTransaction) this.#run({ sql: 'ROLLBACK' });
    }
  }

  /** drizzle's migrator: the statements in one transaction with foreign keys off. */
  async migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    this.#check();
    this.#run({ sql: 'PRAGMA foreign_keys=off' });
    try {
      return this.#inTransaction(stmts, 'deferred');
    } finally {
      this.#cache.clear();
      this.#run({ sql: 'PRAGMA foreign_keys=on' });
    }
  }

  async executeMultiple(sql: string): Promise<void> {
    this.#check();
    try {
      this.#db.exec(sql);
    } catch (e) {
      throw toLibsqlError(e);
    } finally {
      this.#cache.clear();
      if (this.#db.inTransaction) this.#run({ sql: 'ROLLBACK' });
    }
  }

  async transaction(): Promise<Transaction> {
    throw new LibsqlError('Interactive transactions are not used by this portal: write with one guarded statement or batch()', 'TRANSACTION_NOT_SUPPORTED');
  }

  /** A local file has nothing to sync with. */
  async sync(): Promise<undefined> {
    return undefined;
  }

  reconnect(): void {
    this.close();
    this.#db = new Database(this.#path);
    this.closed = false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#cache.clear();
    for (const w of this.#writes.splice(0)) w.reject(new LibsqlError('The client is closed', 'CLIENT_CLOSED'));
    try {
      this.#db.close();
    } catch {
      // already closed
    }
  }
}
