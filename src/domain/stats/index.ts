// Figures for /stats and the home page, read from aggregates kept by triggers in db/sql/stats.sql
// (stats_hours_monthly, and the tables of db/schema/stats.ts: docs/decisions/105) and small tables, so a
// request reads a few hundred rows whatever the county's size.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { writeBatch } from '../../../db/write.ts';
import { fromShanghai, shanghaiDay } from '../../lib/time.ts';

type Row = Record<string, unknown>;

/** Public events count as published or completed. */
const PUBLIC_EVENT = sql.raw(`status IN ('published', 'completed')`);

/** The 24 calendar months (YYYY-MM, Shanghai) ending with the month of `now`, oldest first. */
export function lastMonths(now: number, count = 24): string[] {
  const [y, m] = shanghaiDay(now).split('-').map(Number);
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const idx = y * 12 + (m - 1) - i;
    out.push(`${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

/** Start of the Shanghai calendar year of `now`, as epoch ms. */
export function yearStart(now: number): number {
  return fromShanghai(`${shanghaiDay(now).slice(0, 4)}-01-01`);
}

/** Confirmed service hours per month for the last 24 months (minutes and records). */
export async function hoursByMonth(db: Db, now = Date.now()) {
  const months = lastMonths(now);
  const rows = await db.all<Row>(sql`SELECT month, minutes, records FROM stats_hours_monthly WHERE month >= ${months[0]} AND month <= ${months[months.length - 1]}`);
  const by = new Map(rows.map((r) => [String(r.month), { minutes: Number(r.minutes), records: Number(r.records) }]));
  return months.map((month) => ({ month, minutes: by.get(month)?.minutes ?? 0, records: by.get(month)?.records ?? 0 }));
}

/** Registered volunteers (./volunteers.ts: staff accounts not counted) per 乡镇/街道 (towns in display order, then 未填写). */
export async function volunteersByTown(db: Db) {
  const towns = await db.all<Row>(sql`SELECT r.id, r.name, coalesce(s.n, 0) AS n FROM regions r LEFT JOIN stats_volunteers_town s ON s.town_id = r.id
    WHERE r.level = 'town' ORDER BY r.sort, r.id`);
  const rows = towns.map((r) => ({ town: String(r.name), n: Number(r.n) }));
  const [other] = await db.all<Row>(sql`SELECT coalesce(sum(n), 0) AS n FROM stats_volunteers_town WHERE town_id NOT IN (SELECT id FROM regions WHERE level = 'town')`);
  const rest = Number(other.n);
  if (rest) rows.push({ town: '未填写', n: rest });
  return rows;
}

/** Public events per category, most first. */
export async function eventsByCategory(db: Db) {
  const rows = await db.all<Row>(sql`SELECT category, n FROM stats_events_category WHERE n > 0 ORDER BY n DESC, category`);
  return rows.map((r) => ({ category: String(r.category), n: Number(r.n) }));
}

/** Published honorees per category and year of publication (Shanghai). */
export async function honoreesByCategoryYear(db: Db) {
  const found = await db.all<Row>(sql`SELECT category, year, n FROM stats_honorees WHERE n > 0 ORDER BY year, category`);
  const rows = found.map((r) => ({ category: String(r.category), year: String(r.year), n: Number(r.n) }));
  const years = [...new Set(rows.map((r) => r.year))].sort();
  const categories = [...new Set(rows.map((r) => r.category))];
  const count = (c: string, y: string) => rows.find((r) => r.category === c && r.year === y)?.n ?? 0;
  return { years, categories, count, rows };
}

/** Delivered 普法讲座: 场次 and 受教育人次 per topic, this year and in total (stats_lectures, docs/decisions/106). */
export async function lecturesByTopic(db: Db, now = Date.now()) {
  const year = shanghaiDay(now).slice(0, 4);
  const rows = await db.all<Row>(sql`SELECT topic, sum(sessions) AS sessions, sum(audience) AS audience,
      sum(CASE WHEN year >= ${year} THEN sessions ELSE 0 END) AS sessions_year, sum(CASE WHEN year >= ${year} THEN audience ELSE 0 END) AS audience_year
    FROM stats_lectures GROUP BY topic HAVING sum(sessions) > 0 ORDER BY sessions DESC, topic`);
  return rows.map((r) => ({
    topic: String(r.topic) || '未注明主题',
    sessions: Number(r.sessions),
    audience: Number(r.audience),
    sessionsYear: Number(r.sessions_year),
    audienceYear: Number(r.audience_year),
  }));
}

/** The 四单 and 普法讲座 aggregates (docs/decisions/106) recomputed from their views, as statements for one batch. */
const orderStatsStatements = () => [
  sql`DELETE FROM stats_orders`,
  sql`INSERT INTO stats_orders (town_id, item_id, month, orders, accepted, accepted_on_time, dispatched, done, done_on_time, rated, satisfied)
     SELECT town_id, item_id, month, count(*), sum(accepted), sum(accepted_on_time), sum(dispatched), sum(done), sum(done_on_time), sum(rated), sum(satisfied)
     FROM stats_src_order GROUP BY town_id, item_id, month`,
  // 服务人次: the events that serve an order first, then each one's confirmed records (hours_event).
  sql`INSERT INTO stats_orders (town_id, item_id, month, service_visits)
     SELECT o.town_id, o.item_id, strftime('%Y-%m', (o.created_at + 28800000) / 1000, 'unixepoch') AS m, count(*)
     FROM events e CROSS JOIN hour_records h ON h.event_id = e.id AND h.status = 'confirmed' JOIN service_orders o ON o.id = e.service_order_id
     WHERE e.service_order_id IS NOT NULL GROUP BY o.town_id, o.item_id, m
     ON CONFLICT (town_id, item_id, month) DO UPDATE SET service_visits = excluded.service_visits`,
  sql`DELETE FROM stats_lectures`,
  sql`INSERT INTO stats_lectures (topic, year, town_id, sessions, audience) SELECT topic, year, town_id, count(*), sum(audience) FROM stats_src_lecture GROUP BY topic, year, town_id`,
];

/** Recomputes the 四单 and 普法讲座 aggregates alone (after migration 0029 gave the orders their deadlines). */
export async function rebuildOrderStats(db: Db): Promise<void> {
  await writeBatch(db, orderStatsStatements());
}

/** Recomputes every aggregate of db/sql/stats.sql from its source rows (after bulk loads), through the script's own views. */
export async function rebuildStats(db: Db): Promise<void> {
  await writeBatch(db, [
    ...orderStatsStatements(),
    sql`DELETE FROM stats_hours_monthly`,
    sql`INSERT INTO stats_hours_monthly (month, minutes, records)
       SELECT strftime('%Y-%m', starts_at / 1000 + 28800, 'unixepoch') AS month, sum(minutes), count(*)
       FROM hour_records WHERE status = 'confirmed' GROUP BY month`,
    sql`DELETE FROM stats_volunteers_town`,
    sql`INSERT INTO stats_volunteers_town (town_id, n) SELECT town_id, count(*) FROM stats_src_volunteer GROUP BY town_id`,
    sql`DELETE FROM stats_events_category`,
    sql`INSERT INTO stats_events_category (category, n) SELECT category, count(*) FROM events WHERE ${PUBLIC_EVENT} GROUP BY category`,
    sql`DELETE FROM stats_honorees`,
    sql`INSERT INTO stats_honorees (category, year, n)
       SELECT category, strftime('%Y', coalesce(published_at, created_at) / 1000 + 28800, 'unixepoch') AS year, count(*) FROM honorees WHERE status = 'published' GROUP BY category, year`,
    sql`DELETE FROM stats_points_monthly`,
    sql`INSERT INTO stats_points_monthly (month, issued, spent)
       SELECT strftime('%Y-%m', (created_at + 28800000) / 1000, 'unixepoch') AS month,
         sum(CASE WHEN source_type IN ('hour_record', 'grant') THEN amount ELSE 0 END), -sum(CASE WHEN source_type = 'shop_order' THEN amount ELSE 0 END)
       FROM points_entries WHERE kind = 'volunteer' GROUP BY month`,
  ]);
}
