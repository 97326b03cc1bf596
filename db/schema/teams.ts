// Volunteer teams and their members.
import { desc } from 'drizzle-orm';
import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from './common.ts';
import { users } from './accounts.ts';

export const teams = sqliteTable(
  'teams',
  {
    id: integer('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    townId: integer('town_id'),
    villageId: integer('village_id'),
    /** JSON array of service types (法治宣传, 平安巡防, …). */
    serviceTypes: text('service_types').notNull().default('[]'),
    foundedOn: text('founded_on'),
    summary: text('summary').notNull().default(''),
    /** Markdown. */
    description: text('description').notNull().default(''),
    /** JSON array of honour titles. */
    honours: text('honours').notNull().default('[]'),
    leaderName: text('leader_name'),
    /** The team's hotline (also the certificate issuer's contact); public only when public_contact = 'hotline'. */
    contactPhone: text('contact_phone'),
    /**
     * Which number event and team pages show (issue 18, item 8): none | hotline (contact_phone) | person (the phone
     * of public_contact_user_id, read at render time while that user still leads the team, so a 注销 or a handover
     * removes it). A column of its own, never free text: it is published on purpose.
     */
    publicContact: text('public_contact').notNull().default('none'),
    publicContactUserId: integer('public_contact_user_id'),
    /** pending | active | suspended */
    status: text('status').notNull().default('pending'),
    createdBy: integer('created_by'),
    memberCount: integer('member_count').notNull().default(0),
    /** Confirmed service minutes, maintained by triggers on hour_records. */
    confirmedMinutes: integer('confirmed_minutes').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index('teams_town').on(t.townId, t.status),
    // /teams and the home page list active teams by hours served: a page of them without sorting 4,000 (issue 22).
    index('teams_status_minutes').on(t.status, desc(t.confirmedMinutes), t.id),
  ],
);

export const teamMembers = sqliteTable(
  'team_members',
  {
    id: integer('id').primaryKey(),
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    /** leader | coleader | member */
    role: text('role').notNull().default('member'),
    /** pending | active | declined | left | removed */
    status: text('status').notNull().default('pending'),
    createdAt: createdAt(),
    decidedAt: integer('decided_at'),
  },
  (t) => [uniqueIndex('team_members_one').on(t.teamId, t.userId), index('team_members_user').on(t.userId)],
);
