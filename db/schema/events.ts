// Events and sign-ups. One sign-up per (event, user) is a unique index;
// confirmed ≤ capacity is held by guarded single statements and triggers
// (docs/architecture.md "Writes under contention").
import { sql } from 'drizzle-orm';
import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from './common.ts';
import { users } from './accounts.ts';
import { teams } from './teams.ts';

export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey(),
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id),
    title: text('title').notNull(),
    /** 法治宣传, 平安巡防, 助老助残, 环境保护, 文明劝导, 应急救援, 普法讲座, 其他 */
    category: text('category').notNull(),
    /** Markdown. */
    description: text('description').notNull().default(''),
    risks: text('risks').notNull().default(''),
    townId: integer('town_id'),
    villageId: integer('village_id'),
    address: text('address').notNull().default(''),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    signupOpensAt: integer('signup_opens_at'),
    signupClosesAt: integer('signup_closes_at'),
    capacity: integer('capacity').notNull(),
    waitlistEnabled: integer('waitlist_enabled', { mode: 'boolean' }).notNull().default(true),
    /** Confirmed sign-ups, kept in step by the sign-up statements. */
    confirmedCount: integer('confirmed_count').notNull().default(0),
    dangerous: integer('dangerous', { mode: 'boolean' }).notNull().default(false),
    insurancePolicy: text('insurance_policy'),
    minAge: integer('min_age'),
    membersOnly: integer('members_only', { mode: 'boolean' }).notNull().default(false),
    requiredSkill: text('required_skill'),
    /** draft | published | cancelled | completed */
    status: text('status').notNull().default('draft'),
    checkinSecret: text('checkin_secret'),
    /**
     * The 四单 service order this event delivers (issue 20 接单; a 普法讲座 event's lecture order too, since
     * 0027 folded events.lecture_order_id into it); several events may serve one order.
     */
    serviceOrderId: integer('service_order_id'),
    /** Bumped by a trigger (db/sql/events.sql) when time, place or status changes: the calendar SEQUENCE. */
    revision: integer('revision').notNull().default(0),
    createdBy: integer('created_by'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at'),
  },
  (t) => [
    index('events_team').on(t.teamId, t.startsAt),
    index('events_status_start').on(t.status, t.startsAt),
    // Upcoming events (home page, /events) are those not yet ended: a range bounded by them, not by every past event.
    index('events_status_end').on(t.status, t.endsAt),
    // /events lists what the public may see, past (latest ended first) or upcoming (soonest first), a page at a
    // time: these carry every column the ordering and the count read, so a page of 往期活动 at a prefecture's
    // 50,000 events reads 60 index entries, not every past event (issue 22; src/domain/events/public.ts).
    index('events_public_end')
      .on(t.endsAt, t.startsAt)
      .where(sql`status IN ('published','completed')`),
    index('events_public_category')
      .on(t.category, t.endsAt, t.startsAt)
      .where(sql`status IN ('published','completed')`),
    index('events_service_order').on(t.serviceOrderId),
  ],
);

export const signups = sqliteTable(
  'signups',
  {
    id: integer('id').primaryKey(),
    eventId: integer('event_id')
      .notNull()
      .references(() => events.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    /** confirmed | waitlisted | cancelled | removed | attended | no_show | refused */
    status: text('status').notNull(),
    /** Arrival order within the event (waitlist order). */
    seq: integer('seq').notNull(),
    lateCancel: integer('late_cancel', { mode: 'boolean' }).notNull().default(false),
    removedReason: text('removed_reason'),
    checkinAt: integer('checkin_at'),
    checkoutAt: integer('checkout_at'),
    proposedMinutes: integer('proposed_minutes'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at'),
  },
  (t) => [
    uniqueIndex('signups_one').on(t.eventId, t.userId),
    index('signups_event_status').on(t.eventId, t.status, t.seq),
    // The next arrival number (max(seq) per event) in one index step, not a scan of the event's sign-ups.
    index('signups_event_seq').on(t.eventId, t.seq),
    index('signups_user').on(t.userId, t.status),
  ],
);
