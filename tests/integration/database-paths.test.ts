// What the portal's SQL relies on, checked on the path this run uses: a local file through
// db/local-client.ts (npm test) or a libSQL server over HTTP (npm run test:remote, Hrana).
// Where the two paths differ, both answers are asserted here and explained in
// docs/decisions/082-remote-database-tests.md.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb, type Db } from '../../db/client.ts';
import { sql } from 'drizzle-orm';
import { guardedWrite, writeBatch } from '../../db/write.ts';
import { isUniqueViolation } from '../../src/domain/accounts/errors.ts';
import { freshDb } from '../helpers/db.ts';
import { REMOTE, REMOTE_NOT_RUN, repoRoot } from '../helpers/hrana.ts';

let db: Db & { url: string };
let other: Db;

beforeAll(async () => {
  db = await freshDb();
  other = await openDb({ url: db.url });
  await db.$client.executeMultiple(`
    CREATE TABLE probe (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE, n INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE probe_log (probe_id INTEGER, label TEXT);
    CREATE TRIGGER probe_touch AFTER INSERT ON probe BEGIN INSERT INTO probe_log (probe_id, label) VALUES (NULL, 'trigger'); END;
  `);
});
afterAll(() => {
  other?.$client.close();
  db?.$client.close();
});

const n = async (sql: string, args: (string | number)[] = []) => Number((await db.$client.execute({ sql, args })).rows[0].n);

describe(`the SQL idioms the portal relies on, on ${REMOTE ? 'a libSQL server over HTTP' : 'a local database file'}`, () => {
  test('changes() and last_insert_rowid() in a write batch refer to that batch, with 60 batches from two connections at once', async () => {
    const labels = Array.from({ length: 60 }, (_, i) => `并发-${i}`);
    await Promise.all(
      labels.map((label, i) =>
        writeBatch(i % 2 ? other : db, [sql`INSERT INTO probe (label) VALUES (${label})`, sql`INSERT INTO probe_log (probe_id, label) SELECT last_insert_rowid(), ${label} WHERE changes() = 1`]),
      ),
    );
    const rows = (await db.$client.execute(`SELECT p.label AS a, l.label AS b FROM probe_log l JOIN probe p ON p.id = l.probe_id`)).rows;
    expect(rows).toHaveLength(60);
    expect(rows.filter((r) => r.a !== r.b)).toEqual([]);
  });

  test('a guard that fails rolls back every statement of its batch', async () => {
    await db.$client.execute(`INSERT INTO probe (label) VALUES ('守卫')`);
    const missed = await guardedWrite(db, sql`UPDATE probe SET n = n + 1 WHERE label = '不存在' RETURNING id`, [sql`INSERT INTO probe_log (probe_id, label) VALUES (0, '不应写入')`]);
    expect(missed).toBeNull();
    expect(await n(`SELECT count(*) AS n FROM probe_log WHERE label = '不应写入'`)).toBe(0);
    const hit = await guardedWrite(db, sql`UPDATE probe SET n = n + 1 WHERE label = '守卫' RETURNING id, n`, [sql`INSERT INTO probe_log (probe_id, label) VALUES (0, '应写入')`]);
    expect(hit![0].rows.map((r) => Number(r.n))).toEqual([1]);
    expect(await n(`SELECT count(*) AS n FROM probe_log WHERE label = '应写入'`)).toBe(1);
  });

  test('RETURNING gives the written rows on both paths; rowsAffected differs (trigger writes count on the server), so no code reads it', async () => {
    const rs = await db.$client.execute(`INSERT INTO probe (label) VALUES ('返回') RETURNING id, label`);
    expect(rs.rows.map((r) => r.label)).toEqual(['返回']);
    const plain = await db.$client.execute(`INSERT INTO probe (label) VALUES ('计数')`);
    // The insert fired one trigger write: a local file counts 1 row, this server 2.
    expect(plain.rowsAffected).toBe(REMOTE ? 2 : 1);
    const readers = sourceFiles().filter((f) => /\.(rowsAffected|lastInsertRowid)\b/.test(readFileSync(f, 'utf8')));
    expect(readers, 'use RETURNING (or changes()/last_insert_rowid() inside the same batch) instead').toEqual([]);
  });

  test('a unique violation is recognised on both paths, though the error codes differ', async () => {
    const err = await db.$client.execute(`INSERT INTO probe (label) VALUES ('守卫')`).catch((e: unknown) => e as Error & { code: string });
    expect(isUniqueViolation(err, 'probe.label')).toBe(true);
    // A local file answers the primary code, a server the extended one.
    expect((err as { code: string }).code).toBe(REMOTE ? 'SQLITE_CONSTRAINT_UNIQUE' : 'SQLITE_CONSTRAINT');
    const inBatch = await writeBatch(db, [sql`INSERT INTO probe (label) VALUES ('守卫')`]).catch((e: unknown) => e);
    expect(isUniqueViolation(inBatch, 'probe.label')).toBe(true);
  });

  test('a column added by another connection shows up in the next SELECT * (kept statements on the local path)', async () => {
    expect((await db.$client.execute(`SELECT * FROM probe WHERE label = '守卫'`)).columns).toEqual(['id', 'label', 'n']);
    await other.$client.execute(`ALTER TABLE probe ADD COLUMN note TEXT`);
    expect((await db.$client.execute(`SELECT * FROM probe WHERE label = '守卫'`)).columns).toEqual(['id', 'label', 'n', 'note']);
  });

  test('foreign keys are enforced on a local file, not by a libSQL server over HTTP: the portal never relies on them', async () => {
    // PRAGMA foreign_keys holds per connection; over HTTP every request may be a new one.
    const dangling = db.$client.execute({ sql: `INSERT INTO sessions (id, user_id, expires_at, ttl_ms, created_at) VALUES ('fk-probe', 987654, 0, 0, 0)`, args: [] });
    if (REMOTE) {
      await dangling;
      expect(await n(`SELECT count(*) AS n FROM sessions WHERE id = 'fk-probe'`)).toBe(1);
      await db.$client.execute(`DELETE FROM sessions WHERE id = 'fk-probe'`);
    } else {
      await expect(dangling).rejects.toThrow(/FOREIGN KEY constraint failed/);
    }
  });

  test('an integer beyond 2^53 is rounded on the local path and refused by the HTTP client (ids, times and counts stay far below)', async () => {
    const big = db.$client.execute('SELECT 9007199254740993 AS v');
    if (REMOTE) await expect(big).rejects.toThrow(RangeError);
    else expect((await big).rows[0].v).toBe(2 ** 53);
  });
});

describe('npm run test:remote where no Hrana server is given', () => {
  test('says plainly that the remote tests did not run, and is not a failure', () => {
    const r = spawnSync(process.execPath, ['scripts/test.mjs', '--remote'], {
      cwd: repoRoot,
      env: { ...process.env, HRANA_START: join(repoRoot, 'no-such-folder', 'start.sh') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(REMOTE_NOT_RUN);
    expect(r.stdout).toContain('DID NOT RUN');
  });
});

/** The TypeScript and JavaScript files of the application (src, db, scripts). */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mjs|astro)$/.test(e.name) && !p.endsWith('local-client.ts')) out.push(p);
    }
  };
  for (const d of ['src', 'db', 'scripts']) walk(join(repoRoot, d));
  return out;
}
