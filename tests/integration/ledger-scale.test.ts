// Issue 22: the county-wide 台账 reads hour records 2,000 at a time in (starts_at, id) order. Without an
// index on starts_at every page sorted all records (10,000,000 at a prefecture's size) to take the next 2,000.
import { expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
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
