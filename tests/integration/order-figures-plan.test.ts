// The published 四单 figures read late open orders by (status, deadline), whatever the planner's statistics
// say about done_at (issue 22: at scale 10, ANALYZE's statistics made "done_at IS NULL" look rare and the
// late-orders read walked every unfinished order by (item_id, done_at): 11.6 ms of /stats' 17 ms).
import { expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDb } from '../helpers/db.ts';
import { orderFigures } from '../../src/domain/orders/figures.ts';
import { capturedStatements, queryPlan } from '../helpers/sql-capture.ts';

test('the late-orders read of the 四单 figures searches by status and deadline, never by item and done_at', async () => {
  const db = await freshDb({ seed: 'demo' });
  // The benchmark's statistics at scale 10 (108,000 orders, 12 items, done_at nearly unique).
  await db.run(sql`ANALYZE`);
  await db.run(sql`DELETE FROM sqlite_stat1 WHERE tbl = 'service_orders'`);
  await db.run(sql`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('service_orders', 'service_orders_item_done', '108000 9000 2'),
    ('service_orders', 'service_orders_finish_due', '108000 15429 67'), ('service_orders', 'service_orders_accept_due', '108000 15429 71'),
    ('service_orders', 'service_orders_status', '108000 15429 1'), ('service_orders', 'service_orders_town', '108000 12000 1715'),
    ('service_orders', 'service_orders_team', '108000 22 10')`);
  await db.run(sql`ANALYZE sqlite_schema`);
  const seen = await capturedStatements(db, () => orderFigures(db));
  const lateReads = seen.filter((s) => /finish_by </.test(s.sql));
  expect(lateReads.length).toBe(1);
  const plan = await queryPlan(db, lateReads[0]);
  expect(plan).toMatch(/USING (COVERING )?INDEX service_orders_finish_due/);
  expect(plan).not.toMatch(/service_orders_item_done/);
});
