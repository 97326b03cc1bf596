// The member's own data: view (full ID number for the owner only), edit, change password, 注销 (PIPL erasure).
import { and, eq, gt, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { events, notices, passwordResets, sessions, signups, teamMembers, userRoles, users } from '../../../db/schema/index.ts';
import { decryptText, maskIdNumber, maskPhone } from '../../lib/pii.ts';
import { auditStatement } from '../audit/index.ts';
import { regionNames, regionLabel, validRegionPair } from '../regions/index.ts';
import { getSettings } from '../settings/index.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { openBirthDate } from './birth-dates.ts';
import { AccountError, RateLimitedError } from './errors.ts';
import { FAILURES_PER_ACCOUNT, LOGIN_WINDOW_MS } from './login.ts';
import { clearRateLimit, hitRateLimit, PHONE_SCOPES, phoneRateKey, rateKeyForId } from './rate-limit.ts';
import { smsCheckKeys } from './sms-codes.ts';
import { LEADER_ROLES } from './policy.ts';
import { writeBatch } from '../../../db/write.ts';
import { truncateWal } from '../../../db/client.ts';
import { fillFreedSeats } from '../events/signups.ts';
import { parseJsonOr } from '../../lib/json.ts';

/** Everything the owner may see about themself. */
export interface OwnProfile {
  id: number;
  phone: string | null;
  realName: string;
  idType: string | null;
  /** Decrypted: shown to the owner only. */
  idNumber: string | null;
  idNumberMasked: string | null;
  /** Decrypted: shown to the owner only. */
  birthDate: string | null;
  gender: string | null;
  townId: number | null;
  villageId: number | null;
  regionLabel: string;
  skills: string[];
  email: string | null;
  volunteerNo: string | null;
  publishConsent: boolean;
  termsVersion: string | null;
  privacyVersion: string | null;
  consentAt: number | null;
  guardianName: string | null;
  guardianConsentAt: number | null;
  confirmedMinutes: number;
  roles: string[];
  createdAt: number;
}

/** The owner's profile with the ID number decrypted; null when the account is gone. */
export async function getOwnProfile(db: Db, secretKey: Buffer, userId: number): Promise<OwnProfile | null> {
  const [u] = await db.select().from(users).where(eq(users.id, userId));
  if (!u || u.status === 'deleted') return null;
  const roles = (await db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId))).map((r) => r.role);
  const names = await regionNames(db, [u.townId, u.villageId]);
  let idNumber: string | null = null;
  if (u.idNumberEnc) {
    try {
      idNumber = decryptText(secretKey, u.idNumberEnc);
    } catch {
      idNumber = null; // wrong SECRET_KEY: show the masked form rather than fail the page
    }
  }
  const skills = parseJsonOr<string[]>(u.skills, []);
  return {
    id: u.id,
    phone: u.phone,
    realName: u.realName,
    idType: u.idType,
    idNumber,
    idNumberMasked: u.idNumberMasked ?? (idNumber ? maskIdNumber(idNumber) : null),
    birthDate: openBirthDate(secretKey, u.birthDateEnc),
    gender: u.gender,
    townId: u.townId,
    villageId: u.villageId,
    regionLabel: regionLabel(names, u.townId, u.villageId),
    skills,
    email: u.email,
    volunteerNo: u.volunteerNo,
    publishConsent: u.publishConsent,
    termsVersion: u.termsVersion,
    privacyVersion: u.privacyVersion,
    consentAt: u.consentAt,
    guardianName: u.guardianName,
    guardianConsentAt: u.guardianConsentAt,
    confirmedMinutes: u.confirmedMinutes,
    roles,
    createdAt: u.createdAt,
  };
}

/** Updates the fields a member may change themself. */
export async function updateProfile(db: Db, userId: number, input: { townId: number; villageId: number; skills: string[]; email?: string; publishConsent: boolean }, ip?: string): Promise<void> {
  if (!(await validRegionPair(db, input.townId, input.villageId))) {
    throw new AccountError('BAD_REQUEST', '所选村/社区不属于所选乡镇/街道，请重新选择', 'villageId');
  }
  const s = await getSettings(db);
  const skills = [...new Set(input.skills)].filter((k) => s.skills.includes(k));
  const [before] = await db
    .select({ townId: users.townId, villageId: users.villageId, skills: users.skills, email: users.email, publishConsent: users.publishConsent })
    .from(users)
    .where(eq(users.id, userId));
  if (!before) throw new AccountError('NOT_FOUND', '账户不存在');
  const after = { townId: input.townId, villageId: input.villageId, skills: JSON.stringify(skills), email: input.email || null, publishConsent: input.publishConsent };
  await writeBatch(db, [
    db
      .update(users)
      .set({ ...after, updatedAt: Date.now() })
      .where(eq(users.id, userId)),
    auditStatement({ actorId: userId, action: 'profile.update', targetType: 'user', targetId: userId, before, after, ip }),
  ]);
}

/**
 * Counts a password check of a signed-in user before it runs (one guarded statement), like the
 * login lock-out: a session left open on a shared computer cannot try passwords without end
 * (decision 077). Throws RateLimitedError after FAILURES_PER_ACCOUNT checks in the window.
 */
export async function countPasswordCheck(db: Db, userId: number, now = Date.now()): Promise<void> {
  const r = await hitRateLimit(db, rateKeyForId('password-check', userId), FAILURES_PER_ACCOUNT, LOGIN_WINDOW_MS, now);
  if (!r.allowed) throw new RateLimitedError('密码错误次数过多，已暂时锁定', r.resetAt, now);
}

/** Changes the password after checking the current one; ends every other session of the user. */
export async function changePassword(db: Db, input: { userId: number; currentSessionId: string; current: string; password: string; ip?: string }): Promise<void> {
  const [u] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, input.userId));
  await countPasswordCheck(db, input.userId);
  if (!u?.passwordHash || !(await verifyPassword(u.passwordHash, input.current))) {
    throw new AccountError('BAD_REQUEST', '当前密码不正确', 'current');
  }
  await clearRateLimit(db, rateKeyForId('password-check', input.userId));
  const passwordHash = await hashPassword(input.password);
  await writeBatch(db, [
    db.update(users).set({ passwordHash, updatedAt: Date.now() }).where(eq(users.id, input.userId)),
    db.delete(sessions).where(and(eq(sessions.userId, input.userId), ne(sessions.id, input.currentSessionId))),
    auditStatement({ actorId: input.userId, action: 'password.change', targetType: 'user', targetId: input.userId, ip: input.ip, detail: '其他会话已全部退出' }),
  ]);
}

/** Placeholder name of an erased account. */
export const DELETED_NAME = '已注销用户';

/** What replaces the person's phone, e-mail and masked phone in rows that outlive the account. */
const ERASED = '[已删除]';

/**
 * `column` with every personal value replaced (nested replace(); the args follow in textual order).
 * Longest values first, so an e-mail made of the phone number goes as a whole.
 */
function scrubbed(column: string, pairs: [string, string][]): SQL {
  let out = sql.raw(column);
  for (const [value, replacement] of pairs) out = sql`replace(${out}, ${value}, ${replacement})`;
  return out;
}

/**
 * 注销账户 (PIPL art. 47): erases personal fields, ends sessions, drops roles and resets,
 * leaves teams; confirmed service records stay, attached to the anonymised row, for statistics.
 * The person's name, phone and e-mail also leave the rows that outlive the account: their own
 * audit entries (kept as "who did what", personal values replaced), their login counter, the
 * 负责人/contact of teams they registered; a pending certificate request is closed. Issued
 * certificates stay on the register as issued (decision 077 says why). 积分超市 orders awaiting pickup
 * are cancelled, stock and points returned.
 */
export async function deleteAccount(db: Db, input: { secretKey: Buffer; userId: number; password: string; ip?: string }): Promise<void> {
  const [u] = await db
    .select({ passwordHash: users.passwordHash, status: users.status, realName: users.realName, phone: users.phone, email: users.email })
    .from(users)
    .where(eq(users.id, input.userId));
  if (!u || u.status === 'deleted') throw new AccountError('NOT_FOUND', '账户不存在');
  await countPasswordCheck(db, input.userId);
  if (!u.passwordHash || !(await verifyPassword(u.passwordHash, input.password))) throw new AccountError('BAD_REQUEST', '密码不正确', 'password');
  const now = Date.now();
  // Seats held for events that have not started are given back (and go to the waitlist).
  const upcoming = await db
    .select({ eventId: signups.eventId })
    .from(signups)
    .innerJoin(events, eq(events.id, signups.eventId))
    .where(and(eq(signups.userId, input.userId), inArray(signups.status, ['confirmed', 'waitlisted']), gt(events.startsAt, now)));
  const personal = (
    [
      [u.email, ERASED],
      [u.phone, ERASED],
      [u.phone && maskPhone(u.phone), ERASED],
      [u.realName, DELETED_NAME],
    ] as [string | null, string][]
  )
    .filter((p): p is [string, string] => typeof p[0] === 'string' && p[0].length >= 2)
    .sort((a, b) => b[0].length - a[0].length);
  const [before, after, detail] = ['before', 'after', 'detail'].map((c) => scrubbed(c, personal));
  await writeBatch(db, [
    // Audit entries by or about the person stay (who did what, when) without their contact data.
    sql`UPDATE audit_log SET before = ${before}, after = ${after}, detail = ${detail}
      WHERE actor_id = ${input.userId} OR (target_type = 'user' AND target_id = ${String(input.userId)})`,
    // The counters that name them: by account, and by their phone's keyed hash in every scope that counts phones.
    sql`DELETE FROM rate_limits WHERE key IN ${[
      rateKeyForId('password-check', input.userId),
      ...(u.phone ? [...PHONE_SCOPES.map((s) => phoneRateKey(input.secretKey, s, u.phone!)), ...smsCheckKeys(input.secretKey, u.phone, input.userId)] : []),
    ]}`,
    // Verification codes name the phone: they go with it (issue 18, item 13).
    sql`DELETE FROM sms_codes WHERE user_id = ${input.userId} OR phone = ${u.phone ?? ''}`,
    // Teams they registered or ever led (in any role state) stop naming them as leader.
    sql`UPDATE teams SET leader_name = NULL WHERE leader_name = ${u.realName}
      AND (created_by = ${input.userId} OR id IN (SELECT team_id FROM team_members WHERE user_id = ${input.userId} AND role IN ${LEADER_ROLES}))`,
    ...(u.phone ? [sql`UPDATE teams SET contact_phone = NULL WHERE replace(replace(contact_phone, ' ', ''), '-', '') = ${u.phone}`] : []),
    sql`UPDATE certificates SET status = 'declined', decline_reason = '申请人已注销账户' WHERE user_id = ${input.userId} AND status = 'requested'`,
    // 积分超市 orders waiting for pickup are closed: the goods go back on the shelf and the points back to
    // the ledger (which stays balanced), so nobody can collect against an erased account (issue 21).
    sql`INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
      SELECT user_id, kind, price, '注销账户，取消兑换', 'shop_order', id, ${now} FROM shop_orders WHERE user_id = ${input.userId} AND status = 'reserved'`,
    sql`UPDATE shop_items SET stock = stock + (SELECT count(*) FROM shop_orders o WHERE o.item_id = shop_items.id AND o.user_id = ${input.userId} AND o.status = 'reserved')
      WHERE id IN (SELECT item_id FROM shop_orders WHERE user_id = ${input.userId} AND status = 'reserved')`,
    sql`UPDATE shop_orders SET status = 'cancelled', closed_at = ${now} WHERE user_id = ${input.userId} AND status = 'reserved'`,
    // A 好人 entry is editorial content with its own consent; it only stops pointing at the account.
    sql`UPDATE honorees SET user_id = NULL WHERE user_id = ${input.userId}`,
    db
      .update(signups)
      .set({ status: 'cancelled', updatedAt: now })
      .where(and(eq(signups.userId, input.userId), inArray(signups.status, ['confirmed', 'waitlisted']), sql`${signups.eventId} IN (SELECT id FROM events WHERE starts_at > ${now})`)),
    db
      .update(users)
      .set({
        phone: null,
        passwordHash: null,
        realName: DELETED_NAME,
        idType: null,
        idNumberEnc: null,
        idNumberHash: null,
        idNumberMasked: null,
        birthDate: null,
        birthDateEnc: null,
        gender: null,
        villageId: null,
        skills: '[]',
        volunteerNo: null,
        email: null,
        guardianName: null,
        guardianPhone: null,
        guardianConsentAt: null,
        publishConsent: false,
        calendarToken: null,
        status: 'deleted',
        deletedAt: now,
        updatedAt: now,
      })
      .where(eq(users.id, input.userId)),
    db.delete(sessions).where(eq(sessions.userId, input.userId)),
    db.delete(userRoles).where(eq(userRoles.userId, input.userId)),
    db.delete(passwordResets).where(eq(passwordResets.userId, input.userId)),
    db.delete(notices).where(eq(notices.userId, input.userId)),
    db
      .update(teamMembers)
      .set({ status: 'left', decidedAt: now })
      .where(and(eq(teamMembers.userId, input.userId), inArray(teamMembers.status, ['pending', 'active']))),
    // The audit entry names no personal data: only the (now anonymous) row id.
    auditStatement({ actorId: input.userId, action: 'user.delete', targetType: 'user', targetId: input.userId, ip: input.ip, detail: '用户本人注销，个人信息已删除，已确认的服务记录匿名保留' }),
  ]);
  for (const { eventId } of upcoming) await fillFreedSeats(db, eventId, now);
  // Old WAL frames still hold the rows as they were before; rare enough to flush at once.
  await truncateWal(db);
}
