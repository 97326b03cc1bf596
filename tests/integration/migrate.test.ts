// Issue 15, item 13: starting another process (npm run user:create, db:migrate, a restart) must not
// re-create live triggers when nothing changed — that changed the schema under a serving process.
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../db/client.ts';
import { customScripts, customSqlFolder, migrateData, migrateDb, migrationsFolder } from '../../db/migrate.ts';
import { emptyDatabase, freshDb } from '../helpers/db.ts';
import { sharedDbEnv } from '../helpers/hrana.ts';

const schemaVersion = async (db: Awaited<ReturnType<typeof freshDb>>) => Number((await db.$client.execute('PRAGMA schema_version')).rows[0].schema_version);

describe('migrateData (start-up data migrations)', () => {
  test('each runs once and is recorded: a later start reads one row instead of scanning users and files', async () => {
    const db = await freshDb();
    const uploadsDir = mkdtempSync(join(tmpdir(), 'shanxing-uploads-'));
    await migrateData(db, { secretKey: Buffer.alloc(32, 7), uploadsDir });
    const names = (await db.$client.execute('SELECT name FROM data_migrations ORDER BY name')).rows.map((r) => r.name);
    expect(names).toEqual(['0007-relocate-private-files', '0008-seal-birth-dates', '0029-order-deadlines']);
    // A clear birth date appearing now (it cannot, nothing writes one) would not be scanned for again.
    expect(await migrateData(db, { secretKey: Buffer.alloc(32, 7), uploadsDir })).toEqual({ sealed: 0, relocated: 0 });
  });
});

describe('migrateDb', () => {
  test('a second run changes nothing in the schema', async () => {
    const db = await freshDb();
    const before = await schemaVersion(db);
    expect(await migrateDb(db)).toEqual([]);
    expect(await schemaVersion(db)).toBe(before);
  });

  test('npm run db:migrate (a second process) leaves a live database alone, and says so', async () => {
    const db = await freshDb({ seed: 'base' });
    const before = await schemaVersion(db);
    const r = spawnSync(process.execPath, ['scripts/migrate.mjs'], {
      env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: join(db.path, '..'), ...sharedDbEnv() },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('数据库已是最新');
    expect(await schemaVersion(db)).toBe(before);
  });

  test('an edited script runs again, inside one transaction, and only that one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanxing-sql-'));
    cpSync(customSqlFolder, dir, { recursive: true });
    const db = await openDb({ url: (await emptyDatabase()).url });
    await migrateDb(db, migrationsFolder, dir);
    writeFileSync(join(dir, 'zz-extra.sql'), 'CREATE TABLE IF NOT EXISTS probe_a (x); CREATE TRIGGER probe_t AFTER INSERT ON probe_a BEGIN SELECT 1; END;');
    expect(await migrateDb(db, migrationsFolder, dir)).toEqual(['zz-extra.sql']);
    // A failing script leaves nothing half-applied: probe_b is not created, and the old hash stays.
    writeFileSync(join(dir, 'zz-extra.sql'), 'CREATE TABLE probe_b (x); CREATE TRIGGER probe_t AFTER INSERT ON probe_a BEGIN SELECT 1; END;');
    await expect(migrateDb(db, migrationsFolder, dir)).rejects.toThrow();
    expect((await db.$client.execute(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'probe_b'`)).rows[0].n).toBe(0);
    expect(await migrateDb(db, migrationsFolder, dir).catch(() => 'failed again')).toBe('failed again');
  });

  test('two processes migrating a new database at the same moment both succeed (N portal processes on one server)', async () => {
    const { url } = await emptyDatabase();
    const [a, b] = [await openDb({ url }), await openDb({ url })];
    const results = await Promise.allSettled([migrateDb(a), migrateDb(b)]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    // One applied every script; the other found nothing left to do.
    expect(results.map((r) => (r as PromiseFulfilledResult<string[]>).value.length).sort()).toEqual([0, customScripts().length]);
    expect(await migrateDb(a)).toEqual([]);
    a.$client.close();
    b.$client.close();
  });
});
