// The sign-up's clash check reads the volunteer's own sign-ups first, whatever the planner's statistics
// say about the events indexes (issue 22: with events (status, ends_at) and no statistics for it, every
// sign-up walked the events that end after the new one starts — 1.8 ms each at scale 10).
import { expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDb } from '../helpers/db.ts';
import { signUp } from '../../src/domain/events/signups.ts';
import { TEST_KEY } from '../helpers/db.ts';

test('the sign-up read and its guarded insert search signups by volunteer, never events by end time', async () => {
  const db = await freshDb({ seed: 'demo' });
  const [e] = await db.all<{ id: number }>(sql`SELECT id FROM events WHERE status = 'published' AND starts_at > ${Date.now()} ORDER BY starts_at LIMIT 1`);
  const [u] = await db.all<{ id: number }>(
    sql`SELECT u.id FROM users u WHERE u.status = 'active' AND NOT EXISTS (SELECT 1 FROM signups s WHERE s.user_id = u.id AND s.event_id = ${e.id}) ORDER BY u.id LIMIT 1`,
  );
  // The benchmark's statistics at scale 10: ANALYZE ran before events_status_end existed.
  await db.run(sql`ANALYZE`);
  await db.run(sql`DELETE FROM sqlite_stat1 WHERE tbl IN ('events', 'signups')`);
  await db.run(sql`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('events', 'events_status_start', '50001 25001 66'), ('events', 'events_team', '50001 11 1'),
    ('signups', 'signups_one', '400000 8 1'), ('signups', 'signups_user', '400000 8 6'), ('signups', 'signups_event_status', '400000 8 4 1')`);
  await db.run(sql`ANALYZE sqlite_schema`);
  const seen: { sql: string; args?: unknown }[] = [];
  const client = db.$client as unknown as { execute: (s: unknown) => Promise<unknown>; batch: (s: unknown[], m?: string) => Promise<unknown> };
  const execute = client.execute.bind(client);
  const batch = client.batch.bind(client);
  client.execute = (s: unknown) => {
    if (typeof s === 'object' && s) seen.push(s as { sql: string; args?: unknown });
    return execute(s);
  };
  client.batch = (s: unknown[], m?: string) => {
    for (const x of s) if (typeof x === 'object' && x) seen.push(x as { sql: string; args?: unknown });
    return batch(s, m);
  };
  try {
    await signUp(db, { eventId: e.id, userId: u.id, secretKey: TEST_KEY });
  } finally {
    client.execute = execute;
    client.batch = batch;
  }
  const clashChecks = seen.filter((s) => /s2\.user_id/.test(s.sql));
  expect(clashChecks.length).toBe(2); // the read and the guarded insert
  for (const s of clashChecks) {
    const plan = (await db.$client.execute({ sql: `EXPLAIN QUERY PLAN ${s.sql}`, args: s.args as never })).rows.map((r) => String(r.detail));
    expect(plan.join(' | ')).toMatch(/SEARCH s2 USING (COVERING )?INDEX signups_user/);
    expect(plan.join(' | ')).not.toMatch(/SEARCH o USING (COVERING )?INDEX events_status_(end|start)/);
  }
});
