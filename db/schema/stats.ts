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
