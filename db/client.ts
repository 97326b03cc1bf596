// One libSQL client per process (docs/architecture.md "Database, migrations, seed"), shared through globalThis
// so the start script and the bundled server use the same client.
//
// Two paths, one code (docs/decisions/082-remote-database-tests.md; both run by the tests:
// npm test on files, npm run test:remote on a libSQL server over HTTP):
// - file: db/local-client.ts, one connection for the process's life, statements kept prepared,
//   every call synchronous, so a batch is atomic with respect to the whole process.
// - http(s)/libsql: @libsql/client's HTTP client; every execute() or batch() is one request, which
//   the server may run on a connection of its own. So anything per connection — PRAGMAs,
//   changes(), last_insert_rowid() — means something only inside one batch() (one transaction,
//   one connection on both paths); the portal uses them nowhere else. rowsAffected and
//   lastInsertRowid of a result differ between the paths (a server counts trigger writes): read
//   RETURNING rows instead. Foreign keys are enforced on a file only; the portal's guarded
//   statements check the rows they refer to themselves.
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUSY_TIMEOUT_MS, LocalClient } from './local-client.ts';
import * as schema from './schema/index.ts';

/** The Drizzle database handle every domain function takes first. */
export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export interface DbOptions {
  url: string;
  authToken?: string;
  syncUrl?: string;
}

function filePath(url: string): string {
  return url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length);
}

function ensureDir(url: string) {
  if (!url.startsWith('file:')) return;
  const path = filePath(url);
  if (path && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
}

/** Opens a database and applies the connection pragmas. */
export async function openDb(opts: DbOptions): Promise<Db> {
  const local = opts.url.startsWith('file:');
  let client: Client;
  if (opts.syncUrl) {
    ensureDir(opts.url);
    client = createClient({ url: opts.url, syncUrl: opts.syncUrl, authToken: opts.authToken });
  } else if (local) {
    // A local file: our statement-caching client (docs/decisions/074).
    ensureDir(opts.url);
    client = new LocalClient(filePath(opts.url));
  } else {
    client = createClient({ url: opts.url, authToken: opts.authToken });
  }
  if (local) {
    // The wait first: even the journal-mode PRAGMA reads the file, and without a busy timeout a lock
    // held elsewhere at that moment failed the whole start with SQLITE_BUSY at once.
    await client.execute(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA synchronous = NORMAL');
    // Deleted and overwritten values are zeroed, not left in free space where the file still shows
    // them: 注销 and the sealing of clear birth dates must leave nothing to carve out (decision 077).
    await client.execute('PRAGMA secure_delete = ON');
    // Per connection: over HTTP it would hold for that one request only (the server keeps its own
    // settings), so a remote database gets none of these PRAGMAs.
    await client.execute('PRAGMA foreign_keys = ON');
  }
  return drizzle(client, { schema }) as Db;
}

/**
 * Copies the write-ahead log into the database file and empties it, best effort: old WAL frames
 * keep earlier versions of pages (a phone before 注销) until overwritten. A libSQL server keeps its
 * own log; there the pragma is refused and nothing happens.
 */
export async function truncateWal(db: Db): Promise<void> {
  try {
    await db.$client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  } catch {
    /* not a local file */
  }
}

const KEY = Symbol.for('shanxing.db');
type Holder = { promise?: Promise<Db>; url?: string };
const holder: Holder = ((globalThis as Record<symbol, unknown>)[KEY] ??= {}) as Holder;

/** The process-wide database, opened on first use. */
export function getDb(opts: DbOptions): Promise<Db> {
  if (!holder.promise || holder.url !== opts.url) {
    holder.url = opts.url;
    holder.promise = openDb(opts);
  }
  return holder.promise;
}

/** Closes the process-wide database (SIGTERM, tests). */
export async function closeDb(): Promise<void> {
  const p = holder.promise;
  holder.promise = undefined;
  holder.url = undefined;
  if (p) (await p).$client.close();
}
