// 好人榜: batches, honorees, nominations, likes and objections.
import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { createdAt } from './common.ts';

export const honorBatches = sqliteTable('honor_batches', {
  id: integer('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  period: text('period').notNull(),
  intro: text('intro').notNull().default(''),
  /** draft | publicity | review | published */
  status: text('status').notNull().default('draft'),
  publicityStartsAt: integer('publicity_starts_at'),
  publicityEndsAt: integer('publicity_ends_at'),
  publishedAt: integer('published_at'),
  createdBy: integer('created_by'),
  createdAt: createdAt(),
  updatedAt: integer('updated_at'),
  /** Random token of the last transition; follow-up statements in the same batch check it. */
  rev: text('rev'),
});

export const honorees = sqliteTable(
  'honorees',
  {
    id: integer('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    batchId: integer('batch_id').references(() => honorBatches.id),
    name: text('name').notNull(),
    epithet: text('epithet'),
    /** person | family | group */
    kind: text('kind').notNull().default('person'),
    identity: text('identity').notNull().default(''),
    gender: text('gender'),
    birthYear: integer('birth_year'),
    townId: integer('town_id'),
    villageId: integer('village_id'),
    category: text('category').notNull(),
    /** 村/社区 | 县 | 市 | 省 | 国家 */
    level: text('level').notNull(),
    title: text('title').notNull().default(''),
    /** ≤ 50 字. */
    summary: text('summary').notNull(),
    /** Markdown. */
    story: text('story').notNull().default(''),
    photoMediaId: integer('photo_media_id'),
    photoConsent: integer('photo_consent', { mode: 'boolean' }).notNull().default(false),
    userId: integer('user_id'),
    /** JSON array. */
    laterHonours: text('later_honours').notNull().default('[]'),
    consentBy: text('consent_by'),
    consentAt: text('consent_at'),
    consentMethod: text('consent_method'),
    guardianConsent: integer('guardian_consent', { mode: 'boolean' }).notNull().default(false),
    /** Show the full name (otherwise 张*华 for minors). */
    nameConsent: integer('name_consent', { mode: 'boolean' }).notNull().default(true),
    /** draft | candidate | published | withdrawn */
    status: text('status').notNull().default('draft'),
    withdrawnReason: text('withdrawn_reason'),
    likeCount: integer('like_count').notNull().default(0),
    nominationId: integer('nomination_id'),
    publishedAt: integer('published_at'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at'),
    createdBy: integer('created_by'),
    withdrawnAt: integer('withdrawn_at'),
    withdrawnBy: integer('withdrawn_by'),
    /** Random token of the last transition; follow-up statements in the same batch check it. */
    rev: text('rev'),
    // What a 推荐表 for the next level asks for (issue 19 item 5). Private: never on a public page.
    /** 出生年月 "YYYY-MM", AES-GCM under SECRET_KEY (with the name it identifies the person). */
    birthMonthEnc: text('birth_month_enc'),
    /** 民族 */
    ethnicity: text('ethnicity').notNull().default(''),
    /** 政治面貌 */
    politicalStatus: text('political_status').notNull().default(''),
    /** 工作单位及职务 */
    workplace: text('workplace').notNull().default(''),
    /** 主要事迹, plain text (800–1,500 字 or more, by level). */
    mainDeeds: text('main_deeds').notNull().default(''),
    /** ID photo: private_files.id (purpose recommendation). */
    idPhotoFileId: integer('id_photo_file_id'),
    /** Everyday photos: JSON array of private_files ids (purpose recommendation). */
    lifePhotoFileIds: text('life_photo_file_ids').notNull().default('[]'),
    /** Consent to be recommended upward: when, which staff user recorded it, and how it was given. */
    recommendConsentAt: integer('recommend_consent_at'),
    recommendConsentBy: integer('recommend_consent_by'),
    recommendConsentNote: text('recommend_consent_note'),
  },
  (t) => [index('honorees_batch').on(t.batchId, t.status), index('honorees_status_cat').on(t.status, t.category), index('honorees_town').on(t.townId, t.status)],
);

export const nominations = sqliteTable(
  'nominations',
  {
    id: integer('id').primaryKey(),
    trackingNo: text('tracking_no').notNull().unique(),
    nominatorName: text('nominator_name').notNull(),
    nominatorPhone: text('nominator_phone').notNull(),
    relation: text('relation').notNull(),
    nomineeName: text('nominee_name').notNull(),
    townId: integer('town_id'),
    villageId: integer('village_id'),
    category: text('category').notNull(),
    deeds: text('deeds').notNull(),
    /** The nominator's photo: private_files.id (purpose nomination), seen by the staff handling nominations only. */
    photoFileId: integer('photo_file_id'),
    /** new | verified | merged | accepted | declined */
    status: text('status').notNull().default('new'),
    mergedInto: integer('merged_into'),
    declineReason: text('decline_reason'),
    honoreeId: integer('honoree_id'),
    ipHash: text('ip_hash'),
    createdAt: createdAt(),
    handledBy: integer('handled_by'),
    handledAt: integer('handled_at'),
  },
  (t) => [
    index('nominations_status').on(t.status, t.createdAt),
    index('nominations_photo')
      .on(t.photoFileId)
      .where(sql`photo_file_id IS NOT NULL`),
  ],
);

export const likes = sqliteTable(
  'likes',
  {
    id: integer('id').primaryKey(),
    honoreeId: integer('honoree_id')
      .notNull()
      .references(() => honorees.id),
    visitorKey: text('visitor_key').notNull(),
    ipHash: text('ip_hash').notNull(),
    day: text('day').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('likes_once_per_day').on(t.honoreeId, t.visitorKey, t.day), index('likes_ip').on(t.ipHash, t.createdAt)],
);

export const objections = sqliteTable(
  'objections',
  {
    id: integer('id').primaryKey(),
    /** YY-<year>-<6 characters>: what the objector quotes on /track (issue 18, item 7). */
    trackingNo: text('tracking_no').unique(),
    /** The four digits /track asks for: the phone's last four when the contact holds one, else a random code shown once. */
    trackPin: text('track_pin'),
    honoreeId: integer('honoree_id')
      .notNull()
      .references(() => honorees.id),
    text: text('text').notNull(),
    contact: text('contact'),
    /** open | upheld | dismissed */
    status: text('status').notNull().default('open'),
    resolution: text('resolution'),
    resolvedBy: integer('resolved_by'),
    resolvedAt: integer('resolved_at'),
    createdAt: createdAt(),
  },
  (t) => [index('objections_honoree').on(t.honoreeId, t.status)],
);
