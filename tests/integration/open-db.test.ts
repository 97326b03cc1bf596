// Opening the database while another process holds a lock waits for it (up to the busy timeout)
// instead of failing the start: the busy timeout is the first setting of a new connection. The
// journal-mode PRAGMA came first and answered SQLITE_BUSY at once, which stopped `npm run bench`'s
// portal on a freshly seeded scale-10 file.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import Database from 'libsql';
import { openDb } from '../../db/client.ts';
import { describeLocalOnly } from '../helpers/hrana.ts';

/** A child process that takes the file's exclusive lock, says so, holds it `ms`, then commits and exits. */
function holdExclusive(path: string, ms: number): Promise<{ released: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const Database = require('libsql');
       const d = new Database(${JSON.stringify(path)});
       d.exec('BEGIN EXCLUSIVE');
       d.exec("INSERT INTO t (name) VALUES ('锁')");
       process.stdout.write('locked\\n');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});
       d.exec('COMMIT');
       d.close();`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const released = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (String(d).includes('locked')) resolve({ released });
    });
    child.on('error', reject);
  });
}

describeLocalOnly('opening a database file', 'a libSQL server keeps its own locks and settings', () => {
  test('while another process holds the lock, the open waits for it and the file ends in WAL mode', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'open-db-')), 't.db');
    // A file still in rollback-journal mode (as a copy or a bulk load leaves it): switching it to WAL needs the lock.
    const setup = new Database(path);
    setup.exec('PRAGMA journal_mode = DELETE');
    setup.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    setup.close();

    const { released } = await holdExclusive(path, 400);
    const started = Date.now();
    const db = await openDb({ url: `file:${path}` });
    try {
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(await released).toBe(0);
      const mode = await db.$client.execute('PRAGMA journal_mode');
      expect(String(mode.rows[0].journal_mode)).toBe('wal');
      expect((await db.$client.execute('SELECT name FROM t')).rows.map((r) => String(r.name))).toEqual(['锁']);
    } finally {
      db.$client.close();
    }
  });
});
