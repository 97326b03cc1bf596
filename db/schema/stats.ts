// Aggregates behind /stats and the home page's figures (issue 22, docs/decisions/105): each row is kept in
// step by triggers in db/sql/stats.sql on the table it counts, so a request reads a few hundred rows
// instead of counting 500,000 volunteers or 100,000 service orders. rebuildStats() recomputes them.
import { sqliteTable, integer, text, primaryKey } from 'drizzle-orm/sqlite-core';

/** 注册志愿者 per users.town_id (0 = none), counted as registeredVolunteerSql counts (src/domain/stats/volunteers.ts). */
export const statsVolunteersTown = sqliteTable('stats_volunteers_town', {
  townId: integer('town_id').primaryKey(),
  n: integer('n').notNull().default(0),
});

/** Public events (published or completed) per category. */
export const statsEventsCategory = sqliteTable('stats_events_category', {
  category: text('category').primaryKey(),
  n: integer('n').notNull().default(0),
});

/** Published honorees per category and Beijing year of publication. */
export const statsHonorees = sqliteTable(
  'stats_honorees',
  {
    category: text('category').notNull(),
    year: text('year').notNull(),
    n: integer('n').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.category, t.year] })],
);

/**
 * Volunteer points per Beijing month of the ledger entry: issued (hours and grants, net of reversals) and
 * spent (redemptions, net of returns), as src/domain/points/stats.ts counts them. The ledger is
 * append-only, so one insert trigger keeps it (db/sql/stats.sql).
 */
export const statsPointsMonthly = sqliteTable('stats_points_monthly', {
  month: text('month').primaryKey(),
  issued: integer('issued').notNull().default(0),
  spent: integer('spent').notNull().default(0),
});

/**
 * The settled 四单 figures per order's 乡镇, menu item and Beijing month of placing (docs/decisions/106):
 * each order counts what it has done against the deadlines stored on it, and 服务人次 the confirmed
 * records of the events serving it. Orders still open and past a limit are counted live (figures.ts).
 */
export const statsOrders = sqliteTable(
  'stats_orders',
  {
    townId: integer('town_id').notNull(),
    itemId: integer('item_id').notNull(),
    month: text('month').notNull(),
    orders: integer('orders').notNull().default(0),
    accepted: integer('accepted').notNull().default(0),
    acceptedOnTime: integer('accepted_on_time').notNull().default(0),
    dispatched: integer('dispatched').notNull().default(0),
    /** Dispatched and done (the settled part of 按时办结率's denominator). */
    done: integer('done').notNull().default(0),
    doneOnTime: integer('done_on_time').notNull().default(0),
    rated: integer('rated').notNull().default(0),
    satisfied: integer('satisfied').notNull().default(0),
    serviceVisits: integer('service_visits').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.townId, t.itemId, t.month] })],
);

/** Delivered 普法讲座 (done or rated) per topic, Beijing year of delivery ('' when no date) and 乡镇: 场次 and 受教育人次. */
export const statsLectures = sqliteTable(
  'stats_lectures',
  {
    topic: text('topic').notNull(),
    year: text('year').notNull(),
    townId: integer('town_id').notNull(),
    sessions: integer('sessions').notNull().default(0),
    audience: integer('audience').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.topic, t.year, t.townId] })],
);
