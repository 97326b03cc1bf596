// SMS verification codes (issue 18, item 13; decision 092): six digits, only a keyed hash stored,
// 10 minutes, bound to one purpose and phone (and for a phone change to the account asking), at
// most 5 checks, used once by the guarded UPDATE that makes the change itself. Sending is limited
// per phone (60 s apart, 10 a day) and per address (20 an hour, 100 a day); the provider is called
// after the request's answer is decided, never awaited by it.
import { randomInt, timingSafeEqual } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { writeBatch } from '../../../db/write.ts';
import { keyedHash } from '../../lib/pii.ts';
import { log } from '../../lib/log.ts';
import { maskPhone } from '../../lib/pii.ts';
import type { SmsMessage } from '../../lib/sms.ts';
import { AccountError, RateLimitedError } from './errors.ts';
import { clearRateLimit, hitRateLimit, phoneRateKey, rateKey } from './rate-limit.ts';

export type SmsPurpose = 'register' | 'reset' | 'phone';

export const CODE_TTL_MS = 10 * 60_000;
export const RESEND_AFTER_MS = 60_000;
export const CODES_PER_PHONE_PER_DAY = 10;
export const CODES_PER_IP_PER_HOUR = 20;
export const CODES_PER_IP_PER_DAY = 100;
/** Checks of one phone's code (wrong or right) before a new code is needed. */
export const CHECKS_PER_CODE = 5;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Hands one message to the provider (src/lib/sms.ts sendSms with the configuration, or a test's capture). */
export type SmsSender = (msg: SmsMessage) => Promise<void>;

/** Mainland mobile numbers only: the providers are configured for them. */
const PHONE = /^1[3-9]\d{9}$/;

function codeHash(secretKey: Buffer, purpose: SmsPurpose, phone: string, userId: number | null, code: string): string {
  return keyedHash(secretKey, `${purpose}:${phone}:${userId ?? ''}:${code}`, 'sms-code');
}

/** The counter of checks against the current code; for a phone change it is the account's own. */
function checkKey(secretKey: Buffer, purpose: SmsPurpose, phone: string, userId: number | null): string {
  return rateKey(secretKey, `sms-check:${purpose}`, `${phone}:${purpose === 'phone' ? (userId ?? '') : ''}`);
}

/** The code-check counters that can name this phone (each purpose; a phone change by this account): 注销 deletes them. */
export function smsCheckKeys(secretKey: Buffer, phone: string, userId: number): string[] {
  return (['register', 'reset', 'phone'] as SmsPurpose[]).map((p) => checkKey(secretKey, p, phone, userId));
}

/** A new random 6-digit code (leading zeros kept). */
export function newSmsCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** What the page may say after a request: never whether the phone has an account. */
export interface SmsRequestResult {
  /** Settles when the provider answered (for tests and the demo log); the request never waits on it. */
  delivery: Promise<void>;
}

/**
 * Counts the request against every limit, then issues and sends a code — for a reset only when an
 * active account has this phone, yet with the same answer and the same limits either way, so the
 * answer tells nothing about who is registered. Earlier codes of the phone and purpose die.
 * Throws AccountError (field `phone` or `smsCode`) or RateLimitedError.
 */
export async function requestSmsCode(db: Db, secretKey: Buffer, input: { phone: string; purpose: SmsPurpose; ip: string; userId?: number; send: SmsSender; now?: number }): Promise<SmsRequestResult> {
  const now = input.now ?? Date.now();
  const phone = input.phone.trim();
  if (!PHONE.test(phone)) throw new AccountError('BAD_REQUEST', '请输入 11 位中国大陆手机号码，如 13812341234', 'phone');
  if (input.purpose === 'phone' && !input.userId) throw new AccountError('UNAUTHORIZED', '请先登录');

  const perIpHour = await hitRateLimit(db, rateKey(secretKey, 'sms-ip-hour', input.ip), CODES_PER_IP_PER_HOUR, HOUR, now);
  if (!perIpHour.allowed) throw new RateLimitedError('此网络获取验证码的次数过多', perIpHour.resetAt, now);
  const perIpDay = await hitRateLimit(db, rateKey(secretKey, 'sms-ip-day', input.ip), CODES_PER_IP_PER_DAY, DAY, now);
  if (!perIpDay.allowed) throw new RateLimitedError('此网络今天获取验证码的次数已达上限', perIpDay.resetAt, now);
  const cooldown = await hitRateLimit(db, phoneRateKey(secretKey, 'sms-resend', phone), 1, RESEND_AFTER_MS, now);
  if (!cooldown.allowed) {
    const seconds = Math.max(1, Math.ceil((cooldown.resetAt - now) / 1000));
    throw new AccountError('TOO_MANY_REQUESTS', `获取验证码过于频繁，请 ${seconds} 秒后再试`, 'smsCode');
  }
  const perPhone = await hitRateLimit(db, phoneRateKey(secretKey, 'sms-phone-day', phone), CODES_PER_PHONE_PER_DAY, DAY, now);
  if (!perPhone.allowed) throw new RateLimitedError('该手机号今天获取验证码的次数已达上限', perPhone.resetAt, now);

  let userId: number | null = null;
  if (input.purpose === 'reset') {
    const [u] = await db.all<{ id: number }>(sql`SELECT id FROM users WHERE phone = ${phone} AND status = 'active'`);
    userId = u ? Number(u.id) : null;
  } else if (input.purpose === 'phone') {
    userId = input.userId!;
    const [u] = await db.all<{ phone: string | null }>(sql`SELECT phone FROM users WHERE id = ${userId}`);
    if (u?.phone === phone) throw new AccountError('BAD_REQUEST', '这就是您当前的手机号，无需更换', 'phone');
  }
  // A new code starts a new count of checks, for a phone with or without an account alike.
  await clearRateLimit(db, checkKey(secretKey, input.purpose, phone, userId));
  // A reset for a phone without an account writes its row all the same (a code nobody receives), so
  // the request does the same work and takes the same time either way.
  const unknown = input.purpose === 'reset' && userId === null;
  const code = newSmsCode();
  // The stand-in row's hash is of no six-digit code: no guess can ever match it.
  const hash = codeHash(secretKey, input.purpose, phone, userId, unknown ? `-${randomInt(0, 2 ** 47)}` : code);
  await writeBatch(db, [
    // Codes (with the phones they name) are kept a day past expiry for operators, then dropped.
    sql`DELETE FROM sms_codes WHERE expires_at < ${now - DAY}`,
    sql`UPDATE sms_codes SET used_at = ${now} WHERE phone = ${phone} AND purpose = ${input.purpose} AND used_at IS NULL`,
    sql`INSERT INTO sms_codes (phone, purpose, user_id, code_hash, expires_at, send_error, created_at)
      VALUES (${phone}, ${input.purpose}, ${userId}, ${hash}, ${now + CODE_TTL_MS}, ${unknown ? 'no account: not sent' : null}, ${now})`,
  ]);
  if (unknown) return { delivery: Promise.resolve() };
  const delivery = input
    .send({ phone, code, minutes: CODE_TTL_MS / 60_000, purpose: input.purpose })
    .then(() => db.run(sql`UPDATE sms_codes SET sent_at = ${Date.now()} WHERE code_hash = ${hash}`))
    .catch(async (err: unknown) => {
      const reason = String((err as Error)?.message ?? err).slice(0, 300);
      log('warn', 'sms.send.failed', { phone: maskPhone(phone), purpose: input.purpose, error: reason });
      await db.run(sql`UPDATE sms_codes SET send_error = ${reason} WHERE code_hash = ${hash}`).catch(() => {});
    })
    .then(() => undefined);
  return { delivery };
}

/** A code that matched: `consume` is the guard to run with the change it allows (guardedWrite). */
export interface CheckedSmsCode {
  consume: SQL;
}

export const WRONG_CODE = '验证码不正确或已过期，请核对短信或重新获取';
export const USED_CODE = '该验证码已使用或已过期，请重新获取';

/**
 * Counts one check, then finds the live code matching `code` for this phone and purpose (and
 * account). Returns the guard that uses it up; the caller runs it in the same batch as the change,
 * so two requests with one code cannot both succeed. Throws AccountError on field `smsCode`.
 */
export async function checkSmsCode(db: Db, secretKey: Buffer, input: { phone: string; purpose: SmsPurpose; code: string; userId?: number | null; now?: number }): Promise<CheckedSmsCode> {
  const now = input.now ?? Date.now();
  const code = input.code.trim();
  if (!/^\d{6}$/.test(code)) throw new AccountError('BAD_REQUEST', '请输入短信中的 6 位数字验证码', 'smsCode');
  const userId = input.userId ?? null;
  const checks = await hitRateLimit(db, checkKey(secretKey, input.purpose, input.phone, userId), CHECKS_PER_CODE, CODE_TTL_MS, now);
  if (!checks.allowed) throw new AccountError('TOO_MANY_REQUESTS', '验证码错误次数过多，请重新获取验证码', 'smsCode');
  const rows = await db.all<{ id: number; code_hash: string; user_id: number | null }>(
    sql`SELECT id, code_hash, user_id FROM sms_codes WHERE phone = ${input.phone} AND purpose = ${input.purpose} AND used_at IS NULL AND expires_at > ${now} ORDER BY id DESC LIMIT 1`,
  );
  const row = rows[0];
  // For a reset the account is the one the code was issued for; otherwise the caller's (or none).
  const owner = input.purpose === 'reset' ? (row?.user_id ?? null) : userId;
  const expected = Buffer.from(row ? String(row.code_hash) : '0'.repeat(64), 'hex');
  const given = Buffer.from(codeHash(secretKey, input.purpose, input.phone, owner, code), 'hex');
  if (!row || !timingSafeEqual(expected, given)) throw new AccountError('BAD_REQUEST', WRONG_CODE, 'smsCode');
  return { consume: sql`UPDATE sms_codes SET used_at = ${now} WHERE id = ${Number(row.id)} AND used_at IS NULL AND expires_at > ${now}` };
}

/** The account a reset code was issued for (checked by checkSmsCode first). */
export async function resetCodeOwner(db: Db, phone: string, now = Date.now()): Promise<number | null> {
  const [r] = await db.all<{ user_id: number | null }>(
    sql`SELECT user_id FROM sms_codes WHERE phone = ${phone} AND purpose = 'reset' AND used_at IS NULL AND expires_at > ${now} ORDER BY id DESC LIMIT 1`,
  );
  return r?.user_id == null ? null : Number(r.user_id);
}
