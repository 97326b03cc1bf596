// The public lists a prefecture makes long (issue 22): /events (往期 and 近期) and /teams come a page at a time,
// every page in one order with nothing skipped or repeated, and each page's read walks an index in that order
// instead of sorting every past event, team or order — with no planner statistics (a live database that
// never ran ANALYZE) and with the benchmark's scale-10 statistics alike.
import { describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDb } from '../helpers/db.ts';
import { insertEvent, insertTeam, insertUsers } from '../helpers/events-fixtures.ts';
import { capturedStatements, queryPlan } from '../helpers/sql-capture.ts';
import { listPublicEvents } from '../../src/domain/events/public.ts';
import { listActiveTeams } from '../../src/domain/teams/public.ts';
import { publicOrders } from '../../src/domain/orders/index.ts';
import type { Db } from '../../db/client.ts';

const HOUR = 3600_000;

/** Every page of a list, concatenated, and the totals each page reported. */
async function walk<T>(read: (page: number) => Promise<{ items: T[]; total: number; pages: number }>) {
  const all: T[] = [];
  const first = await read(1);
  for (let p = 1; p <= first.pages; p++) {
    const page = p === 1 ? first : await read(p);
    expect(page.total).toBe(first.total);
    all.push(...page.items);
  }
  expect((await read(first.pages + 1)).items).toEqual([]);
  return { all, total: first.total, pages: first.pages };
}

/** Events at a county's pace: past ones ending in pairs at the same minute, some not public, a few to come. */
async function eventsFixture(db: Db) {
  const [leader] = await insertUsers(db, 1);
  const teamId = await insertTeam(db, leader);
  const now = Date.now();
  const ids: { id: number; startsAt: number; endsAt: number; status: string; category: string }[] = [];
  const add = async (startsAt: number, endsAt: number, status: string, category: string) => {
    const id = await insertEvent(db, teamId, { startsAt, endsAt, status });
    await db.run(sql`UPDATE events SET category = ${category} WHERE id = ${id}`);
    ids.push({ id, startsAt, endsAt, status, category });
  };
  for (let i = 0; i < 47; i++) {
    // Two events share each end time (one starts earlier), and every third pair shares its start too.
    const endsAt = now - (Math.floor(i / 2) + 1) * 24 * HOUR;
    const startsAt = endsAt - (i % 2 === 0 || i % 6 === 1 ? 2 : 3) * HOUR;
    await add(startsAt, endsAt, i % 5 === 0 ? 'completed' : 'published', i % 3 === 0 ? '助老助残' : '文明实践');
  }
  await add(now - 2 * HOUR, now + 2 * HOUR, 'published', '文明实践'); // under way: still 近期
  for (let i = 0; i < 13; i++) await add(now + (i + 1) * 24 * HOUR, now + (i + 1) * 24 * HOUR + 2 * HOUR, 'published', i % 2 ? '助老助残' : '文明实践');
  await add(now - 30 * 24 * HOUR, now - 29 * 24 * HOUR, 'cancelled', '文明实践');
  await add(now - 31 * 24 * HOUR, now - 30 * 24 * HOUR, 'draft', '文明实践');
  await add(now + 3 * 24 * HOUR, now + 3 * 24 * HOUR + HOUR, 'pending', '文明实践');
  return ids;
}

describe('public lists, a page at a time', () => {
  test('往期 and 近期 events: every public event once, in order, with the right totals, by category too', async () => {
    const db = await freshDb({ seed: 'none' });
    const fixture = await eventsFixture(db);
    const now = Date.now();
    const isPublic = (e: { status: string }) => e.status === 'published' || e.status === 'completed';
    const pastOrder = fixture
      .filter((e) => isPublic(e) && e.endsAt < now)
      .sort((a, b) => b.endsAt - a.endsAt || b.startsAt - a.startsAt || b.id - a.id)
      .map((e) => e.id);
    const upcomingOrder = fixture
      .filter((e) => isPublic(e) && e.endsAt >= now)
      .sort((a, b) => a.startsAt - b.startsAt || a.id - b.id)
      .map((e) => e.id);
    expect(pastOrder.length).toBe(47);
    expect(upcomingOrder.length).toBe(14);

    const past = await walk((page) => listPublicEvents(db, { when: 'past', page, perPage: 10 }));
    expect(past.all.map((r) => r.event.id)).toEqual(pastOrder);
    expect([past.total, past.pages]).toEqual([47, 5]);
    const upcoming = await walk((page) => listPublicEvents(db, { when: 'upcoming', page, perPage: 4 }));
    expect(upcoming.all.map((r) => r.event.id)).toEqual(upcomingOrder);
    expect([upcoming.total, upcoming.pages]).toEqual([14, 4]);
    expect(upcoming.all[0].teamName).toMatch(/^测试队伍/);

    const category = await walk((page) => listPublicEvents(db, { when: 'past', category: '助老助残', page, perPage: 7 }));
    expect(category.all.map((r) => r.event.id)).toEqual(pastOrder.filter((id) => fixture.find((e) => e.id === id)?.category === '助老助残'));
    expect(category.total).toBe(16);
    const none = await listPublicEvents(db, { when: 'past', category: '没有这类' });
    expect([none.items.length, none.total, none.pages]).toEqual([0, 0, 1]);
  });

  test('teams: active ones by hours served, then by id, each once; filters count what they show', async () => {
    const db = await freshDb({ seed: 'none' });
    const leaders = await insertUsers(db, 46);
    const teams: { id: number; minutes: number }[] = [];
    for (let i = 0; i < 46; i++) {
      const id = await insertTeam(db, leaders[i], `t-${i}`);
      const minutes = (i % 9) * 600; // ties: ids break them
      await db.run(sql`UPDATE teams SET confirmed_minutes = ${minutes}, service_types = ${i % 2 ? '["助老助残"]' : '["文明实践"]'}, status = ${i === 5 ? 'dissolved' : 'active'} WHERE id = ${id}`);
      if (i !== 5) teams.push({ id, minutes });
    }
    const order = [...teams].sort((a, b) => b.minutes - a.minutes || a.id - b.id).map((t) => t.id);
    const all = await walk((page) => listActiveTeams(db, { page, perPage: 20 }));
    expect(all.all.map((r) => r.team.id)).toEqual(order);
    expect([all.total, all.pages]).toEqual([45, 3]);
    const typed = await walk((page) => listActiveTeams(db, { serviceType: '助老助残', page, perPage: 20 }));
    expect(typed.total).toBe(22); // 23 odd i, one of them (5) dissolved
    expect(typed.all.every((r) => r.team.serviceTypes.includes('助老助残'))).toBe(true);
  });
});

/** The SQL statements `run` sends, each with its plan. */
async function plans(db: Db, run: () => Promise<unknown>) {
  const out: { sql: string; plan: string }[] = [];
  for (const s of await capturedStatements(db, run)) out.push({ sql: s.sql, plan: await queryPlan(db, s) });
  return out;
}

describe('the plans of the public lists', () => {
  for (const stats of ['none', 'scale 10'] as const) {
    test(`each page reads an index in its own order (statistics: ${stats})`, async () => {
      const db = await freshDb({ seed: 'demo' });
      if (stats === 'scale 10') {
        // What ANALYZE wrote on the benchmark's scale-10 database (50,001 events, 5,000 teams, 108,000 orders):
        // with these, the old 往期 read sorted every past event from events_status_end (~300 ms).
        await db.run(sql`ANALYZE`);
        await db.run(sql`DELETE FROM sqlite_stat1 WHERE tbl IN ('events', 'teams', 'service_orders')`);
        await db.run(sql`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('events', 'events_status_end', '50001 25001 66'),
          ('events', 'events_status_start', '50001 25001 66'), ('events', 'events_team', '50001 11 1'), ('events', 'events_service_order', '50001 50001'),
          ('teams', 'teams_town', '5000 556 556'), ('teams', 'teams_slug_unique', '5000 1'),
          ('service_orders', 'service_orders_status', '108000 15429 1'), ('service_orders', 'service_orders_item_done', '108000 9000 2'),
          ('service_orders', 'service_orders_town', '108000 12000 1715'), ('service_orders', 'service_orders_team', '108000 22 10')`);
        await db.run(sql`ANALYZE sqlite_schema`);
      }
      const reads = [
        ...(await plans(db, () => listPublicEvents(db, { when: 'past', page: 3 }))),
        ...(await plans(db, () => listPublicEvents(db, { when: 'upcoming' }))),
        ...(await plans(db, () => listPublicEvents(db, { when: 'past', category: '助老助残', page: 2 }))),
      ];
      expect(reads.length).toBe(6);
      for (const r of reads) {
        // The page's ids and the count come from a partial index; only a page's rows are read whole and sorted.
        expect(r.plan).toMatch(/SEARCH events USING (COVERING )?INDEX events_public_(end|category) \(/);
        expect(r.plan).not.toMatch(/events_status_(end|start)/);
      }
      const teamReads = await plans(db, () => listActiveTeams(db, { page: 2 }));
      expect(teamReads[0].plan).toMatch(/teams_status_minutes/);
      expect(teamReads[0].plan).not.toMatch(/TEMP B-TREE/);
      const [orders] = await plans(db, () => publicOrders(db));
      expect(orders.plan).toMatch(/SCAN o USING INDEX service_orders_public/);
      expect(orders.plan).not.toMatch(/TEMP B-TREE/);
    });
  }
});
