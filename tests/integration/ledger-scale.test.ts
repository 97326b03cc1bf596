// Issue 22: the county-wide 台账 reads hour records 2,000 at a time in (starts_at, id) order. Without an
// index on starts_at every page sorted all records (10,000,000 at a prefecture's size) to take the next 2,000;
// a team's ledger likewise sorted all of the team's records per page until hours_team_time (migration 0031).
import { expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import { sql } from 'drizzle-orm';
import { exportLedger } from '../../src/domain/hours/ledger.ts';

test('each page of the county-wide ledger walks an index instead of sorting every record', async () => {
  const db = await freshDb({ seed: 'demo' });
  const seen: string[] = [];
  const client = db.$client as unknown as { execute: (s: unknown) => Promise<unknown> };
  const execute = client.execute.bind(client);
  client.execute = (s: unknown) => {
    seen.push(typeof s === 'string' ? s : String((s as { sql: string }).sql));
    return execute(s);
  };
  const { rows } = await exportLedger(db, {});
  client.execute = execute;
  expect(rows).toBeGreaterThan(0);
  const pages = seen.filter((t) => t.includes('ORDER BY h.starts_at, h.id'));
  expect(pages.length).toBeGreaterThan(0);
  for (const text of pages) {
    const plan = (await db.$client.execute({ sql: `EXPLAIN QUERY PLAN ${text}`, args: (text.match(/\?/g) ?? []).map(() => 0) })).rows;
    // The statement's own steps (parent 0), not the leader lookup's small sort inside a subquery.
    const top = plan.filter((r) => Number(r.parent) === 0).map((r) => String(r.detail));
    expect(top[0], top.join(' | ')).toMatch(/^(SCAN|SEARCH) h USING INDEX hours_time/);
    expect(
      top.filter((d) => /TEMP B-TREE FOR ORDER BY/.test(d)),
      top.join(' | '),
    ).toEqual([]);
  }
});

test.each([
  ['a team (a leader’s download)', { teamIds: [0] }],
  ['a team and a period', { teamIds: [0], from: '2025-01-01', to: '2026-12-31' }],
  ['a team and a status', { teamIds: [0], status: 'confirmed' }],
  ['a team chosen by staff', { teamId: 0 }],
  ['a status, county-wide', { status: 'pending' }],
  // With hours_team_time the planner took teams as the outer loop and sorted the period's records per page.
  ['a period, county-wide', { from: '2020-01-01' }],
])('each page of %s walks an index in (starts_at, id) order instead of sorting', async (_, filter) => {
  const db = await freshDb({ seed: 'demo' });
  const [team] = await db.all<{ id: number }>(sql`SELECT id FROM teams WHERE slug = 'chengguan-red-vest'`);
  // The planner's choices depend on statistics: these are the benchmark's (scale 1, which ran ANALYZE before
  // hours_team_time existed), under which it took teams as the outer loop and sorted every page.
  await db.run(sql`ANALYZE`);
  await db.run(sql`DELETE FROM sqlite_stat1 WHERE tbl IN ('hour_records', 'teams')`);
  await db.run(sql`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('teams', 'teams_slug_unique', '500 1'), ('hour_records', 'hours_time', '1000000 367'),
    ('hour_records', 'hours_status_time', '1000000 500000 290'), ('hour_records', 'hours_team_status', '1000000 2000 1000 3'), ('hour_records', 'hours_user_time', '1000000 20 1')`);
  await db.run(sql`ANALYZE sqlite_schema`);
  const f = JSON.parse(JSON.stringify(filter).replace(/\b0\b/, String(team.id)));
  const seen: string[] = [];
  const args: unknown[][] = [];
  const client = db.$client as unknown as { execute: (s: unknown) => Promise<unknown> };
  const execute = client.execute.bind(client);
  client.execute = (s: unknown) => {
    const st = s as { sql: string; args?: unknown[] };
    seen.push(typeof s === 'string' ? s : String(st.sql));
    args.push(typeof s === 'string' ? [] : (st.args ?? []));
    return execute(s);
  };
  const { rows } = await exportLedger(db, f);
  client.execute = execute;
  expect(rows).toBeGreaterThan(0);
  const pages = seen.map((text, i) => ({ text, args: args[i] })).filter((p) => p.text.includes('ORDER BY h.starts_at, h.id'));
  expect(pages.length).toBeGreaterThan(0);
  for (const p of pages) {
    const plan = (await db.$client.execute({ sql: `EXPLAIN QUERY PLAN ${p.text}`, args: p.args as never })).rows;
    const top = plan.filter((r) => Number(r.parent) === 0).map((r) => String(r.detail));
    expect(
      top.some((d) => /^(SEARCH|SCAN) h USING (COVERING )?INDEX hours_(team_time|team_status|status_time|time) \((team_id|status|starts_at)[=>]/.test(d)),
      top.join(' | '),
    ).toBe(true);
    expect(
      top.filter((d) => /TEMP B-TREE FOR ORDER BY/.test(d)),
      top.join(' | '),
    ).toEqual([]);
  }
});
