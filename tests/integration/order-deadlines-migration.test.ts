// Migration 0029 (docs/decisions/106): orders placed before it get the limits of their item and the
// deadlines those give on the calendar, once, at start-up (migrateData); the 四单 aggregate is then built
// from them, so /stats shows the same figures the per-request count showed before.
import { describe, expect, test } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { openDb } from '../../db/client.ts';
import { migrateData, migrateDb, migrationsFolder } from '../../db/migrate.ts';
import { orderFigures } from '../../src/domain/orders/figures.ts';
import { loadWorkCalendar, orderDeadlines } from '../../src/domain/orders/working-days.ts';

const H = 3600_000;
const D = 24 * H;
/** An instant given in Beijing time. */
const bj = (s: string) => Date.parse(`${s}+08:00`);

describe('migration 0029', () => {
  test('orders placed before it are held to their item’s limits in working days, and the figures count them as before', async () => {
    const root = mkdtempSync(join(tmpdir(), 'shanxing-0029-'));
    const folder = join(root, 'migrations');
    cpSync(migrationsFolder, folder, { recursive: true });
    const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8'));
    journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= 28);
    writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
    const db = await openDb({ url: `file:${join(root, 'old.db')}` });
    await migrate(db, { migrationsFolder: folder });
    const run = async (q: string, args: (string | number | null)[] = []) => (await db.$client.execute({ sql: q, args })).rows;
    const town = Number((await run(`INSERT INTO regions (code, name, level, kind) VALUES ('t1', '城关镇', 'town', '镇') RETURNING id`))[0].id);
    const village = Number((await run(`INSERT INTO regions (code, name, level, kind, parent_id) VALUES ('v1', '田坝村', 'village', '村', ?) RETURNING id`, [town]))[0].id);
    const [item] = await run(`SELECT id, accept_hours, dispatch_hours, finish_days FROM service_items WHERE slug = 'elder-care'`);
    // Placed on Tuesday 29 September 2026 at 10:00: 受理 by its end, 办结 within 3 working days (国庆 off).
    const t0 = bj('2026-09-29T10:00:00');
    const plan: [string, number | null, number | null, number | null, number | null][] = [
      // status, accepted, dispatched, done, rating
      ['new', null, null, null, null],
      ['accepted', t0 + H, null, null, null],
      ['assigned', t0 + H, t0 + 2 * H, null, null],
      ['done', t0 + H, t0 + 2 * H, bj('2026-10-09T16:00:00'), null],
      ['rated', t0 + 30 * H, t0 + 31 * H, bj('2026-10-12T16:00:00'), 5],
      ['rejected', null, null, null, null],
    ];
    for (const [i, [status, accepted, dispatched, done, rating]] of plan.entries())
      await run(
        `INSERT INTO service_orders (tracking_no, item_id, requester_name, requester_phone, town_id, village_id, address, need, status, accepted_at, dispatched_at, done_at, rating, created_at)
         VALUES (?, ?, '张桂芳', '13812340000', ?, ?, '3组12号', '想请志愿者帮忙打扫卫生。', ?, ?, ?, ?, ?, ?)`,
        [`DD-2026-00000${i}`, Number(item.id), town, village, status, accepted, dispatched, done, rating, t0],
      );
    await migrateDb(db);
    await migrateData(db, { secretKey: Buffer.alloc(32, 7) });

    const limits = { acceptHours: Number(item.accept_hours), dispatchHours: Number(item.dispatch_hours), finishDays: Number(item.finish_days) };
    const calendar = await loadWorkCalendar(db);
    const orders = await run(`SELECT * FROM service_orders ORDER BY id`);
    for (const o of orders) {
      const acceptedAt = o.accepted_at == null ? null : Number(o.accepted_at);
      const d = orderDeadlines({ createdAt: t0, acceptedAt }, limits, calendar);
      expect([o.limit_accept_hours, o.limit_dispatch_hours, o.limit_finish_days].map(Number)).toEqual([limits.acceptHours, limits.dispatchHours, limits.finishDays]);
      expect({ acceptBy: Number(o.accept_by), dispatchBy: o.dispatch_by == null ? null : Number(o.dispatch_by), finishBy: Number(o.finish_by) }).toEqual({
        ...d,
        dispatchBy: acceptedAt == null ? null : d.dispatchBy,
      });
    }
    // On 20 October: 受理 on time 3 of 4 due (one accepted on 30 September, the new one late); 办结 on time
    // 1 of 3 (done 9 October on time, done 12 October late, the assigned one late and still open).
    const f = await orderFigures(db, bj('2026-10-20T12:00:00'));
    expect(f.total).toEqual({ key: '全县', orders: 6, acceptedOnTime: 3, acceptDue: 5, dispatched: 3, accepted: 4, doneOnTime: 1, doneDue: 3, satisfied: 1, rated: 1, serviceVisits: 0 });
    expect(f.byTown).toEqual([{ ...f.total, key: '城关镇' }]);
    expect(f.byMonth.map((r) => r.key)).toEqual(['2026-09']);
    // Recorded once: a restart does not re-time anything.
    await run(`UPDATE service_orders SET finish_by = finish_by + ? WHERE status = 'assigned'`, [D]);
    await migrateData(db, { secretKey: Buffer.alloc(32, 7) });
    expect((await run(`SELECT count(*) AS n FROM service_orders WHERE status = 'assigned' AND finish_by = ?`, [Number(orders[2].finish_by) + D]))[0].n).toBe(1);
  });
});
