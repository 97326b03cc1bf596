// Users, roles, sessions, resets, rate limits and the audit log.
import { sqliteTable, integer, text, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { createdAt } from './common.ts';

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey(),
    phone: text('phone').unique(),
    passwordHash: text('password_hash'),
    realName: text('real_name').notNull(),
    /** 居民身份证 | 港澳台居民居住证 | 护照 */
    idType: text('id_type'),
    /** AES-256-GCM ciphertext (base64) of the ID number. */
    idNumberEnc: text('id_number_enc'),
    /** HMAC-SHA256 of the normalised ID number, for one-account-per-person. */
    idNumberHash: text('id_number_hash').unique(),
    /** Pre-masked ID number for lists and certificates (maskIdNumber: 5101**************). */
    idNumberMasked: text('id_number_masked'),
    /**
     * Legacy clear birth date: never written any more, emptied at start-up into birthDateEnc
     * (db/migrate.ts migrateData; decision 077). Together with the mask it rebuilt ID numbers.
     */
    birthDate: text('birth_date'),
    /** AES-256-GCM ciphertext (base64) of the birth date YYYY-MM-DD, for age rules (decision 077). */
    birthDateEnc: text('birth_date_enc'),
    gender: text('gender'),
    townId: integer('town_id'),
    villageId: integer('village_id'),
    /** JSON array of skill names. */
    skills: text('skills').notNull().default('[]'),
    volunteerNo: text('volunteer_no').unique(),
    email: text('email'),
    /** active | disabled | deleted */
    status: text('status').notNull().default('active'),
    guardianName: text('guardian_name'),
    guardianPhone: text('guardian_phone'),
    guardianConsentAt: integer('guardian_consent_at'),
    termsVersion: text('terms_version'),
    privacyVersion: text('privacy_version'),
    consentAt: integer('consent_at'),
    /** Separate consent to publish the full name (PIPL art. 25). */
    publishConsent: integer('publish_consent', { mode: 'boolean' }).notNull().default(false),
    /** Secret token for the private calendar feed (revocable). */
    calendarToken: text('calendar_token').unique(),
    /** Confirmed service minutes, maintained by triggers on hour_records. */
    confirmedMinutes: integer('confirmed_minutes').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer('updated_at'),
    deletedAt: integer('deleted_at'),
  },
  (t) => [index('users_town').on(t.townId)],
);

/** Global roles: volunteer, editor, reviewer, admin (a user may hold several). */
export const userRoles = sqliteTable(
  'user_roles',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role').notNull(),
    grantedBy: integer('granted_by'),
    grantedAt: integer('granted_at').notNull(),
    /**
     * For a role that handles service orders: the 乡镇 (town region) the holder serves as 所 staff;
     * null = the county 中心, all 乡镇 (docs/decisions/100).
     */
    townId: integer('town_id'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 (hex) of the session token; the token itself is never stored. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    expiresAt: integer('expires_at').notNull(),
    /** Sliding window length in ms (30 d volunteers, 12 h idle for staff). */
    ttlMs: integer('ttl_ms').notNull(),
    createdAt: createdAt(),
  },
  // sessions_expires: housekeeping drops the sessions that ran out and were never presented again.
  (t) => [index('sessions_user').on(t.userId), index('sessions_expires').on(t.expiresAt)],
);

export const passwordResets = sqliteTable('password_resets', {
  tokenHash: text('token_hash').primaryKey(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
  createdBy: integer('created_by'),
  createdAt: createdAt(),
});

/**
 * SMS verification codes (register, password reset, phone change): only an HMAC of the code is kept;
 * a code is used once, by the guarded UPDATE that also makes its change (src/domain/accounts/sms-codes.ts).
 */
export const smsCodes = sqliteTable(
  'sms_codes',
  {
    id: integer('id').primaryKey(),
    phone: text('phone').notNull(),
    /** register | reset | phone */
    purpose: text('purpose').notNull(),
    /** The account a reset or phone-change code belongs to; null for registration. */
    userId: integer('user_id').references(() => users.id),
    /** keyedHash(SECRET_KEY, purpose + phone + code): not reversible without the server's key. */
    codeHash: text('code_hash').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    /** The provider's answer, for operators: when it accepted the message, or why it did not. */
    sentAt: integer('sent_at'),
    sendError: text('send_error'),
    createdAt: createdAt(),
  },
  (t) => [index('sms_codes_phone').on(t.phone, t.purpose, t.createdAt)],
);

/**
 * Fixed-window counters shared by all processes (login, registration, nominations…). A key names what
 * is counted by an internal id or by a keyed hash (`rateKey`): never a phone or an address in the clear.
 * A row whose window has ended is dropped by housekeeping.
 */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  /** When the current window ends (epoch ms); the next hit after it starts a new window at 1. */
  resetAt: integer('reset_at').notNull().default(0),
});

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey(),
    at: integer('at').notNull(),
    actorId: integer('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    before: text('before'),
    after: text('after'),
    ip: text('ip'),
    detail: text('detail'),
  },
  // audit_actor: 注销 rewrites the person's own entries (decision 077); the console filters by actor too.
  (t) => [index('audit_at').on(t.at), index('audit_target').on(t.targetType, t.targetId), index('audit_actor').on(t.actorId)],
);

/** 站内信. */
export const notices = sqliteTable(
  'notices',
  {
    id: integer('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    link: text('link'),
    readAt: integer('read_at'),
    /** When the e-mail copy was handled by the outbox (sent, or skipped: no address / too old). */
    emailedAt: integer('emailed_at'),
    createdAt: createdAt(),
  },
  (t) => [index('notices_user').on(t.userId, t.readAt), index('notices_outbox').on(t.emailedAt, t.id)],
);
