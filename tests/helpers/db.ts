// A fresh, migrated libSQL file per call (real database, never a mock).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDb, type Db } from '../../db/client.ts';
import { migrateDb } from '../../db/migrate.ts';
import { seed } from '../../db/seed.ts';

export const TEST_KEY = randomBytes(32);

/** Opens a new database file with migrations applied; `seed: 'base'` loads regions and pages, `'demo'` everything. */
export async function freshDb(opts: { seed?: 'none' | 'base' | 'demo' } = {}): Promise<Db & { path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'shanxing-test-'));
  const path = join(dir, 'test.db');
  const db = await openDb({ url: `file:${path}` });
  await migrateDb(db);
  if (opts.seed && opts.seed !== 'none') await seed(db, { secretKey: TEST_KEY, demo: opts.seed === 'demo' });
  return Object.assign(db, { path });
}
