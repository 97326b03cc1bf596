// 四单 service orders (issue 20): the county's service menu, residents' orders and each order's dated steps.
import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
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
    /** service | lecture: a 普法讲座 item (点单式普法, docs/decisions/101) is ordered on /legal/order and dispatched to a lecturer. */
    kind: text('kind').notNull().default('service'),
  },
  (t) => [index('service_items_category').on(t.category, t.sort)],
);

/** What a 普法讲座 order carries besides the common fields (docs/decisions/101). */
export interface LectureDetails {
  topic: string;
  /** Who will listen: 村（居）民, 学生, … ('' for orders placed before the field existed). */
  audienceType: string;
  audienceExpected: number;
  /** Counted at the lecture: the 受教育人次 figure. */
  audienceActual: number | null;
  organisation: string | null;
  /** The lecturer the order was dispatched to (a user with the 法律 skill or the 法律明白人 role). */
  lecturerId: number | null;
  /** Private files (purpose lecture): photos of the delivered lecture, for lecture staff only. */
  photoFileIds: number[];
  /** The staff member who last handled it (kept from lecture_orders.handled_by). */
  handledBy: number | null;
  /** lecture_orders.id before 0023: old console links and events.lecture_order_id were numbered by it. */
  legacyId: number | null;
}

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
    /** 结项 report (issue 20 接单): volunteers who served, people who benefited, whether hours were recorded. */
    servedVolunteers: integer('served_volunteers'),
    beneficiaries: integer('beneficiaries'),
    hoursRecorded: integer('hours_recorded'),
    /** Why the order was closed without a linked event (无需活动), when it was. */
    noEventReason: text('no_event_reason'),
    rating: integer('rating'),
    ratingComment: text('rating_comment'),
    /** 1 when a rating of 1–2 asks staff to call back (回访); cleared when done. */
    revisitDue: integer('revisit_due').notNull().default(0),
    acceptedAt: integer('accepted_at'),
    dispatchedAt: integer('dispatched_at'),
    doneAt: integer('done_at'),
    ratedAt: integer('rated_at'),
    /** The lecture's own facts when the item is a 普法讲座 (docs/decisions/101); null for every other order. */
    lecture: text('lecture', { mode: 'json' }).$type<LectureDetails>(),
    /** SHA-256 of the private rating link a 普法 order placed before 0023 was given (/legal/rate/<token>). */
    rateTokenHash: text('rate_token_hash'),
    /**
     * The time limits the order is held to (docs/decisions/106): the item's limits when it was placed (a later
     * change to the item applies to new orders only), and the deadlines they give, instants counted in working
     * days (src/domain/orders/working-days.ts) — 受理 and 办结 set when it is placed, 派单 when it is accepted.
     * A calendar change re-times the orders still in hand from these limits.
     */
    limitAcceptHours: integer('limit_accept_hours'),
    limitDispatchHours: integer('limit_dispatch_hours'),
    limitFinishDays: integer('limit_finish_days'),
    acceptBy: integer('accept_by'),
    dispatchBy: integer('dispatch_by'),
    finishBy: integer('finish_by'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('service_orders_rate_token').on(t.rateTokenHash),
    // Open orders already past a limit, counted live by /stats and the console: a range per status.
    index('service_orders_accept_due').on(t.status, t.acceptBy),
    index('service_orders_finish_due').on(t.status, t.finishBy),
    // The newest delivered orders of an item (/legal's recent lectures): a walk from the end, not a sort of all.
    index('service_orders_item_done').on(t.itemId, t.doneAt),
    index('service_orders_status').on(t.status, t.createdAt),
    index('service_orders_town').on(t.townId, t.status),
    index('service_orders_team').on(t.teamId, t.status),
    // /services shows the newest orders whose requester agreed to be listed: the first entries of this, not a
    // sort of a prefecture's 100,000 orders (issue 22).
    index('service_orders_public')
      .on(t.createdAt, t.id)
      .where(sql`public_consent = 1 AND status <> 'rejected'`),
  ],
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
 * Private photos of an order (the resident's, at most two) and of its progress notes (note_id set): one row
 * per private file, keyed by the file, so the access check of /files/<name> is one indexed read.
 */
export const serviceOrderFiles = sqliteTable(
  'service_order_files',
  {
    fileId: integer('file_id').primaryKey(),
    orderId: integer('order_id').notNull(),
    noteId: integer('note_id'),
  },
  (t) => [index('service_order_files_order').on(t.orderId, t.noteId)],
);

/** Progress notes of the team holding an order; the resident reads the text on /track only when told (告知群众). */
export const serviceOrderNotes = sqliteTable(
  'service_order_notes',
  {
    id: integer('id').primaryKey(),
    orderId: integer('order_id').notNull(),
    teamId: integer('team_id').notNull(),
    authorId: integer('author_id').notNull(),
    body: text('body').notNull(),
    /** 1 when the resident may read the text on /track (never the photos). */
    toResident: integer('to_resident').notNull().default(0),
    /** Random name of the note for the batch that writes it (its files and step), never shown. */
    noteKey: text('note_key').notNull().unique(),
    createdAt: createdAt(),
  },
  (t) => [index('service_order_notes_order').on(t.orderId, t.createdAt)],
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
