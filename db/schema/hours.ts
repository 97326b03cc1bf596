// Service-hour ledger and certificates (民政部 2020 办法).
import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { createdAt } from './common.ts';
import { users } from './accounts.ts';
import { teams } from './teams.ts';

export const hourRecords = sqliteTable(
  'hour_records',
  {
    id: integer('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id),
    eventId: integer('event_id'),
    signupId: integer('signup_id'),
    /** attendance | leader | claim */
    source: text('source').notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    minutes: integer('minutes').notNull(),
    content: text('content').notNull().default(''),
    /** pending | confirmed | declined */
    status: text('status').notNull().default('pending'),
    reviewerId: integer('reviewer_id'),
    reviewedAt: integer('reviewed_at'),
    reason: text('reason'),
    /** The claim's on-site photo: private_files.id (purpose hour_claim), seen by the volunteer and the team's leaders only. */
    photoFileId: integer('photo_file_id'),
    createdBy: integer('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('hours_user_time').on(t.userId, t.startsAt),
    index('hours_team_status').on(t.teamId, t.status, t.startsAt),
    index('hours_status_time').on(t.status, t.startsAt),
    // The county-wide 台账 pages through records in (starts_at, id) order (issue 22): without it each page sorted every record.
    index('hours_time').on(t.startsAt),
    // A team's 台账 (what a leader downloads) pages the same way: with only hours_team_status each page
    // sorted all of the team's records to take the next 1,000 (docs/decisions/108).
    index('hours_team_time').on(t.teamId, t.startsAt),
    index('hours_photo')
      .on(t.photoFileId)
      .where(sql`photo_file_id IS NOT NULL`),
    // 服务人次 of 四单 orders and the 结项 defaults read an event's confirmed records (issue 20).
    index('hours_event').on(t.eventId, t.status),
  ],
);

export const hourCorrections = sqliteTable('hour_corrections', {
  id: integer('id').primaryKey(),
  recordId: integer('record_id')
    .notNull()
    .references(() => hourRecords.id),
  requestedBy: integer('requested_by').notNull(),
  reason: text('reason').notNull(),
  proposedStartsAt: integer('proposed_starts_at'),
  proposedEndsAt: integer('proposed_ends_at'),
  /** pending | accepted | declined */
  status: text('status').notNull().default('pending'),
  decidedBy: integer('decided_by'),
  decidedAt: integer('decided_at'),
  decision: text('decision'),
  createdAt: createdAt(),
});

export const certificates = sqliteTable(
  'certificates',
  {
    id: integer('id').primaryKey(),
    /** e.g. SX-2026-000123, unique. */
    number: text('number').unique(),
    /** Public verification code, unique. */
    code: text('code').unique(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id),
    periodFrom: text('period_from').notNull(),
    periodTo: text('period_to').notNull(),
    totalMinutes: integer('total_minutes').notNull().default(0),
    /** JSON snapshot of the four field groups at issue time. */
    snapshot: text('snapshot'),
    /** requested | issued | declined | revoked */
    status: text('status').notNull().default('requested'),
    requestedAt: integer('requested_at').notNull(),
    issuedAt: integer('issued_at'),
    issuedBy: integer('issued_by'),
    revokedAt: integer('revoked_at'),
    revokeReason: text('revoke_reason'),
    /** The volunteer's note on the request (purpose), printed as 备注. */
    note: text('note'),
    /** Why a request was declined. */
    declineReason: text('decline_reason'),
    createdAt: createdAt(),
  },
  (t) => [index('certs_user').on(t.userId), index('certs_team').on(t.teamId, t.status)],
);

/** Per-year counters for certificate numbers (UPDATE … RETURNING). */
export const counters = sqliteTable('counters', {
  name: text('name').primaryKey(),
  value: integer('value').notNull().default(0),
});
