// Self-service recovery (issue 18, item 13): a new password by SMS code or by an e-mail link, and a
// new phone number proven by a code sent to it. Each change and the use of its code (or link) are
// one guarded write; no answer says whether a phone number has an account.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite, writeBatch } from '../../../db/write.ts';
import { passwordResets, sessions, users } from '../../../db/schema/index.ts';
import { randomToken } from '../../lib/ids.ts';
import { maskPhone } from '../../lib/pii.ts';
import { log } from '../../lib/log.ts';
import { formatDateTime } from '../../lib/time.ts';
import { auditStatement } from '../audit/index.ts';
import { hashPassword } from './passwords.ts';
import { RESET_TTL_MS, resetTokenHash } from './admin.ts';
import { countPasswordCheck } from './profile.ts';
import { verifyPassword } from './passwords.ts';
import { AccountError, RateLimitedError, isUniqueViolation } from './errors.ts';
import { hitRateLimit, phoneRateKey, rateKey } from './rate-limit.ts';
import { USED_CODE, checkSmsCode, resetCodeOwner } from './sms-codes.ts';
import type { Mail } from '../../lib/mail.ts';

const HOUR = 3600_000;
export const RESET_MAILS_PER_PHONE_PER_DAY = 3;
export const RESET_MAILS_PER_IP_PER_HOUR = 10;

/**
 * Sets a new password with a reset code sent to the account's phone; ends every session. A phone
 * without an account fails exactly as a wrong code does (the code check counts it the same).
 */
export async function resetPasswordWithSmsCode(db: Db, secretKey: Buffer, input: { phone: string; code: string; password: string; ip?: string; now?: number }): Promise<number> {
  const now = input.now ?? Date.now();
  const phone = input.phone.trim();
  const checked = await checkSmsCode(db, secretKey, { phone, purpose: 'reset', code: input.code, now });
  const userId = await resetCodeOwner(db, phone, now);
  if (userId === null) throw new AccountError('BAD_REQUEST', USED_CODE, 'smsCode');
  const passwordHash = await hashPassword(input.password);
  const written = await guardedWrite(db, checked.consume, [
    db
      .update(users)
      .set({ passwordHash, updatedAt: now })
      .where(and(eq(users.id, userId), eq(users.status, 'active'))),
    db.delete(sessions).where(eq(sessions.userId, userId)),
    // The reset links an administrator issued earlier die with it.
    db
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt))),
    sql`DELETE FROM rate_limits WHERE key = ${`login-fail:${phone}`}`,
    auditStatement({ actorId: userId, action: 'password.reset.sms', targetType: 'user', targetId: userId, ip: input.ip, detail: '通过短信验证码设置新密码，所有会话已结束' }),
  ]);
  if (!written) throw new AccountError('BAD_REQUEST', USED_CODE, 'smsCode');
  return userId;
}

/**
 * Mails a one-time reset link (1 h) to the e-mail address of the account with this phone, when it
 * has one. Same limits and the same answer whatever the phone; the mail is sent after the answer
 * is decided (`delivery`), so the time taken does not tell either.
 */
export async function requestResetByEmail(
  db: Db,
  input: { secretKey: Buffer; phone: string; ip: string; siteUrl: string; mail: (m: Mail) => Promise<void>; now?: number },
): Promise<{ delivery: Promise<void> }> {
  const now = input.now ?? Date.now();
  const phone = input.phone.trim();
  if (!/^1[3-9]\d{9}$/.test(phone)) throw new AccountError('BAD_REQUEST', '请输入 11 位中国大陆手机号码，如 13812341234', 'phone');
  const perIp = await hitRateLimit(db, rateKey(input.secretKey, 'reset-mail-ip', input.ip), RESET_MAILS_PER_IP_PER_HOUR, HOUR, now);
  if (!perIp.allowed) throw new RateLimitedError('此网络申请重置邮件的次数过多', perIp.resetAt, now);
  const perPhone = await hitRateLimit(db, phoneRateKey(input.secretKey, 'reset-mail', phone), RESET_MAILS_PER_PHONE_PER_DAY, 24 * HOUR, now);
  if (!perPhone.allowed) throw new RateLimitedError('该手机号今天申请重置邮件的次数已达上限', perPhone.resetAt, now);
  const [u] = await db.all<{ id: number; email: string | null; real_name: string }>(sql`SELECT id, email, real_name FROM users WHERE phone = ${phone} AND status = 'active'`);
  if (!u?.email) return { delivery: Promise.resolve() };
  const userId = Number(u.id);
  const token = randomToken(20);
  const expiresAt = now + RESET_TTL_MS;
  await writeBatch(db, [
    db
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt))),
    db.insert(passwordResets).values({ tokenHash: resetTokenHash(token), userId, expiresAt, createdBy: null, createdAt: now }),
    auditStatement({ actorId: userId, action: 'password.reset.mail', targetType: 'user', targetId: userId, ip: input.ip, detail: '本人申请，重置链接已发往登记的邮箱，1 小时内有效' }),
  ]);
  const link = `${input.siteUrl}/reset/${token}`;
  const delivery = input
    .mail({
      to: String(u.email),
      subject: '善行平台：重置密码链接',
      text: `${String(u.real_name)}，您好：\n\n您申请了重置密码。请在 ${formatDateTime(expiresAt)} 前打开以下链接设置新密码（仅可使用一次）：\n${link}\n\n如非本人操作，请忽略本邮件，您的密码不会改变。`,
    })
    .catch((err: unknown) => log('warn', 'reset mail failed', { userId, error: String((err as Error)?.message ?? err) }));
  return { delivery };
}

/**
 * Moves the account to a new phone number, proven by the code sent to it and the current password
 * (a session left open elsewhere must not be enough to take the account over).
 */
export async function changePhoneWithCode(db: Db, secretKey: Buffer, input: { userId: number; phone: string; code: string; password: string; ip?: string; now?: number }): Promise<void> {
  const now = input.now ?? Date.now();
  const phone = input.phone.trim();
  if (!/^1[3-9]\d{9}$/.test(phone)) throw new AccountError('BAD_REQUEST', '请输入 11 位中国大陆手机号码，如 13812341234', 'phone');
  const [u] = await db.select({ phone: users.phone, passwordHash: users.passwordHash, status: users.status }).from(users).where(eq(users.id, input.userId));
  if (!u || u.status !== 'active') throw new AccountError('NOT_FOUND', '账户不存在');
  await countPasswordCheck(db, input.userId, now);
  if (!u.passwordHash || !(await verifyPassword(u.passwordHash, input.password))) throw new AccountError('BAD_REQUEST', '当前密码不正确', 'password');
  const checked = await checkSmsCode(db, secretKey, { phone, purpose: 'phone', code: input.code, userId: input.userId, now });
  let written;
  try {
    written = await guardedWrite(db, checked.consume, [
      db
        .update(users)
        .set({ phone, updatedAt: now })
        .where(and(eq(users.id, input.userId), eq(users.status, 'active'))),
      auditStatement({
        actorId: input.userId,
        action: 'phone.change',
        targetType: 'user',
        targetId: input.userId,
        before: { phone: maskPhone(u.phone) },
        after: { phone: maskPhone(phone) },
        ip: input.ip,
        detail: '新号码已通过短信验证码确认',
      }),
    ]);
  } catch (e) {
    // Someone registered the number between the code and now: the unique index decides, nothing is written.
    if (isUniqueViolation(e, 'phone')) throw new AccountError('CONFLICT', '该手机号已被其他账户使用，如有疑问请联系管理员', 'phone');
    throw e;
  }
  if (!written) throw new AccountError('BAD_REQUEST', USED_CODE, 'smsCode');
}
