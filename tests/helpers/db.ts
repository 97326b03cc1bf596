// A fresh, migrated database per call (real database, never a mock): a libSQL file, or under
// TEST_DATABASE=remote a file behind its own Hrana server reached over HTTP (decision 082).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDb, type Db } from '../../db/client.ts';
import { migrateDb } from '../../db/migrate.ts';
import { seed } from '../../db/seed.ts';
import { REMOTE, startHrana } from './hrana.ts';

export const TEST_KEY = randomBytes(32);

/** A new, empty database: its URL (file: or, under the remote run, http:) and the SQLite file behind it. */
export async function emptyDatabase(): Promise<{ url: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'shanxing-test-'));
  const path = join(dir, 'test.db');
  return { url: REMOTE ? (await startHrana(path)).url : `file:${path}`, path };
}

/**
 * Opens a new database with migrations applied; `seed: 'base'` loads regions and pages, `'demo'` everything.
 * `url` opens another connection to the same database (file: or http:); `path` is the SQLite file behind it.
 */
export async function freshDb(opts: { seed?: 'none' | 'base' | 'demo' } = {}): Promise<Db & { path: string; url: string }> {
  const { url, path } = await emptyDatabase();
  const db = await openDb({ url });
  await migrateDb(db);
  if (opts.seed && opts.seed !== 'none') await seed(db, { secretKey: TEST_KEY, demo: opts.seed === 'demo' });
  return Object.assign(db, { path, url });
}
