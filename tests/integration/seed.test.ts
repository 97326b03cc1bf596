import { describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { seed } from '../../db/seed.ts';
import { testLocalOnly } from '../helpers/hrana.ts';
import { openDb } from '../../db/client.ts';

async function count(db: Awaited<ReturnType<typeof freshDb>>, table: string) {
  const rs = await db.$client.execute(`SELECT count(*) AS n FROM ${table}`);
  return Number(rs.rows[0].n);
}

describe('seed', () => {
  test('loads a realistic county and the demo corpus', async () => {
    const db = await freshDb({ seed: 'demo' });
    expect(await count(db, "regions WHERE level = 'county'")).toBe(1);
    const towns = await count(db, "regions WHERE level = 'town'");
    expect(towns).toBeGreaterThanOrEqual(8);
    expect(towns).toBeLessThanOrEqual(10);
    const villages = await count(db, "regions WHERE level = 'village'");
    expect(villages).toBeGreaterThanOrEqual(40);
    expect(villages).toBeLessThanOrEqual(60);
    expect(await count(db, 'teams')).toBeGreaterThanOrEqual(12);
    expect(await count(db, "honorees WHERE status = 'published'")).toBeGreaterThanOrEqual(30);
    expect(await count(db, "honor_batches WHERE status = 'published'")).toBe(3);
    expect(await count(db, 'articles')).toBeGreaterThanOrEqual(20);
    expect(await count(db, 'legal_lessons')).toBeGreaterThanOrEqual(10);
    expect(await count(db, 'events')).toBeGreaterThanOrEqual(15);
    expect(await count(db, 'events WHERE starts_at > unixepoch() * 1000')).toBeGreaterThan(0);
    expect(await count(db, 'events WHERE ends_at < unixepoch() * 1000')).toBeGreaterThan(0);
    expect(await count(db, "pages WHERE slug IN ('about', 'privacy', 'terms')")).toBe(3);
    const cats = await db.all<{ category: string }>(sql`SELECT DISTINCT category FROM honorees`);
    expect(cats.map((c) => c.category).sort()).toEqual(['助人为乐', '孝老爱亲', '敬业奉献', '见义勇为', '诚实守信'].sort());
  });

  test('is idempotent: a second run adds nothing and creates no new accounts', async () => {
    const db = await freshDb({ seed: 'demo' });
    const before = { users: await count(db, 'users'), teams: await count(db, 'teams'), regions: await count(db, 'regions') };
    const again = await seed(db, { secretKey: TEST_KEY, demo: true });
    expect(again).toEqual([]);
    expect({ users: await count(db, 'users'), teams: await count(db, 'teams'), regions: await count(db, 'regions') }).toEqual(before);
  });

  test('SEED_DEMO=false loads only regions and static pages', async () => {
    const db = await freshDb({ seed: 'base' });
    expect(await count(db, 'regions')).toBeGreaterThan(40);
    expect(await count(db, 'teams')).toBe(0);
    expect(await count(db, 'users')).toBe(0);
  });

  test('no ID number or birth date is stored in plaintext', async () => {
    const db = await freshDb({ seed: 'demo' });
    const rows = await db.all<{ id_number_enc: string | null; id_number_masked: string | null; birth_date: string | null; birth_date_enc: string | null }>(
      sql`SELECT id_number_enc, id_number_masked, birth_date, birth_date_enc FROM users`,
    );
    expect(rows.filter((r) => r.id_number_enc != null).length).toBeGreaterThan(10);
    for (const r of rows) {
      // Staff made by an administrator (a 超市管理员, say) may have given no ID number: then none is stored.
      if (r.id_number_enc == null) {
        expect(r.id_number_masked ?? null).toBeNull();
        continue;
      }
      expect(r.id_number_enc).not.toMatch(/\d{17}[\dX]/);
      expect(r.id_number_masked).toMatch(/^\d{4}\*{14}$/);
      expect(r.birth_date).toBeNull();
      expect(r.birth_date_enc).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    }
  });

  test('two processes seeding one new database at the same moment: one county, the demo corpus once, no error', async () => {
    const db = await freshDb();
    const other = await openDb({ url: db.url });
    const results = await Promise.allSettled([seed(db, { secretKey: TEST_KEY, demo: true }), seed(other, { secretKey: TEST_KEY, demo: true })]);
    other.$client.close();
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    // The demo accounts are created (and printed) by exactly one of them.
    expect(results.map((r) => (r as PromiseFulfilledResult<unknown[]>).value.length > 0).sort()).toEqual([false, true]);
    expect(await count(db, "regions WHERE level = 'county'")).toBe(1);
    const again = await freshDb({ seed: 'demo' });
    expect(await count(db, 'teams')).toBe(await count(again, 'teams'));
    expect(await count(db, 'users')).toBe(await count(again, 'users'));
  });

  testLocalOnly('the database uses WAL', '日志模式由数据库服务器决定（db/client.ts 只为本地文件设置 WAL）', async () => {
    const db = await freshDb();
    const rs = await db.$client.execute('PRAGMA journal_mode');
    expect(String(rs.rows[0].journal_mode ?? rs.rows[0][0])).toBe('wal');
  });
});
