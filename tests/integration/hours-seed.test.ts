// The demo seed leaves the hours capability in a useful, consistent state.
import { expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';

test('demo seed: pending queue, a correction, an issued certificate, exact totals', async () => {
  const db = await freshDb({ seed: 'demo' });
  const one = async (sql: string) => (await db.$client.execute(sql)).rows[0];
  expect(Number((await one(`SELECT count(*) AS n FROM hour_records WHERE status = 'pending'`)).n)).toBeGreaterThanOrEqual(3);
  expect(Number((await one(`SELECT count(*) AS n FROM hour_corrections WHERE status = 'pending'`)).n)).toBe(1);
  expect((await one(`SELECT number FROM certificates WHERE status = 'issued'`)).number).toMatch(/^SX-\d{4}-000001$/);
  const t = await one(`SELECT (SELECT value FROM counters WHERE name = 'hours.county_minutes') AS county, (SELECT sum(minutes) FROM hour_records WHERE status = 'confirmed') AS total,
    (SELECT sum(confirmed_minutes) FROM users) AS users, (SELECT sum(confirmed_minutes) FROM teams) AS teams`);
  expect(Number(t.county)).toBe(Number(t.total));
  expect(Number(t.users)).toBe(Number(t.total));
  expect(Number(t.teams)).toBe(Number(t.total));
});
