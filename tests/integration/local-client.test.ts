// db/local-client.ts against @libsql/client on the same database file: the same rows,
// result sets and errors, with prepared statements kept (docs/decisions/074).
import { createClient, LibsqlBatchError, LibsqlError, type Client, type ResultSet } from '@libsql/client';
import { mkdtempSync } from 'node:fs';
import { inspect } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { LocalClient } from '../../db/local-client.ts';
import { describeLocalOnly } from '../helpers/hrana.ts';

const LOCAL_ONLY = 'db/local-client.ts 只用于本地数据库文件';

let dir: string;
let ours: LocalClient;
let theirs: Client;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'local-client-'));
  const path = join(dir, 't.db');
  ours = new LocalClient(path);
  await ours.execute('PRAGMA journal_mode = WAL');
  await ours.executeMultiple(`
    CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER, x REAL, b BLOB);
    INSERT INTO t (name, n, x, b) VALUES ('甲', 1, 1.5, x'00ff10'), ('乙', NULL, NULL, NULL);
  `);
  theirs = createClient({ url: `file:${path}` });
});

afterEach(() => {
  ours.close();
  theirs.close();
});

/** Everything a caller can observe of a result set. */
function observe(rs: ResultSet) {
  return {
    columns: rs.columns,
    columnTypes: rs.columnTypes,
    rowsAffected: rs.rowsAffected,
    lastInsertRowid: rs.lastInsertRowid,
    rows: rs.rows.map((r) => ({
      keys: Object.keys(r),
      json: JSON.stringify(r),
      length: r.length,
      indexed: Array.prototype.slice.call(r),
      named: Object.fromEntries(Object.keys(r).map((k) => [k, r[k]])),
    })),
  };
}

async function both(sql: string, args?: unknown[] | Record<string, unknown>) {
  const stmt = { sql, args: args as never };
  return [observe(await ours.execute(stmt)), observe(await theirs.execute(stmt))];
}

describeLocalOnly('LocalClient answers exactly as @libsql/client', LOCAL_ONLY, () => {
  test.each([
    ['SELECT * FROM t ORDER BY id', undefined],
    ['SELECT id, name AS 名称, n FROM t WHERE id = ?', [1]],
    ['SELECT a.id, b.id, a.name FROM t a JOIN t b ON b.id <> a.id ORDER BY a.id', undefined],
    ['SELECT count(*) AS n FROM t WHERE name = :name', { ':name': '甲' }],
    ['SELECT * FROM t WHERE id = -1', undefined],
    ['SELECT b FROM t WHERE id = 1', undefined],
  ])('%s', async (sql, args) => {
    const [a, b] = await both(sql, args as never);
    // BLOBs come back as ArrayBuffers from both; compare their bytes.
    expect(JSON.stringify(a, (_k, v) => (v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v))).toBe(JSON.stringify(b, (_k, v) => (v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v)));
  });

  test('index-like and "length" column names never hide the values by position', async () => {
    const rs = await ours.execute('SELECT 1, 2 AS "0", 3 AS length, 4 AS "__proto__"');
    expect(Array.prototype.slice.call(rs.rows[0])).toEqual([1, 2, 3, 4]);
    expect(rs.rows[0].length).toBe(4);
    expect(Object.keys(rs.rows[0])).toEqual(['__proto__']);
    // Values by position are not own properties: logging a row shows its named columns only.
    expect(inspect(rs.rows[0])).not.toMatch(/Symbol|\[1, 2, 3, 4\]/);
    expect(JSON.parse(JSON.stringify(rs.rows[0]))).toEqual({ ['__proto__']: 4 });
  });

  test('writes report rowsAffected and lastInsertRowid; RETURNING rows', async () => {
    const a = await ours.execute({ sql: 'INSERT INTO t (name, n) VALUES (?, ?)', args: ['丙', true] });
    const b = await theirs.execute({ sql: 'INSERT INTO t (name, n) VALUES (?, ?)', args: ['丁', false] });
    expect([a.rowsAffected, typeof a.lastInsertRowid]).toEqual([b.rowsAffected, typeof b.lastInsertRowid]);
    expect(a.lastInsertRowid).toBe(3n);
    const [r1, r2] = await both("UPDATE t SET n = n + 1 WHERE name IN ('甲', '丙') RETURNING name, n");
    expect(r1.rows.map((r) => r.json)).toEqual(['{"name":"甲","n":2}', '{"name":"丙","n":2}']);
    expect(r2.rows.map((r) => r.json)).toEqual(['{"name":"甲","n":3}', '{"name":"丙","n":3}']);
    const u = await ours.execute("UPDATE t SET n = 0 WHERE name = '乙'");
    expect(u.rowsAffected).toBe(1);
  });

  test('bad arguments and SQLite errors are the same errors', async () => {
    for (const c of [ours, theirs] as Client[]) {
      await expect(c.execute({ sql: 'SELECT ?', args: [Number.POSITIVE_INFINITY] })).rejects.toThrow(RangeError);
      await expect(c.execute({ sql: 'SELECT ?', args: [undefined as never] })).rejects.toThrow(TypeError);
      const err = await c.execute({ sql: 'INSERT INTO t (name) VALUES (?)', args: ['甲'] }).catch((e) => e);
      expect(err).toBeInstanceOf(LibsqlError);
      expect([err.code, err.extendedCode]).toEqual(['SQLITE_CONSTRAINT', 'SQLITE_CONSTRAINT_UNIQUE']);
      expect(err.message).toContain('UNIQUE constraint failed: t.name');
      const syntax = await c.execute('SELEC 1').catch((e) => e);
      expect(syntax.code).toBe('SQLITE_ERROR');
    }
  });

  test('a batch commits all or nothing and names the failing statement', async () => {
    const ok = await ours.batch([{ sql: 'INSERT INTO t (name) VALUES (?)', args: ['戊'] }, ['SELECT count(*) AS n FROM t', []]], 'write');
    expect(Number(ok[1].rows[0].n)).toBe(3);
    const err = await ours
      .batch(
        [
          { sql: 'INSERT INTO t (name) VALUES (?)', args: ['己'] },
          { sql: 'INSERT INTO t (name) VALUES (?)', args: ['甲'] },
        ],
        'write',
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(LibsqlBatchError);
    expect(err.statementIndex).toBe(1);
    expect(err.code).toBe('SQLITE_CONSTRAINT');
    expect(Number((await theirs.execute("SELECT count(*) AS n FROM t WHERE name = '己'")).rows[0].n)).toBe(0);
    // The connection is usable afterwards (not left inside the failed transaction).
    expect((await ours.execute('SELECT count(*) AS n FROM t')).rows[0].n).toBe(3);
  });

  test('interactive transactions are refused with a clear error', async () => {
    await expect(ours.transaction()).rejects.toMatchObject({ code: 'TRANSACTION_NOT_SUPPORTED' });
  });
});

describeLocalOnly('prepared statements are kept', LOCAL_ONLY, () => {
  test('the same SQL text is prepared once; schema changes drop the cache', async () => {
    const before = ours.cachedStatements;
    for (let i = 0; i < 50; i++) await ours.execute({ sql: 'SELECT name FROM t WHERE id = ?', args: [1 + (i % 2)] });
    expect(ours.cachedStatements).toBe(before + 1);
    await ours.execute('CREATE INDEX t_n ON t (n)');
    expect(ours.cachedStatements).toBe(0);
  });

  test('a column added by another connection shows up in SELECT * on a kept statement', async () => {
    const first = await ours.execute('SELECT * FROM t WHERE id = 1');
    expect(first.columns).toEqual(['id', 'name', 'n', 'x', 'b']);
    await theirs.execute("ALTER TABLE t ADD COLUMN note TEXT DEFAULT '备注'");
    const again = await ours.execute('SELECT * FROM t WHERE id = 1');
    expect(again.columns).toEqual(['id', 'name', 'n', 'x', 'b', 'note']);
    expect(again.rows[0].note).toBe('备注');
    expect(again.rows[0][5]).toBe('备注');
  });

  test('statements stay correct when reused after an error and with many distinct texts', async () => {
    const insert = 'INSERT INTO t (name) VALUES (?) RETURNING id';
    await expect(ours.execute({ sql: insert, args: ['甲'] })).rejects.toThrow(LibsqlError);
    expect(Number((await ours.execute({ sql: insert, args: ['庚'] })).rows[0].id)).toBe(3);
    // More distinct texts than the cache holds: the oldest are dropped, answers stay right.
    for (let i = 0; i < 500; i++) expect((await ours.execute(`SELECT ${i} AS v`)).rows[0].v).toBe(i);
    expect(ours.cachedStatements).toBeLessThanOrEqual(400);
    expect((await ours.execute({ sql: 'SELECT name FROM t WHERE id = ?', args: [3] })).rows[0].name).toBe('庚');
  });
});

describeLocalOnly('write batches commit in groups (docs/decisions/115)', LOCAL_ONLY, () => {
  const insert = (name: string) => ({ sql: 'INSERT INTO t (name) VALUES (?) RETURNING id', args: [name] });
  const names = async () => (await theirs.execute('SELECT name FROM t ORDER BY id')).rows.map((r) => String(r.name));

  test('batches made in one turn share one transaction, and each still takes effect whole or not at all', async () => {
    const before = ours.writeTransactions;
    const outcomes = await Promise.allSettled([
      ours.batch([insert('丙'), insert('丁')], 'write'),
      // Fails at its second statement: its first insert must not survive, nor harm the others.
      ours.batch([insert('戊'), insert('甲')], 'write'),
      ours.batch([insert('己'), ['SELECT count(*) AS n FROM t', []]], 'write'),
      // A statement that is not SQL fails alone too.
      ours.batch(['SELEC 1', insert('庚')], 'write'),
      ours.batch([insert('辛')], 'write'),
    ]);
    expect(ours.writeTransactions - before).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    const failed = outcomes[1] as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(LibsqlBatchError);
    expect(failed.reason.statementIndex).toBe(1);
    expect(failed.reason.code).toBe('SQLITE_CONSTRAINT');
    expect((outcomes[3] as PromiseRejectedResult).reason.statementIndex).toBe(0);
    // Each batch sees the batches before it in the group, as if they had run one after another.
    const third = (outcomes[2] as PromiseFulfilledResult<ResultSet[]>).value;
    expect(Number(third[1].rows[0].n)).toBe(5);
    expect(await names()).toEqual(['甲', '乙', '丙', '丁', '己', '辛']);
    // Nothing is left open: the next batch is a group of its own.
    await ours.batch([insert('壬')], 'write');
    expect(ours.writeTransactions - before).toBe(2);
  });

  test('waiting for another connection’s write lock does not stop the event loop', async () => {
    const other = new LocalClient(join(dir, 't.db'));
    try {
      await other.execute('BEGIN IMMEDIATE');
      await other.execute("INSERT INTO t (name) VALUES ('其他')");
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      // The holder commits 100 ms later, from this same event loop: a write that waited with SQLite's busy
      // handler would hold the loop, the commit would never come, and the write would fail after 5 s.
      const released = new Promise<void>((resolve) =>
        setTimeout(() => {
          void other.execute('COMMIT').then(() => resolve());
        }, 100),
      );
      const started = Date.now();
      const [rs] = await ours.batch([insert('丙')], 'write');
      clearInterval(timer);
      await released;
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(ticks).toBeGreaterThanOrEqual(5);
      expect(Number(rs.rows[0].id)).toBe(4);
      expect(await names()).toEqual(['甲', '乙', '其他', '丙']);
    } finally {
      other.close();
    }
  });

  test('a lock held past the busy timeout fails the waiting batches with SQLITE_BUSY, and the next write succeeds', async () => {
    const impatient = new LocalClient(join(dir, 't.db'), { busyTimeoutMs: 150 });
    const other = new LocalClient(join(dir, 't.db'));
    try {
      await other.execute('BEGIN IMMEDIATE');
      const outcomes = await Promise.allSettled([impatient.batch([insert('丙')], 'write'), impatient.batch([insert('丁')], 'write')]);
      expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as LibsqlError).code)).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY']);
      await other.execute('ROLLBACK');
      await impatient.batch([insert('戊')], 'write');
      expect(await names()).toEqual(['甲', '乙', '戊']);
    } finally {
      impatient.close();
      other.close();
    }
  });

  test('more batches than one group holds all commit, in order', async () => {
    const many = Array.from({ length: 150 }, (_, i) => ours.batch([insert(`名${i}`)], 'write'));
    const ids = (await Promise.all(many)).map(([rs]) => Number(rs.rows[0].id));
    expect(ids).toEqual(Array.from({ length: 150 }, (_, i) => 3 + i));
    expect((await names()).length).toBe(152);
  });

  test('closing the client fails the batches still waiting', async () => {
    const pending = ours.batch([insert('丙')], 'write');
    ours.close();
    await expect(pending).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});
