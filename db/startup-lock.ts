// One process at a time brings a shared database up to date (migrations, db/sql scripts, the seed).
// Several portal processes started together on one libSQL server (docs/architecture.md "Scale-out"), or on one
// file, raced: the loser died with "table `regions` already exists" or a duplicate region code
// (docs/decisions/082-remote-database-tests.md). The lock is a row claimed by one guarded statement,
// so it works the same over HTTP, where every request may be a new server connection, as on a file.
import { randomBytes } from 'node:crypto';
import type { Db } from './client.ts';

/** A claim lapses this long after its last renewal: a process that died holding it blocks no one for longer. */
export const STARTUP_LEASE_MS = 60_000;

/** The database's clock in milliseconds: leases compare times from one clock, whatever the app machines' clocks say. */
const DB_NOW = `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Thrown when another process held the lock for longer than `waitMs`. */
export class StartupLockTimeout extends Error {
  constructor(waitMs: number) {
    super(`另一个进程正在更新数据库，已等待 ${Math.round(waitMs / 1000)} 秒仍未完成 / another process has been updating the database for ${Math.round(waitMs / 1000)} s`);
    this.name = 'StartupLockTimeout';
  }
}

/**
 * Runs `fn` while this call holds the database's start-up lock; others wait (polling) until it is
 * released or its lease lapses. Not re-entrant: `fn` must not take the lock again.
 */
export async function withStartupLock<T>(db: Db, fn: () => Promise<T>, opts: { leaseMs?: number; waitMs?: number; pollMs?: number } = {}): Promise<T> {
  const client = db.$client;
  const leaseMs = opts.leaseMs ?? STARTUP_LEASE_MS;
  const waitMs = opts.waitMs ?? 10 * 60_000;
  const holder = randomBytes(12).toString('hex');
  // CREATE … IF NOT EXISTS on an existing table leaves the schema (and its cookie) untouched.
  await client.execute('CREATE TABLE IF NOT EXISTS startup_lock (id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL, expires_at INTEGER NOT NULL)');
  const deadline = Date.now() + waitMs;
  for (;;) {
    const rs = await client.execute({
      sql: `INSERT INTO startup_lock (id, holder, expires_at) VALUES (1, ?1, ${DB_NOW} + ?2)
            ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at WHERE startup_lock.expires_at < ${DB_NOW}
            RETURNING holder`,
      args: [holder, leaseMs],
    });
    if (rs.rows.length === 1) break;
    if (Date.now() > deadline) throw new StartupLockTimeout(waitMs);
    await sleep(opts.pollMs ?? 200);
  }
  const renew = setInterval(
    () => {
      client.execute({ sql: `UPDATE startup_lock SET expires_at = ${DB_NOW} + ?1 WHERE id = 1 AND holder = ?2`, args: [leaseMs, holder] }).catch(() => {});
    },
    Math.max(1000, Math.floor(leaseMs / 3)),
  );
  renew.unref();
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await client.execute({ sql: 'DELETE FROM startup_lock WHERE id = 1 AND holder = ?', args: [holder] }).catch(() => {});
  }
}
