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
 * Service orders per 乡镇, menu item and Beijing month of the order, with the settled parts of the
 * published figures (src/domain/orders/figures.ts); what depends on the clock (open orders past a time
 * limit) is counted live over the open orders only.
 */
export const statsOrders = sqliteTable(
  'stats_orders',
  {
    townId: integer('town_id').notNull(),
    itemId: integer('item_id').notNull(),
    month: text('month').notNull(),
    orders: integer('orders').notNull().default(0),
    acceptedOnTime: integer('accepted_on_time').notNull().default(0),
    accepted: integer('accepted').notNull().default(0),
    dispatched: integer('dispatched').notNull().default(0),
    doneOnTime: integer('done_on_time').notNull().default(0),
    done: integer('done').notNull().default(0),
    satisfied: integer('satisfied').notNull().default(0),
    rated: integer('rated').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.townId, t.itemId, t.month] })],
);
