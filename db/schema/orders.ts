// 四单 service orders (issue 20): the county's service menu, residents' orders and each order's dated steps.
import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';
import { createdAt } from './common.ts';

/** One item of the 服务菜单, with its time limits (hours to 受理 and to 派单/接单, days to 办结). */
export const serviceItems = sqliteTable(
  'service_items',
  {
    id: integer('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    /** 理论政策宣讲, 文化文艺, 助学支教, … */
    category: text('category').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** Skill or team service type that fits (matched against teams.service_types). */
    skill: text('skill').notNull().default(''),
    /** 1 when a volunteer must come to the door. */
    needsVisit: integer('needs_visit').notNull().default(0),
    /** 1 when one volunteer may claim it alone (微心愿) instead of a team. */
    individual: integer('individual').notNull().default(0),
    acceptHours: integer('accept_hours').notNull().default(24),
    dispatchHours: integer('dispatch_hours').notNull().default(48),
    finishDays: integer('finish_days').notNull().default(3),
    /** For a 微心愿 (individual = 1): the most a wish may be worth, in 元; null = no cap. */
    valueCap: integer('value_cap'),
    active: integer('active').notNull().default(1),
    sort: integer('sort').notNull().default(0),
  },
  (t) => [index('service_items_category').on(t.category, t.sort)],
);

/** A resident's order (点单) and where it stands. */
export const serviceOrders = sqliteTable(
  'service_orders',
  {
    id: integer('id').primaryKey(),
    /** DD-<year>-<6>: looked up on /track with the last four phone digits. */
    trackingNo: text('tracking_no').notNull().unique(),
    itemId: integer('item_id').notNull(),
    requesterName: text('requester_name').notNull(),
    /** Full number: shown masked, revealed to handling staff through an audited POST. */
    requesterPhone: text('requester_phone').notNull(),
    townId: integer('town_id').notNull(),
    villageId: integer('village_id').notNull(),
    address: text('address').notNull(),
    need: text('need').notNull(),
    preferredTime: text('preferred_time').notNull().default(''),
    /** 网上 | 电话 | 窗口 | 上门 */
    source: text('source').notNull().default('网上'),
    /** Staff member who entered the order on a resident's behalf. */
    enteredBy: integer('entered_by'),
    /** 1 when the resident agreed to an anonymised public listing. */
    publicConsent: integer('public_consent').notNull().default(0),
    /** A 微心愿's estimated value in 元, as the resident gave it (null for other items). */
    estimatedValue: integer('estimated_value'),
    /** new | accepted | open | assigned | done | rated | rejected */
    status: text('status').notNull().default('new'),
    /** assign | claim | volunteer: how the team (or, for a 微心愿, one volunteer) got it. */
    dispatchMode: text('dispatch_mode'),
    teamId: integer('team_id'),
    /** The volunteer who claimed a 微心愿 alone (then team_id stays null). */
    claimedByUser: integer('claimed_by_user'),
    rejectReason: text('reject_reason'),
    closeNote: text('close_note'),
    rating: integer('rating'),
    ratingComment: text('rating_comment'),
    /** 1 when a rating of 1–2 asks staff to call back (回访); cleared when done. */
    revisitDue: integer('revisit_due').notNull().default(0),
    acceptedAt: integer('accepted_at'),
    dispatchedAt: integer('dispatched_at'),
    doneAt: integer('done_at'),
    ratedAt: integer('rated_at'),
    createdAt: createdAt(),
  },
  (t) => [index('service_orders_status').on(t.status, t.createdAt), index('service_orders_town').on(t.townId, t.status), index('service_orders_team').on(t.teamId, t.status)],
);

/** The dated timeline of one order: what the resident reads on /track, oldest first. */
export const serviceOrderSteps = sqliteTable(
  'service_order_steps',
  {
    id: integer('id').primaryKey(),
    orderId: integer('order_id').notNull(),
    at: integer('at').notNull(),
    /** created | accepted | rejected | assigned | opened | claimed | done | rated */
    kind: text('kind').notNull(),
    /** Chinese text the resident reads (never a phone or a staff name). */
    text: text('text').notNull(),
  },
  (t) => [index('service_order_steps_order').on(t.orderId, t.at)],
);

/**
 * One-time rating links sent by SMS when an order is done (issue 20 评单): only the SHA-256 of the
 * random token is kept; a link expires after 30 days and is used up by the rating it allows.
 */
export const orderRatingLinks = sqliteTable(
  'order_rating_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    orderId: integer('order_id').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('order_rating_links_order').on(t.orderId)],
);

/**
 * The working-day calendar's exceptions (docs/decisions/100): a statutory holiday on a weekday
 * (working = 0) or a 调休 working Saturday/Sunday (working = 1). Every other day is a working day
 * from Monday to Friday and a rest day on Saturday and Sunday.
 */
export const workCalendar = sqliteTable('work_calendar', {
  /** YYYY-MM-DD, Beijing. */
  day: text('day').primaryKey(),
  working: integer('working').notNull(),
  /** 国庆节, 春节调休上班, … */
  note: text('note').notNull().default(''),
  updatedBy: integer('updated_by'),
  updatedAt: integer('updated_at').notNull(),
});
